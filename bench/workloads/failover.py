"""Failover: how long a run waits after ``kill -9`` of the worker holding it.

One `openintern serve` (the API, and two worker processes as its children, one embedded
PostgreSQL), the fake LLM in its own process, default lease settings. Each round starts a
slow run (``fake/loop?tool=echo&n=500&latency_ms=200``: a tool step every ~0.2 s), waits
for its first tool result, kills the worker process that holds its lease (read from the
database) with SIGKILL, and times the kill to the first ``run.resumed`` event of the run
(read back through the API, polled every 20 ms), then cancels it. ``KILLS`` rounds;
median and max. serve restarts the killed worker after its back-off; a round starts only
when both workers are up again.

The floor is the lease: a run's lease lapses ``lease_s`` after its last renewal (every
``heartbeat_s``), then an idle worker claims it at its next poll (a quarter of the lease).
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import (
    SHARED_BUFFERS_MB,
    child_pids,
    fake_llm_process,
    free_port,
    llm_env,
    load_average,
    login,
    serve,
    submit,
)

KILLS = 5
SLOW = {"input": "slow", "model": "fake/loop?tool=echo&n=500&latency_ms=200", "tools": ["echo"]}


def run(args: Any) -> dict[str, Any]:
    from openintern.config import RuntimeSettings
    from openintern.db.embedded import stop_embedded

    defaults = RuntimeSettings()
    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(free_port()) as (fake, _proc):
        data = Path(tmp) / "data"
        load = load_average()
        env = llm_env(fake, 50, OPENINTERN_SERVER__WORKER_PROCESSES="2")
        with serve(data, free_port(), env) as srv:
            times = asyncio.run(_rounds(srv.base_url, srv.process.pid, data))
        stop_embedded()
    return {
        "kills": KILLS,
        "resume_after_kill_s": [round(t, 2) for t in times],
        "median_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "lease_s": defaults.lease_s,
        "heartbeat_s": defaults.heartbeat_s,
        "load_before": load,
    }


async def _rounds(base: str, serve_pid: int, data: Path) -> list[float]:
    times = []
    async with aiohttp.ClientSession() as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        for _ in range(KILLS):
            await _until(lambda: len(child_pids(serve_pid)) >= 2, "two worker processes")
            run_id = await submit(http, base, auth, SLOW)
            await _until_event(http, base, auth, run_id, "tool.result")
            victim = _lease_owner_pid(data, run_id)
            os.kill(victim, signal.SIGKILL)
            killed = time.perf_counter()
            await _until_event(http, base, auth, run_id, "run.resumed", period=0.02)
            times.append(time.perf_counter() - killed)
            async with http.post(f"{base}/api/runs/{run_id}/cancel", headers=auth) as resp:
                resp.raise_for_status()
    return times


def _lease_owner_pid(data: Path, run_id: str) -> int:
    import psycopg

    from openintern.db.embedded import start_embedded
    from openintern.db.engine import libpq_conninfo

    with psycopg.connect(
        libpq_conninfo(start_embedded(data, database="openintern", shared_buffers_mb=SHARED_BUFFERS_MB))
    ) as conn:
        row = conn.execute("SELECT lease_owner FROM runs WHERE id = %s", (run_id,)).fetchone()
    assert row is not None and row[0], f"run {run_id} has no lease owner"
    return int(str(row[0]).split(":")[1])  # host:pid:suffix


async def _until_event(
    http: aiohttp.ClientSession,
    base: str,
    auth: dict[str, str],
    run_id: str,
    type_: str,
    period: float = 0.1,
    timeout_s: float = 60,
) -> None:
    url = f"{base}/api/runs/{run_id}/events"
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        async with http.get(url, params={"type": type_, "limit": "1"}, headers=auth) as resp:
            if resp.status == 200 and (await resp.json())["events"]:
                return
        await asyncio.sleep(period)
    raise TimeoutError(f"no {type_} event in run {run_id} after {timeout_s} s")


async def _until(predicate: Any, what: str, timeout_s: float = 60) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
