"""W1 overhead: 200 runs x 5 tool steps, LLM latency 0 ms, 50 in flight — OpenIntern and,
in the same invocation, LangGraph (with its Postgres checkpointer on the same embedded
PostgreSQL cluster, and without a checkpointer).

OpenIntern: one `openintern serve` (API + in-process workers), the fake LLM in a process of
its own. The load generator keeps 50 runs in flight with a semaphore: each slot POSTs
``/api/runs``, follows the run's SSE stream to its terminal event, then confirms with
``GET /api/runs/{id}`` that the status is terminal. The clock runs from the first submit to
the last confirmation. Afterwards the database is counted: every run completed, a
checkpoint per step, every run's event log gap-free and equal to its ``last_seq``.

Counting: a *tool step* is one LLM call that asked for a tool plus that tool's execution
(5 per run, 1,000 in all); each run makes 6 LLM calls (the 6th answers), 1,200 in all.

Runtime overhead per step: with ``F`` runs in flight and ``C`` LLM calls done in ``wall``
seconds, each run advances one LLM call every ``F * wall / C`` seconds (Little's law).
Subtracting what the fake LLM itself takes for one call (measured alone, unloaded, over the
same HTTP/SSE framing) leaves the runtime's share: queueing for the CPU included, since
that is what a run waits for. The CPU columns split the same time by process.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench import harness
from bench.harness import (
    cpu_by_tree,
    cpu_delta,
    fake_llm_process,
    follow_sse,
    free_port,
    load_average,
    login,
    persisted,
    postmaster_pid,
    run_status,
    serve,
    submit,
    until_idle,
    wait_terminal,
)

RUNS, STEPS, IN_FLIGHT = int(os.environ.get("BENCH_W1_RUNS", "200")), 5, 50  # (more runs: for profiling)
WARM_UP_RUNS = 50  # the same shape, not timed: pools at size, lazy imports done


def loop_model(steps: int = STEPS, latency_ms: int = 0) -> str:
    return f"fake/loop?tool=echo&n={steps}&latency_ms={latency_ms}"


def run(args: Any) -> dict[str, Any]:
    repeat = getattr(args, "repeat", 1) or 1
    mode = getattr(args, "mode", None) or "sse"
    langgraph = not getattr(args, "no_langgraph", False)
    results = [once(langgraph=langgraph, mode=mode) for _ in range(repeat)]
    return {"runs": results, "median": _median(results)} if repeat > 1 else results[0]


def once(langgraph: bool = True, stream: bool = True, mode: str = "sse") -> dict[str, Any]:
    """``mode``: ``sse`` (the figure: each of 50 client slots submits, follows the SSE stream
    to the end, confirms with GET), ``poll`` (the slot polls GET with back-off instead), or
    ``upfront`` (all 200 submitted at once, worker concurrency 50, the client asks the run
    list every 50 ms whether anything is still active: the runtime with the least API work)."""
    from openintern.db.embedded import stop_embedded

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(free_port()) as (fake, fake_proc):
        fake_ms = asyncio.run(fake_call_ms(fake))
        data = Path(tmp) / "data"
        out["load_avg_before"] = load_average()
        concurrency = IN_FLIGHT if mode == "upfront" else 200
        with serve(data, free_port(), harness.llm_env(fake, concurrency)) as srv:
            roots = {"serve": srv.process.pid, "fake_llm": fake_proc.pid, "postgres": postmaster_pid(data)}
            oi = asyncio.run(_openintern(srv.base_url, roots, stream, mode, data))
        oi["mode"] = mode
        oi["load_avg_after"] = load_average()
        calls = RUNS * (STEPS + 1)
        oi["fake_llm_ms_per_call_unloaded"] = round(fake_ms, 3)
        oi["wall_ms_per_step_per_run"] = round(IN_FLIGHT * oi["wall_s"] / calls * 1000, 2)
        oi["runtime_overhead_ms_per_step"] = round(oi["wall_ms_per_step_per_run"] - fake_ms, 2)
        oi["cpu_ms_per_llm_step"] = {k: round(v / calls * 1000, 2) for k, v in oi.pop("cpu_s").items()}
        oi["persisted"] = persisted(data)
        oi["persisted"]["expected_checkpoints"] = RUNS * (STEPS + 1) + WARM_UP_RUNS * (STEPS + 1)
        oi["persisted"]["expected_runs"] = RUNS + WARM_UP_RUNS
        out["OpenIntern"] = oi
        try:
            if langgraph:
                from bench.workloads.langgraph import both

                out.update(asyncio.run(both(fake, data, fake_proc.pid)))
        finally:
            stop_embedded()
        if langgraph:
            base = out["LangGraph (AsyncPostgresSaver)"]["tool_steps_per_s"]
            out["ratio_vs_langgraph_postgres"] = round(oi["tool_steps_per_s"] / base, 2)
            out["ratio_vs_langgraph_no_checkpointer"] = round(
                oi["tool_steps_per_s"] / out["LangGraph (no checkpointer)"]["tool_steps_per_s"], 2
            )
    return out


async def _openintern(
    base: str, roots: dict[str, int], stream: bool, mode: str, data: Path
) -> dict[str, Any]:

    roots = {**roots, "load_generator": os.getpid()}
    body = {"input": "go", "model": loop_model(), "tools": ["echo"], "stream": stream}
    connector = aiohttp.TCPConnector(limit=4 * IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector) as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        outcomes: dict[str, int] = {}
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one() -> None:
            async with gate:
                run_id = await submit(http, base, auth, body)
                if mode == "sse":
                    await follow_sse(http, base, auth, run_id)
                    status = await run_status(http, base, auth, run_id)
                else:
                    status = await wait_terminal(http, base, auth, run_id)
                outcomes[status] = outcomes.get(status, 0) + 1

        async def upfront(n: int) -> None:
            ids = await asyncio.gather(*(submit(http, base, auth, body) for _ in range(n)))
            await until_idle(http, base, auth)
            for run_id in ids:
                status = await run_status(http, base, auth, run_id)
                outcomes[status] = outcomes.get(status, 0) + 1

        async def batch(n: int) -> None:
            if mode == "upfront":
                await upfront(n)
            else:
                await asyncio.gather(*(one() for _ in range(n)))

        await batch(WARM_UP_RUNS)
        outcomes.clear()
        xacts0 = _xacts(data)
        cpu0 = cpu_by_tree(roots)
        started = time.perf_counter()
        await batch(RUNS)
        wall = time.perf_counter() - started
        cpu = cpu_delta(cpu0, cpu_by_tree(roots))
        xacts = _xacts(data) - xacts0 - 1  # (the reading transaction)
    if outcomes != {"completed": RUNS}:
        raise AssertionError(f"W1: not every run completed: {outcomes}")
    return {
        "wall_s": round(wall, 3),
        "tool_steps_per_s": round(RUNS * STEPS / wall, 1),
        "llm_calls_per_s": round(RUNS * (STEPS + 1) / wall, 1),
        "runs_per_s": round(RUNS / wall, 1),
        "db_transactions_per_run": round(xacts / RUNS, 1),
        "cpu_s": cpu,
    }


def _xacts(data: Path) -> int:
    """Committed transactions in the openintern database so far (pg_stat_database)."""
    import psycopg

    from openintern.db.embedded import socket_url
    from openintern.db.engine import libpq_conninfo

    sock = next((data / "pg").rglob("postmaster.pid")).parent
    with psycopg.connect(libpq_conninfo(socket_url(str(sock), "openintern")), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = 'openintern'").fetchone()
    return int(row[0]) if row else 0


async def fake_call_ms(fake: str, calls: int = 200) -> float:
    """Median time of one streamed call to the fake alone (the request a run's first step
    sends: a tool offered, the reply a tool call), with a bare aiohttp client."""
    body = {
        "model": loop_model(),
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "go"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "echo",
                    "description": "Return the text.",
                    "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
                },
            }
        ],
    }
    times = []
    async with aiohttp.ClientSession() as http:
        for _ in range(calls):
            t0 = time.perf_counter()
            async with http.post(fake + "/v1/chat/completions", json=body) as resp:
                await resp.read()
            times.append(time.perf_counter() - t0)
    return statistics.median(times[calls // 4 :]) * 1000


def _median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the headline figures over repeated invocations."""
    out: dict[str, Any] = {}
    for system in ("OpenIntern", "LangGraph (AsyncPostgresSaver)", "LangGraph (no checkpointer)"):
        rows = [r[system] for r in results if system in r]
        if rows:
            out[system] = {
                k: round(statistics.median(r[k] for r in rows), 2)
                for k in ("tool_steps_per_s", "llm_calls_per_s", "runs_per_s", "wall_s")
            }
    for k in ("ratio_vs_langgraph_postgres", "ratio_vs_langgraph_no_checkpointer"):
        vals = [r[k] for r in results if k in r]
        if vals:
            out[k] = round(statistics.median(vals), 2)
    return out
