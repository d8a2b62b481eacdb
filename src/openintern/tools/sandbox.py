"""Run untrusted commands and code in a confined subprocess, never in the server process.

The boundary (see `_confine` and docs/security.md): each run executes inside bubblewrap's
own mount, pid, ipc, uts (and, unless allowed, network) namespaces, where it sees only
its workspace and its own home read-write, the system read-only and a private /tmp —
never DATA_DIR, never another workspace — as an unprivileged user (``sandbox.uid`` when
the server is root). Where the host cannot provide that, `run_sandboxed` refuses with
`SandboxUnavailable` (unless ``sandbox.require_isolation`` is false: then it runs
unconfined, as before). The host is probed once per process and settings;
`sandbox_isolation` says what it found and every `SandboxResult` says what was active.

Within the boundary each run also gets its own temporary home (HOME, TMPDIR, and the cwd
unless a workspace is given), its own process group (a time-out or cancellation kills
every process it started; confined, the pid namespace ends with it too), rlimits on CPU,
address space, file size, processes and open files, a wall-clock limit, bounded
stdout/stderr, and an environment with nothing inherited (no secrets).
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from openintern.config import SandboxSettings
from openintern.errors import SandboxUnavailable, ToolFailed
from openintern.tools._confine import (
    SAFE_PATH,
    SandboxIsolation,
    bwrap_argv,
    check_workspace,
    hand_over,
    probe,
    python_binary,
)
from openintern.tools._process import ExitAwareProtocol, OutputCapture, capped_rlimit, feed, kill_group

PIPE_DRAIN_S = 1.0
"""After the process group is killed, how long to wait for its pipes to close: a process
that escaped the group (``setsid``) could keep them open forever."""

KILL_WAIT_S = 5.0
"""How long to wait for a SIGKILLed process to be reported dead (it is in a few ms)."""

_MiB = 1024 * 1024


@dataclass(frozen=True)
class SandboxLimits:
    """What one sandboxed run may use. Defaults suit shell one-liners and short scripts."""

    wall_timeout_s: float = 30.0
    cpu_seconds: int = 30
    # RLIMIT_AS bounds address space, not resident memory; runtimes that reserve large
    # virtual ranges up front (the JVM, Go, V8) need more than the 1 GiB that suits sh and Python.
    memory_bytes: int = 1024 * _MiB
    file_size_bytes: int = 64 * _MiB
    # RLIMIT_NPROC counts every process of the user (all sandboxes of this host share
    # sandbox.uid), so it is a fork-bomb brake rather than an exact count.
    max_processes: int = 512
    max_open_files: int = 256
    max_output_bytes: int = 64 * 1024
    allow_network: bool = False


@dataclass(frozen=True)
class SandboxResult:
    """How a sandboxed run ended. `exit_code` is negative (−signal) when a signal ended it.

    `confined` says the filesystem boundary was active and `isolation` how (or that it
    was not); `network_isolated` says the network was cut."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool
    killed: bool
    duration_ms: int
    network_isolated: bool
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    confined: bool = False
    isolation: str = ""


@dataclass(frozen=True)
class NetworkIsolation:
    """How (and whether) this host can cut an *unconfined* process off the network."""

    active: bool
    detail: str
    argv_prefix: tuple[str, ...] = ()
    in_preexec: bool = False


_NO_ISOLATION = NetworkIsolation(False, "network access was allowed for this run")
_probed: NetworkIsolation | None = None
_isolation: dict[tuple[Path | None, int, int], SandboxIsolation] = {}


async def sandbox_isolation(settings: SandboxSettings | None = None) -> SandboxIsolation:
    """The filesystem boundary this host gives under `settings`, probed on first use, then remembered."""
    settings = settings or SandboxSettings()
    key = (settings.bwrap_path, settings.uid, settings.gid)
    if key not in _isolation:  # two first callers may both probe; the answer is the same
        _isolation[key] = await probe(settings)
    return _isolation[key]


async def network_isolation() -> NetworkIsolation:
    """How an unconfined run is cut off the network, probed on first use and then remembered."""
    global _probed
    if _probed is None:
        _probed = await _probe_network()
    return _probed


