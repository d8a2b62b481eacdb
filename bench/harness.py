"""Shared bench plumbing: start a real `openintern serve`, a loopback load generator, percentiles."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ADMIN_PASSWORD = "bench-admin-password"
PID_FILE = "/tmp/openintern-bench-serve.pid"  # for profilers


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _bench_shared_buffers_mb() -> int:
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return min(max(ram_mb // 8, 128), 4096)


SHARED_BUFFERS_MB = _bench_shared_buffers_mb()
"""The embedded server's shared_buffers in every workload: RAM/8, at most 4 GB, as the
server sized itself before issue 23 (it now sizes for its data, and a workload's data
arrives after the start), so that the figures in RESULTS.md stay comparable."""
SHARED_BUFFERS_ENV = {"OPENINTERN_DATABASE__EMBEDDED_SHARED_BUFFERS_MB": str(SHARED_BUFFERS_MB)}


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    ready_s: float


@contextmanager
def serve(data_dir: Path, port: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run `openintern serve` as a real process; yields once /ready answers ok."""
    full_env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "OPENINTERN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        **SHARED_BUFFERS_ENV,
    }
    full_env.update(env or {})
    started = time.perf_counter()
    log_path = os.environ.get("BENCH_SERVE_LOG")  # append the server's output there (errors, 5xx)
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "openintern", "serve"],
        # (the pid is written for profilers: py-spy record --pid $(cat /tmp/openintern-bench-serve.pid))
        env=full_env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )
    Path(PID_FILE).write_text(str(proc.pid))
    base = f"http://127.0.0.1:{port}"
    try:
        ready = asyncio.run(wait_ready(base, started))
        yield Server(base, proc, ready)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not None:
            log.close()


async def wait_ready(base: str, started: float, timeout_s: float = 60) -> float:
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() - started < timeout_s:
            try:
                async with http.get(base + "/ready") as resp:
                    if resp.status == 200:
                        return time.perf_counter() - started
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.02)
    raise TimeoutError(f"{base} not ready after {timeout_s}s")


async def login(http: aiohttp.ClientSession, base: str) -> str:
    async with http.post(
        base + "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    ) as resp:
        resp.raise_for_status()
        return str((await resp.json())["access_token"])


async def closed_loop(
    concurrency: int, total: int, one: Callable[[], Awaitable[None]]
) -> tuple[list[float], float]:
    """`concurrency` clients each issue requests back to back until `total` are done."""
    latencies: list[float] = []
    remaining = [total]

    async def client() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            t0 = time.perf_counter()
            await one()
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, time.perf_counter() - t0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fake_llm(port: int) -> Iterator[str]:
    """The fake OpenAI/Anthropic server as a process of its own; yields its base URL."""
    with fake_llm_process(port) as (base, _proc):
        yield base


@contextmanager
def fake_llm_process(port: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`fake_llm`, also yielding the process (for CPU accounting)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "openintern", "dev", "fake-llm", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_up(base + "/v1/models"))
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _wait_up(url: str, timeout_s: float = 20) -> None:
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() - started < timeout_s:
            try:
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{url} did not come up")


# --- runs over the HTTP API (W1, W2, W3) --------------------------------------------------

TERMINAL = frozenset({"completed", "failed", "cancelled"})
TERMINAL_EVENTS = frozenset({"run.completed", "run.failed", "run.cancelled"})


def llm_env(fake_url: str, concurrency: int, **extra: str) -> dict[str, str]:
    """`openintern serve`'s environment for a benchmark against the fake LLM."""
    return {
        "LLM_PROVIDER": "openai",
        "LLM_BASE_URL": fake_url + "/v1",
        "LLM_API_KEY": "bench",
        "LLM_MODEL": "fake/echo",
        "OPENINTERN_RUNTIME__WORKER_CONCURRENCY": str(concurrency),
        **extra,
    }


async def submit(
    http: aiohttp.ClientSession,
    base: str,
    auth: dict[str, str],
    body: Mapping[str, Any],
    path: str = "/api/runs",
) -> str:
    async with http.post(base + path, json=body, headers=auth) as resp:
        if resp.status != 201:
            raise AssertionError(f"POST {path} answered {resp.status}: {await resp.text()}")
        return str((await resp.json())["run_id"])


async def follow_sse(
    http: aiohttp.ClientSession,
    base: str,
    auth: dict[str, str],
    run_id: str,
    on_event: Callable[[dict[str, Any], float], None] | None = None,
    timeout_s: float = 120,
) -> str:
    """Read the run's SSE stream until its terminal event; returns that event's type.
    ``on_event(event, received_wall_clock)`` sees every event."""
    import json

    headers = {**auth, "Accept": "text/event-stream"}
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with http.get(f"{base}/api/runs/{run_id}/stream", headers=headers, timeout=timeout) as resp:
        if resp.status != 200:
            raise AssertionError(f"GET /stream answered {resp.status}: {await resp.text()}")
        rest = b""
        # The receive time is taken when a read returns, before its lines are parsed: with
        # 100 streams in one client process, timing each line after the ones before it
        # were parsed would add the client's own parsing to the latency it measures.
        async for data in resp.content.iter_any():
            received = time.time()
            lines = (rest + data).split(b"\n")
            rest = lines.pop()
            for raw in lines:
                if not raw.startswith(b"data:"):
                    continue
                event = json.loads(raw[5:])
                if on_event is not None:
                    on_event(event, received)
                if event["type"] in TERMINAL_EVENTS:
                    return str(event["type"])
    raise AssertionError(f"run {run_id}: the stream ended before a terminal event")


async def run_status(http: aiohttp.ClientSession, base: str, auth: dict[str, str], run_id: str) -> str:
    async with http.get(f"{base}/api/runs/{run_id}", headers=auth) as resp:
        resp.raise_for_status()
        return str((await resp.json())["status"])


async def wait_terminal(
    http: aiohttp.ClientSession,
    base: str,
    auth: dict[str, str],
    run_id: str,
    *,
    first_s: float = 0.05,
    max_s: float = 0.5,
    timeout_s: float = 120,
) -> str:
    """Poll GET /api/runs/{id} with a growing back-off (50 ms doubling to 500 ms) until the
    status is terminal."""
    deadline = time.monotonic() + timeout_s
    delay = first_s
    while time.monotonic() < deadline:
        status = await run_status(http, base, auth, run_id)
        if status in TERMINAL:
            return status
        await asyncio.sleep(delay)
        delay = min(max_s, delay * 2)
    raise TimeoutError(f"run {run_id} not terminal after {timeout_s}s")


async def until_idle(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], poll_s: float = 0.05, timeout_s: float = 300
) -> None:
    """Until no run is queued or running (one small list request every ``poll_s``)."""
    active = [("status", "queued"), ("status", "running"), ("limit", "1")]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            async with http.get(base + "/api/runs", params=active, headers=auth) as resp:
                if not (await resp.json())["items"]:
                    return
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
            pass  # a pooled connection the server closed after its 5 s keep-alive: poll again
        await asyncio.sleep(poll_s)
    raise TimeoutError("runs still active after the benchmark's time limit")


