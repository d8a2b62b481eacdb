"""The subprocess sandbox: exit codes, captured output, limits, process-group kills, env.

No database: the sandbox is pure process management. These tests start real
subprocesses (sh, python) and check on them through /proc, so they need Linux.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import time
import uuid
from contextlib import suppress
from pathlib import Path

import pytest

from openintern.tools import SandboxLimits, network_isolation, run_sandboxed, sandbox_isolation
from openintern.tools._process import capped_rlimit

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox targets Linux")

FAST = SandboxLimits(wall_timeout_s=10)


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a killed, not yet reaped process)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


async def _gone(*pids: int, within_s: float = 5) -> bool:
    deadline = time.monotonic() + within_s
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _started(path: Path, count: int) -> None:
    """Wait until the run has written `count` pids (of its own pid namespace) to `path`."""
    for _ in range(500):
        if path.exists() and len(path.read_text().split()) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never held {count} pids")


def _host_pids(marker: str) -> list[int]:
    """The host's pids of every process whose command line holds `marker` (a confined run's
    pids are those of its own pid namespace, so the test finds them from outside)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    found.append(int(entry.name))
    return found


def _spawn() -> tuple[str, str]:
    """A shell that starts a sleeping child, records both pids and waits on the child; and
    the marker (a unique extra second fraction for `sleep`) that finds them on the host."""
    marker = f"0.{uuid.uuid4().int % 10**9:09d}"
    return f"sleep 300 {marker} & echo $! > pids; echo $$ >> pids; wait", marker


class TestRunning:
    async def test_exit_code_and_output(self) -> None:
        result = await run_sandboxed(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], limits=FAST)
        assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
        assert not result.timed_out and not result.killed and result.duration_ms >= 0

    async def test_python_code_runs_in_its_own_temp_dir(self) -> None:
        result = await run_sandboxed("import os; print(os.getcwd() == os.environ['HOME'])", limits=FAST)
        assert result.stdout == "True\n"
        assert "openintern-sandbox-" in (await run_sandboxed("import os; print(os.getcwd())")).stdout

    async def test_cwd_and_stdin(self, tmp_path: Path) -> None:
        (tmp_path / "here.txt").write_text("x")
        result = await run_sandboxed(
            ["/bin/sh", "-c", "ls; cat"], cwd=tmp_path, stdin="from stdin", limits=FAST
        )
        assert result.stdout == "here.txt\nfrom stdin"

    async def test_background_children_do_not_outlive_the_run(self, tmp_path: Path) -> None:
        marker = f"0.{uuid.uuid4().int % 10**9:09d}"
        started = time.monotonic()
        result = await run_sandboxed(
            ["/bin/sh", "-c", f"sleep 300 {marker} & echo $! > pids"], cwd=tmp_path, limits=FAST
        )
        assert result.exit_code == 0 and time.monotonic() - started < 5
        await _started(tmp_path / "pids", 1)
        assert await _gone(*_host_pids(marker)) and not _host_pids(marker)


class TestLimits:
    async def test_timeout_kills_the_whole_process_group(self, tmp_path: Path) -> None:
        spawn, marker = _spawn()
        task = asyncio.create_task(
            run_sandboxed(["/bin/sh", "-c", spawn], cwd=tmp_path, limits=SandboxLimits(wall_timeout_s=2))
        )
        await _started(tmp_path / "pids", 2)
        pids = _host_pids(marker)
        assert len(pids) >= 2  # the shell and its sleep (and, confined, bwrap's processes)
        result = await task
        assert result.timed_out and result.killed and result.exit_code == -9
        assert await _gone(*pids) and not _host_pids(marker)

    async def test_memory_limit(self) -> None:
        limits = SandboxLimits(wall_timeout_s=10, memory_bytes=256 * 1024 * 1024)
        result = await run_sandboxed("x = bytearray(600 * 1024 * 1024)", limits=limits)
        assert result.exit_code == 1 and "MemoryError" in result.stderr

    async def test_cpu_limit_ends_a_busy_loop_before_the_wall_clock(self) -> None:
        result = await run_sandboxed(
            "while True: pass", limits=SandboxLimits(wall_timeout_s=20, cpu_seconds=1)
        )
        assert result.killed and not result.timed_out and result.duration_ms < 10_000

    async def test_file_size_limit(self) -> None:
        limits = SandboxLimits(wall_timeout_s=10, file_size_bytes=1024)
        result = await run_sandboxed(["/bin/sh", "-c", "head -c 4096 /dev/zero > big"], limits=limits)
        assert result.exit_code != 0

    async def test_output_is_truncated_with_a_marker(self) -> None:
        limits = SandboxLimits(wall_timeout_s=10, max_output_bytes=100)
        result = await run_sandboxed("print('x' * 100_000)", limits=limits)
        assert result.stdout.startswith("x" * 100 + "\n[… output truncated: 99,901 more bytes left out]")
        assert result.stdout_truncated and not result.stderr_truncated and result.exit_code == 0


class TestIsolation:
    async def test_cancellation_kills_the_process_group(self, tmp_path: Path) -> None:
        spawn, marker = _spawn()
        task = asyncio.create_task(run_sandboxed(["/bin/sh", "-c", spawn], cwd=tmp_path, limits=FAST))
        await _started(tmp_path / "pids", 2)
        pids = _host_pids(marker)
        assert len(pids) >= 2 and all(_alive(p) for p in pids)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await _gone(*pids) and not _host_pids(marker)

    async def test_environment_carries_no_secrets(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OPENINTERN_FAKE_SECRET", "s3cr3t-value")
        result = await run_sandboxed(["/usr/bin/env"], limits=FAST)
        names = {line.split("=", 1)[0] for line in result.stdout.splitlines()}
        assert "s3cr3t-value" not in result.stdout
        assert names <= {"PATH", "HOME", "TMPDIR", "LANG", "PWD"}  # bwrap sets PWD, the workspace

    async def test_extra_env_is_passed(self) -> None:
        result = await run_sandboxed(["/bin/sh", "-c", "echo $GREETING"], env={"GREETING": "hi"}, limits=FAST)
        assert result.stdout == "hi\n"

    async def test_network_isolation_is_reported_and_effective(self) -> None:
        # Confined, bwrap cuts the network itself; the unshare probe is the unconfined fallback's.
        confined = (await sandbox_isolation()).confined
        isolation = await network_isolation()
        cut = confined or isolation.active
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        code = (
            f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2); print('connected')"
        )
        async with server:
            isolated = await run_sandboxed(code, limits=FAST)
            allowed = await run_sandboxed(code, limits=SandboxLimits(wall_timeout_s=10, allow_network=True))
        assert isolated.network_isolated is cut
        assert not allowed.network_isolated and allowed.stdout == "connected\n"
        if not cut:
            pytest.skip(f"no network isolation on this host: {isolation.detail}")
        assert isolated.exit_code != 0 and "connected" not in isolated.stdout

    async def test_network_isolation_probe_is_cached(self) -> None:
        assert await network_isolation() is await network_isolation()


def test_limits_never_raise_a_hard_limit_above_the_servers() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    expected = 10**9 if hard == resource.RLIM_INFINITY else hard
    assert capped_rlimit(resource.RLIMIT_NOFILE, 10**9) == expected