async def _probe_network() -> NetworkIsolation:
    binary = shutil.which("unshare", path=SAFE_PATH)
    if binary is not None:
        for flags in (("-n",), ("-r", "-n")):
            if await _succeeds([binary, *flags, "true"]):
                return NetworkIsolation(
                    True, f"own network namespace (unshare {' '.join(flags)})", (binary, *flags)
                )
    if hasattr(os, "unshare") and await _succeeds(
        [sys.executable, "-I", "-c", "import os; os.unshare(os.CLONE_NEWNET)"]
    ):
        return NetworkIsolation(True, "own network namespace (os.unshare)", in_preexec=True)
    return NetworkIsolation(False, "no network namespace available on this host; the network is reachable")


async def _succeeds(argv: list[str]) -> bool:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            env={"PATH": SAFE_PATH},
        )
        return await asyncio.wait_for(proc.wait(), 10) == 0
    except (OSError, asyncio.TimeoutError):
        return False


async def run_sandboxed(
    program: Sequence[str] | str,
    *,
    limits: SandboxLimits = SandboxLimits(),
    cwd: Path | str | None = None,
    stdin: bytes | str | None = None,
    env: Mapping[str, str] | None = None,
    settings: SandboxSettings | None = None,
) -> SandboxResult:
    """Run `program` (an argv list, or a string of Python code) under `limits`.

    `cwd` is the run's workspace (bound read-write; when the server is root, handed to
    the sandbox user); it defaults to the run's own temporary home. `env` adds variables
    to the minimal environment. Cancelling the awaiting task kills the whole process
    group. Raises `SandboxUnavailable` when the boundary is required and this host
    cannot provide it.
    """
    settings = settings or SandboxSettings()
    isolation = await sandbox_isolation(settings)
    if not isolation.confined and settings.require_isolation:
        raise SandboxUnavailable(
            f"sandboxed execution is disabled on this server: {isolation.detail}; an operator must "
            f"{isolation.fix} (`openintern doctor` shows this)",
            reason=isolation.detail,
            fix=isolation.fix,
        )
    home = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="openintern-sandbox-"))
    try:
        return await _run_in(
            home, program, limits, Path(cwd) if cwd is not None else None, stdin, env, isolation
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, home, True)


async def _run_in(
    home: Path,
    program: Sequence[str] | str,
    limits: SandboxLimits,
    cwd: Path | None,
    stdin: bytes | str | None,
    env: Mapping[str, str] | None,
    isolation: SandboxIsolation,
) -> SandboxResult:
    workspace = (cwd or home).resolve()
    prefix, network_cut, unshare_in_preexec = await _walls(isolation, home, workspace, limits)
    argv = [*prefix, *await _argv(program, home, confined=isolation.confined)]
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.subprocess_exec(
        lambda: ExitAwareProtocol(loop),
        *argv,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(workspace),
        env={"PATH": SAFE_PATH, "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8", **(env or {})},
        start_new_session=True,  # its own process group, so killpg reaches every descendant
        preexec_fn=_limiter(limits, unshare_net=unshare_in_preexec),
    )
    proc = asyncio.subprocess.Process(transport, protocol, loop)
    out, err = OutputCapture(limits.max_output_bytes), OutputCapture(limits.max_output_bytes)
    try:
        timed_out = await _supervise(proc, protocol.exited, limits.wall_timeout_s, out, err, stdin)
    except BaseException:  # cancelled (or failed): the processes must not outlive us
        kill_group(proc.pid)
        raise
    finally:
        transport.close()  # releases the pipes even if an escaped process still holds them
    code = proc.returncode if proc.returncode is not None else -signal.SIGKILL
    if isolation.confined:
        code = _signal_from_status(code)
    return SandboxResult(
        exit_code=code,
        stdout=out.text(),
        stderr=err.text(),
        timed_out=timed_out,
        killed=code < 0,
        duration_ms=round((time.monotonic() - started) * 1000),
        network_isolated=network_cut,
        stdout_truncated=out.dropped > 0,
        stderr_truncated=err.dropped > 0,
        confined=isolation.confined,
        isolation=isolation.detail if isolation.confined else f"NOT confined: {isolation.detail}",
    )


