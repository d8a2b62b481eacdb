"""Shared bench plumbing: start a real `openintern serve`, a loopback load generator, percentiles."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
    }
    full_env.update(env or {})
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openintern", "serve"],
        # (the pid is written for profilers: py-spy record --pid $(cat /tmp/openintern-bench-serve.pid))
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
    proc = subprocess.Popen(
        [sys.executable, "-m", "openintern.testing.fake_llm", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_up(base + "/v1/models"))
        yield base
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
