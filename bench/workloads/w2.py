"""W2 concurrency: 1,000 runs x 2 LLM calls of 500 ms each (``fake/loop?tool=echo&n=1&
latency_ms=500``: one tool call, then the answer), all submitted at once to one
`openintern serve` with worker concurrency 1,000.

Submission is concurrent (aiohttp, up to ``SUBMIT_CONNECTIONS`` requests in flight): one
``POST /api/runs`` per run (``--submit single``, the default) or ``POST /api/runs/batch``
with ``BATCH`` runs per request, all batches at once (``--submit batch``).
``--worker-processes N`` sets ``server.worker_processes`` (default: serve's own choice). The
figure is the wall time from the first submit to the last run's completion, taken from the
database (``max(finished_at)``, same machine clock) so the completion poll's period does not
count; the poll (one small list request every 50 ms) only tells the client when to look.
The floor is 1.0 s (two sequential 500 ms calls per run).
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
    child_pids,
    cpu_by_tree,
    cpu_delta,
    fake_llm_process,
    free_port,
    load_average,
    login,
    postmaster_pid,
    serve,
    submit,
    until_idle,
)

RUNS, LATENCY_MS = 1000, 500
SUBMIT_CONNECTIONS = 200
BATCH = 100
POOL = {"OPENINTERN_DATABASE__POOL_SIZE": "40", "OPENINTERN_DATABASE__MAX_OVERFLOW": "40"}


def run(args: Any) -> dict[str, Any]:
    repeat = getattr(args, "repeat", 1) or 1
    submit_mode = getattr(args, "submit", "single")
    processes = getattr(args, "worker_processes", None)
    results = [once(submit_mode=submit_mode, worker_processes=processes) for _ in range(repeat)]
    if repeat == 1:
        return results[0]
    return {"runs": results, "median_wall_s": round(statistics.median(r["wall_s"] for r in results), 2)}


def once(
    runs: int = RUNS,
    latency_ms: int = LATENCY_MS,
    *,
    submit_mode: str = "single",
    worker_processes: int | None = None,
) -> dict[str, Any]:
    from openintern.db.embedded import stop_embedded
    from openintern.runtime.processes import default_count

    processes = default_count() if worker_processes is None else worker_processes
    env = {**POOL, "OPENINTERN_SERVER__WORKER_PROCESSES": str(processes)}
    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(free_port()) as (fake, fake_proc):
        data = Path(tmp) / "data"
        load = load_average()
        with serve(data, free_port(), harness.llm_env(fake, runs, **env)) as srv:
            roots = {
                "serve": srv.process.pid,
                "fake_llm": fake_proc.pid,
                "postgres": postmaster_pid(data),
                "load_generator": os.getpid(),
            }
            # serve's own CPU is the API's; its worker processes are counted apart
            for i, pid in enumerate(child_pids(srv.process.pid)):
                roots[f"worker_process_{i}"] = pid
            out = asyncio.run(_w2(srv.base_url, runs, latency_ms, roots, submit_mode))
        try:
            out.update(_from_db(data, out.pop("t0_unix")))
        finally:
            stop_embedded()
    out["wall_s"] = out["wall_db_s"]
    return {
        "load_avg_before": load,
        "runs": runs,
        "llm_calls": runs * 2,
        "submit": submit_mode,
        "worker_processes": processes,
        "pool": "40 + 40",
        **out,
    }


async def _submit_batches(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], runs: int, body: dict[str, Any]
) -> None:
    async def one(n: int) -> None:
        async with http.post(base + "/api/runs/batch", json={"runs": [body] * n}, headers=auth) as resp:
            if resp.status != 201:
                raise AssertionError(f"POST /api/runs/batch answered {resp.status}: {await resp.text()}")
            await resp.read()

    await asyncio.gather(*(one(min(BATCH, runs - i)) for i in range(0, runs, BATCH)))


async def _w2(
    base: str, runs: int, latency_ms: int, roots: dict[str, int], submit_mode: str
) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=SUBMIT_CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        warm = {
            "input": "warm-up",
            "model": f"fake/loop?tool=echo&n=1&latency_ms={latency_ms}",
            "tools": ["echo"],
        }
        await asyncio.gather(*(submit(http, base, auth, warm) for _ in range(20)))
        await until_idle(http, base, auth)
        body = {**warm, "input": "go"}
        cpu0 = cpu_by_tree(roots)
        t0_unix = time.time()
        started = time.perf_counter()
        if submit_mode == "batch":
            await _submit_batches(http, base, auth, runs, body)
        else:
            await asyncio.gather(*(submit(http, base, auth, body) for _ in range(runs)))
        submitted = time.perf_counter() - started
        await until_idle(http, base, auth)
        polled = time.perf_counter() - started
        cpu = cpu_delta(cpu0, cpu_by_tree(roots))
    return {
        "t0_unix": t0_unix,
        "submit_s": round(submitted, 2),
        "wall_polled_s": round(polled, 2),
        "cpu_s": cpu,
    }


_PHASE_NAMES = (
    "created -> claimed",
    "claimed -> 1st llm.started",
    "1st llm.started -> llm.called",
    "1st llm.called -> 2nd llm.started",
    "2nd llm.started -> llm.called",
    "2nd llm.called -> finished",
)
# Where a run's time goes: each phase's p50 and p95 over the runs, from the event log's
# timestamps (one worker clock) and the run row's.
_PHASES = (
    """
WITH t AS (
  SELECT r.created_at, r.started_at, r.finished_at,
         (array_agg(e.ts ORDER BY e.seq) FILTER (WHERE e.type = 'llm.started')) AS s,
         (array_agg(e.ts ORDER BY e.seq) FILTER (WHERE e.type = 'llm.called')) AS c
    FROM runs r JOIN run_events e ON e.run_id = r.id
   WHERE r.input->>'text' = 'go' GROUP BY r.id),
d AS (SELECT ARRAY[started_at - created_at, s[1] - started_at, c[1] - s[1], s[2] - c[1], c[2] - s[2],
                   finished_at - c[2]] AS ph FROM t)
SELECT """
    + ", ".join(
        f"concat(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ph[{i}]))::numeric, 3), ' / ',"
        f" round(percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM ph[{i}]))::numeric, 3))"
        for i in range(1, 7)
    )
    + " FROM d"
)


def _from_db(data: Path, t0_unix: float) -> dict[str, Any]:
    import psycopg

    from openintern.db.embedded import start_embedded
    from openintern.db.engine import libpq_conninfo

    with psycopg.connect(
        libpq_conninfo(start_embedded(data, shared_buffers_mb=harness.SHARED_BUFFERS_MB))
    ) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status <> 'completed'),"
            " extract(epoch FROM max(finished_at)),"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)),"
            " max(extract(epoch FROM finished_at - created_at))"
            " FROM runs WHERE input->>'text' = 'go'"
        ).fetchone()
        assert row is not None
        phases = conn.execute(_PHASES).fetchone()
    completed, other, last, p50, worst = row
    if other:
        raise AssertionError(f"W2: {other} runs did not complete")
    return {
        "phases_p50_p95_s": dict(zip(_PHASE_NAMES, phases or (), strict=False)),
        "completed": int(completed),
        "wall_db_s": round(float(last) - t0_unix, 2),
        "run_duration_p50_s": round(float(p50), 2),
        "run_duration_max_s": round(float(worst), 2),
    }