async def _walls(
    isolation: SandboxIsolation, home: Path, workspace: Path, limits: SandboxLimits
) -> tuple[list[str], bool, bool]:
    """The argv prefix that walls the run in; whether the network is cut; whether the
    `preexec_fn` must cut it (the unconfined fallback on hosts without ``unshare``)."""
    if not isolation.confined:
        net = _NO_ISOLATION if limits.allow_network else await network_isolation()
        return list(net.argv_prefix), net.active, net.in_preexec
    if (why := check_workspace(workspace)) is not None:
        raise ToolFailed(f"refusing to sandbox a process in {workspace}: {why}")
    if isolation.run_as is not None:
        await asyncio.to_thread(_hand_over, (home, workspace), isolation.run_as)
    prefix = bwrap_argv(isolation, home=home, workspace=workspace, allow_network=limits.allow_network)
    return prefix, not limits.allow_network, False


def _hand_over(paths: tuple[Path, ...], run_as: tuple[int, int]) -> None:
    for path in dict.fromkeys(paths):
        hand_over(path, *run_as)


def _signal_from_status(code: int) -> int:
    # bwrap reports a child killed by signal N as exit status 128 + N (as shells do), so a
    # command that itself exits 128 + N reads as killed by N: an accepted ambiguity.
    if 128 < code < 128 + signal.NSIG:
        return -(code - 128)
    return code


async def _argv(program: Sequence[str] | str, home: Path, *, confined: bool) -> list[str]:
    if not isinstance(program, str):
        return list(program)
    # Code goes through a file, not `-c`: Linux caps one argv string at 128 KiB.
    script = home / "main.py"
    await asyncio.to_thread(script.write_text, program, "utf-8")
    return [python_binary() if confined else sys.executable, "-I", str(script)]


async def _supervise(
    proc: asyncio.subprocess.Process,
    exited: asyncio.Event,
    timeout_s: float,
    out: OutputCapture,
    err: OutputCapture,
    stdin: bytes | str | None,
) -> bool:
    """Wait for the run to end (or time out), then kill its group; True when it timed out."""
    assert proc.stdout is not None and proc.stderr is not None
    helpers = [
        asyncio.create_task(out.drain(proc.stdout), name=f"sandbox:{proc.pid}:stdout"),
        asyncio.create_task(err.drain(proc.stderr), name=f"sandbox:{proc.pid}:stderr"),
    ]
    if stdin is not None and proc.stdin is not None:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        helpers.append(asyncio.create_task(feed(proc.stdin, data), name=f"sandbox:{proc.pid}:stdin"))
    try:
        try:
            await asyncio.wait_for(exited.wait(), timeout_s)
            timed_out = False
        except asyncio.TimeoutError:
            timed_out = True
        # Background children die with the main process: nothing outlives a sandboxed run.
        kill_group(proc.pid)
        await asyncio.wait(helpers[:2], timeout=PIPE_DRAIN_S)
        with suppress(asyncio.TimeoutError):  # SIGKILL is prompt, but never hang a worker on it
            await asyncio.wait_for(exited.wait(), KILL_WAIT_S)
    finally:
        for task in helpers:
            task.cancel()
    return timed_out


def _limiter(limits: SandboxLimits, *, unshare_net: bool) -> Callable[[], None]:
    """The `preexec_fn`: runs in the forked child before exec, so it must only make syscalls."""
    wanted = [
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_size_bytes),
        (resource.RLIMIT_NPROC, limits.max_processes),
        (resource.RLIMIT_NOFILE, limits.max_open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    # Computed here, in the parent: an unprivileged process may lower but never raise a hard limit.
    pairs = [(which, capped_rlimit(which, value)) for which, value in wanted]

    def apply() -> None:
        for which, value in pairs:
            resource.setrlimit(which, (value, value))
        if unshare_net:
            os.unshare(os.CLONE_NEWNET)  # type: ignore[attr-defined,unused-ignore]

    return apply
