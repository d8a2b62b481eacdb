"""The run engine through the public HTTP API of one `openintern serve`, with the fake LLM
in a process of its own (so neither steals the other's GIL).

W1 overhead:    200 runs x 5 tool steps, LLM latency 0 ms, 50 in flight.
W2 concurrency: 1,000 runs x 2 LLM calls of 500 ms each, all submitted at once.
W3 streaming:   100 runs streaming at once; latency from the fake LLM emitting a token
                (a wall-clock stamp inside the delta) to an SSE client receiving it.

"In flight" is the worker's concurrency (``OPENINTERN_RUNTIME__WORKER_CONCURRENCY``): every
run is submitted up front and the worker never holds more than that many at once, so the
load generator's own requests do not compete with the runs for the server's CPU.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import fake_llm, free_port, login, percentile, serve

ACTIVE = [("status", "queued"), ("status", "running"), ("limit", "1")]
POLL_S = 0.05  # how often the load generator asks "is anything still active?"


def _env(fake_url: str, concurrency: int, **extra: str) -> dict[str, str]:
    return {
        "LLM_PROVIDER": "openai",
        "LLM_BASE_URL": fake_url + "/v1",
        "LLM_API_KEY": "bench",
        "LLM_MODEL": "fake/echo",
        "OPENINTERN_RUNTIME__WORKER_CONCURRENCY": str(concurrency),
        **extra,
    }


async def _submit_all(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], bodies: list[dict[str, Any]]
) -> list[str]:
    async def one(body: dict[str, Any]) -> str:
        async with http.post(base + "/api/runs", json=body, headers=auth) as resp:
            assert resp.status == 201, await resp.text()
            return str((await resp.json())["run_id"])

    return list(await asyncio.gather(*(one(b) for b in bodies)))


async def _until_idle(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], timeout_s: float = 300
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        async with http.get(base + "/api/runs", params=ACTIVE, headers=auth) as resp:
            if not (await resp.json())["items"]:
                return
        await asyncio.sleep(POLL_S)
    raise TimeoutError("runs still active after the benchmark's time limit")


async def _statuses(http: aiohttp.ClientSession, base: str, auth: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in ("completed", "failed", "cancelled"):
        async with http.get(
            base + "/api/runs", params={"status": status, "limit": "500"}, headers=auth
        ) as resp:
            counts[status] = len((await resp.json())["items"])
    return counts


async def _warm_up(http: aiohttp.ClientSession, base: str, auth: dict[str, str]) -> None:
    """One run first: the first step of a process imports the SDK and opens pools."""
    await _submit_all(http, base, auth, [{"input": "warm-up"}])
    await _until_idle(http, base, auth)


def _persisted(data_dir: Path) -> dict[str, int]:
    import psycopg

    from openintern.db.embedded import start_embedded
    from openintern.db.engine import libpq_conninfo

    url = start_embedded(data_dir)
    with psycopg.connect(libpq_conninfo(url)) as conn:
        events = conn.execute("SELECT count(*) FROM run_events").fetchone()
        checkpoints = conn.execute("SELECT count(*) FROM checkpoints").fetchone()
    return {
        "events": int(events[0]) if events else 0,
        "checkpoints": int(checkpoints[0]) if checkpoints else 0,
    }


# --- W1 ---------------------------------------------------------------------------------


def w1(runs: int = 200, steps: int = 5, in_flight: int = 50, stream: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, fake_llm(free_port()) as fake:
        data = Path(tmp) / "data"
        with serve(data, free_port(), _env(fake, in_flight)) as srv:
            wall = asyncio.run(_w1(srv.base_url, runs, steps, stream))
        stored = _persisted(data)
    tool_steps = runs * steps
    return {
        "wall_s": round(wall, 3),
        "tool_steps_per_s": round(tool_steps / wall, 1),
        "llm_calls_per_s": round(runs * (steps + 1) / wall, 1),
        "runs_per_s": round(runs / wall, 1),
        # each of the 50 in-flight runs does one step after another, so a step takes
        # in_flight / steps_per_s; the fake answers in ~0 ms, so that is all runtime.
        "ms_per_step_per_run": round(in_flight / (runs * (steps + 1) / wall) * 1000, 2),
        "persisted_events": stored["events"],
        "persisted_checkpoints": stored["checkpoints"],
    }


async def _w1(base: str, runs: int, steps: int, stream: bool) -> float:
    async with aiohttp.ClientSession() as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        await _warm_up(http, base, auth)
        body = {"input": "go", "model": f"fake/loop?tool=echo&n={steps}", "tools": ["echo"], "stream": stream}
        started = time.perf_counter()
        await _submit_all(http, base, auth, [body] * runs)
        await _until_idle(http, base, auth)
        wall = time.perf_counter() - started
        counts = await _statuses(http, base, auth)
        assert counts["completed"] == runs + 1, counts
        return wall


# --- W2 ---------------------------------------------------------------------------------


def w2(runs: int = 1000, latency_ms: int = 500) -> dict[str, Any]:
    extra = {"OPENINTERN_DATABASE__POOL_SIZE": "40", "OPENINTERN_DATABASE__MAX_OVERFLOW": "40"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        fake_llm(free_port()) as fake,
        serve(Path(tmp) / "data", free_port(), _env(fake, runs, **extra)) as srv,
    ):
        wall, submit = asyncio.run(_w2(srv.base_url, runs, latency_ms))
    return {"wall_s": round(wall, 2), "submit_s": round(submit, 2), "runs": runs, "llm_calls": runs * 2}


async def _w2(base: str, runs: int, latency_ms: int) -> tuple[float, float]:
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        await _warm_up(http, base, auth)
        body = {"input": "go", "model": f"fake/loop?tool=echo&n=1&latency_ms={latency_ms}", "tools": ["echo"]}
        started = time.perf_counter()
        await _submit_all(http, base, auth, [body] * runs)
        submit = time.perf_counter() - started
        await _until_idle(http, base, auth)
        wall = time.perf_counter() - started
        counts = await _statuses(http, base, auth)
        assert counts["failed"] == 0 and counts["cancelled"] == 0, counts
        return wall, submit


# --- W3 ---------------------------------------------------------------------------------


def w3(
    runs: int = 100, deltas: int = 50, chunk_delay_ms: int = 20, first_token_ms: int = 1500
) -> dict[str, Any]:
    """``first_token_ms`` holds every stream's first token until all runs exist, are
    claimed and have their SSE client connected, so the figure is 100 runs *streaming*
    at once; with 0 it also includes the burst of creating them (reported separately)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        fake_llm(free_port()) as fake,
        serve(Path(tmp) / "data", free_port(), _env(fake, runs)) as srv,
    ):
        lat = asyncio.run(_w3(srv.base_url, fake, runs, deltas, chunk_delay_ms, first_token_ms))
    return {
        "tokens_measured": len(lat),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat) * 1000, 1),
    }