def persisted(data_dir: Path, database: str = "openintern") -> dict[str, int]:
    """Counts straight from the embedded PostgreSQL (joins the server, or starts it again)."""
    import psycopg

    from openintern.db.embedded import start_embedded
    from openintern.db.engine import libpq_conninfo

    with psycopg.connect(
        libpq_conninfo(start_embedded(data_dir, database=database, shared_buffers_mb=SHARED_BUFFERS_MB))
    ) as conn:
        out = {}
        for name, sql in {
            "runs": "SELECT count(*) FROM runs",
            "runs_completed": "SELECT count(*) FROM runs WHERE status = 'completed'",
            "events": "SELECT count(*) FROM run_events",
            "checkpoints": "SELECT count(*) FROM checkpoints",
            "events_gap_free_runs": "SELECT count(*) FROM (SELECT run_id FROM run_events GROUP BY run_id "
            "HAVING max(seq) = count(*) AND min(seq) = 1) g",
            "last_seq_matches": "SELECT count(*) FROM runs r WHERE r.last_seq = "
            "(SELECT count(*) FROM run_events e WHERE e.run_id = r.id)",
        }.items():
            row = conn.execute(sql).fetchone()
            out[name] = int(row[0]) if row else 0
    return out


def load_average() -> str:
    """The 1-minute load average (other engineers' test suites share the machine)."""
    return f"{os.getloadavg()[0]:.2f}"


# --- CPU accounting by process tree ---------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float, str]]:
    """pid → (ppid, cpu seconds user+system, comm) for every process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, comm)
    return table


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (e.g. `serve`'s worker processes)."""
    return sorted(child for child, (ppid, _cpu, _comm) in _proc_table().items() if ppid == pid)


def postmaster_pid(data_dir: Path) -> int:
    """The embedded PostgreSQL's postmaster (it is not a child of `serve`)."""
    for pid_file in (data_dir / "pg").rglob("postmaster.pid"):
        return int(pid_file.read_text().split()[0])
    raise FileNotFoundError(f"no postmaster.pid under {data_dir / 'pg'}")


def cpu_by_tree(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each labelled process and its descendants (a process under
    several roots counts for the nearest one; backends that exited in between are lost,
    pooled connections are not), and ``machine_busy``: every core's busy time, all
    processes of the machine included (other engineers' test suites too)."""
    table = _proc_table()
    label_of = {pid: label for label, pid in roots.items()}
    out = dict.fromkeys(roots, 0.0)
    for pid, (_ppid, cpu, _comm) in table.items():
        cur, seen = pid, 0
        while cur in table and seen < 64:
            if cur in label_of:
                out[label_of[cur]] += cpu
                break
            cur, seen = table[cur][0], seen + 1
    with open("/proc/stat") as fh:
        parts = fh.readline().split()[1:]
    out["machine_busy"] = (sum(int(p) for p in parts) - int(parts[3]) - int(parts[4])) / _TICK
    return out


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(after[k] - before.get(k, 0.0), 2) for k in after}
