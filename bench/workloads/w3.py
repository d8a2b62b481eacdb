"""W3 streaming latency: 100 runs streaming at once, 100 concurrent SSE clients.

The fake LLM emits ~50 deltas per run, ``chunk_delay_ms`` apart, each stamped with its
emission wall-clock time (``stamp: true`` → ``⟦ts=…⟧``). The client records, for every
stamp in every ``llm.token`` delta it receives (the runtime coalesces deltas that arrive
within ``TOKEN_FLUSH_DELAY_S``, so one delta may carry several stamps), receive time −
stamp, on the same machine clock.

Two figures: ``first_token_ms`` holds every stream's first token until all runs exist, are
claimed and have their client connected (100 runs *streaming* at once: the target), and
with 0 the same measurement also includes the burst of creating 100 runs and opening 100
streams at the same moment. Each is measured on a second identical round (the first warms
pools and lazy imports, as a server in service would be).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bench import harness
from bench.harness import (
    child_pids,
    cpu_by_tree,
    cpu_delta,
    fake_llm_process,
    follow_sse,
    free_port,
    load_average,
    login,
    percentile,
    postmaster_pid,
    serve,
    submit,
)
from openintern.cli import aio

RUNS, DELTAS, CHUNK_DELAY_MS, HOLD_MS = 100, 50, 20, 1500


def run(args: Any) -> dict[str, Any]:
    repeat = getattr(args, "repeat", 1) or 1
    out: dict[str, Any] = {}
    for i in range(repeat):
        suffix = f" #{i + 1}" if repeat > 1 else ""
        out[f"100 streaming at once{suffix}"] = once(first_token_ms=HOLD_MS)
        out[f"including the creation burst{suffix}"] = once(first_token_ms=0)
    return out


def once(
    runs: int = RUNS,
    deltas: int = DELTAS,
    chunk_delay_ms: int = CHUNK_DELAY_MS,
    first_token_ms: int = HOLD_MS,
) -> dict[str, Any]:
    from openintern.db.embedded import stop_embedded

    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(free_port()) as (fake, fake_proc):
        data = Path(tmp) / "data"
        load = load_average()
        try:
            with serve(data, free_port(), harness.llm_env(fake, runs)) as srv:
                roots = {
                    "serve": srv.process.pid,
                    "fake_llm": fake_proc.pid,
                    "postgres": postmaster_pid(data),
                    "load_generator": os.getpid(),
                }
                # serve's own CPU is the API's (SSE); its worker processes are counted apart
                for i, pid in enumerate(child_pids(srv.process.pid)):
                    roots[f"worker_process_{i}"] = pid
                # the 100 SSE clients on uvloop, as the server's processes are: a client
                # spending less of the two cores leaves them to what is being measured
                lat, per_delta, cpu = aio.run(
                    _w3(srv.base_url, fake, runs, deltas, chunk_delay_ms, first_token_ms, roots)
                )
        finally:
            stop_embedded()
    return {
        "load_avg_before": load,
        "stamps_measured": len(lat),
        "stamps_per_received_delta": round(len(lat) / max(1, per_delta), 2),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p90_ms": round(percentile(lat, 90) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat) * 1000, 1),
        "cpu_s": cpu,
    }


async def _w3(
    base: str,
    fake: str,
    runs: int,
    deltas: int,
    chunk_delay_ms: int,
    first_token_ms: int,
    roots: dict[str, int],
) -> tuple[list[float], int, dict[str, float]]:
    from openintern.testing import parse_stamps

    connector = aiohttp.TCPConnector(limit=2 * runs + 10)
    async with aiohttp.ClientSession(connector=connector) as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        reply = {"text": "tok " * deltas, "chunk_size": 4, "chunk_delay_ms": chunk_delay_ms, "stamp": True}
        script = {"replies": [{**reply, "latency_ms": first_token_ms}]}
        async with http.post(fake + "/_fake/scripts", json=script) as resp:
            model = (await resp.json())["model"]
        latencies: list[float] = []
        received = [0]

        def on_event(event: dict[str, Any], at: float) -> None:
            if event["type"] == "llm.token":
                received[0] += 1
                latencies.extend(at - stamp for stamp in parse_stamps(event["payload"]["delta"]))

        async def one() -> None:
            run_id = await submit(http, base, auth, {"input": "stream", "model": model})
            kind = await follow_sse(http, base, auth, run_id, on_event)
            assert kind == "run.completed", kind

        cpu0: dict[str, float] = {}
        for _round in ("warm-up", "measured"):
            latencies.clear()
            received[0] = 0
            cpu0 = cpu_by_tree(roots)
            await asyncio.gather(*(one() for _ in range(runs)))
        if len(latencies) != runs * deltas:
            raise AssertionError(f"W3: {len(latencies)} stamps received, {runs * deltas} emitted")
        return latencies, received[0], cpu_delta(cpu0, cpu_by_tree(roots))