async def _w3(
    base: str, fake: str, runs: int, deltas: int, chunk_delay_ms: int, first_token_ms: int
) -> list[float]:
    connector = aiohttp.TCPConnector(limit=runs + 10)
    async with aiohttp.ClientSession(connector=connector) as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        await _warm_up(http, base, auth)
        reply = {"text": "tok " * deltas, "chunk_size": 4, "chunk_delay_ms": chunk_delay_ms, "stamp": True}
        script = {"replies": [{**reply, "latency_ms": first_token_ms}]}
        async with http.post(fake + "/_fake/scripts", json=script) as resp:
            model = (await resp.json())["model"]
        latencies: list[float] = []
        # Round 1 warms the server the way service does (pools at size, lazy imports done);
        # round 2, identical, is measured: W3 is about steady-state streaming latency.
        for measured in (False, True):
            latencies.clear()
            ids = await _submit_all(http, base, auth, [{"input": "stream", "model": model}] * runs)
            await asyncio.gather(*(_follow(http, base, auth, r, latencies) for r in ids))
            if measured:
                return latencies
        raise AssertionError("unreachable")


async def _follow(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], run_id: str, out: list[float]
) -> None:
    from openintern.testing import parse_stamps

    headers = {**auth, "Accept": "text/event-stream"}
    timeout = aiohttp.ClientTimeout(total=120)
    async with http.get(f"{base}/api/runs/{run_id}/stream", headers=headers, timeout=timeout) as resp:
        async for raw in resp.content:
            line = raw.decode().strip()
            if not line.startswith("data:"):
                continue
            received = time.time()
            event = json.loads(line[5:])
            if event["type"] == "llm.token":
                out.extend(received - stamp for stamp in parse_stamps(event["payload"]["delta"]))


def run(args: Any) -> dict[str, Any]:
    which = os.environ.get("BENCH_RUNS", "w1,w1-nostream,w2,w3").split(",")
    out: dict[str, Any] = {}
    if "w1" in which:
        out["W1 (streaming)"] = w1()
    if "w1-nostream" in which:
        out["W1 (stream: false)"] = w1(stream=False)
    if "w2" in which:
        out["W2"] = w2()
    if "w3" in which:
        out["W3 (100 streaming at once)"] = w3()
        out["W3 (including the creation burst)"] = w3(first_token_ms=0)
    return out
