"""Worker processes that ``openintern serve`` starts beside its API process.

One Python process is one core: the API and the agents it serves would share it. On a
machine with more cores ``serve`` runs its workers as ``openintern worker`` children (the
same code ``openintern worker`` runs on other machines), so requests and runs use separate
cores. A child gets:

* the parent's effective settings over a pipe (secrets never appear in argv or the
  environment), with the resolved database URL, so it uses the embedded server the parent
  started instead of starting or joining one itself;
* a pipe on its stdin that the parent holds open: end of file stops the child, so it
  also stops when the parent is gone, even after ``kill -9``.

A child that fails (an error exit, SIGKILL from the OOM killer) is started again after a
back-off; the runs it held resume on a worker from their last checkpoint once their leases
expire. A child that exits 0 or of SIGINT / SIGTERM was told to stop (Ctrl-C reaches it
before serve's own shutdown does) and is left stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

from openintern.config import Settings, settings_to_json

log = logging.getLogger(__name__)

RESTART_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)  # then 30 s each time
STOP_GRACE_S = 15.0  # a worker gives its runs 10 s to reach a step boundary, then exits
_TOLD_TO_STOP = frozenset({0, -signal.SIGINT, -signal.SIGTERM})  # exit codes of a stop on request
HEALTHY_AFTER_S = 60.0  # a child that ran this long starts its back-off from the beginning


def default_count() -> int:
    """One worker process per core beyond the first (the API's), at most 4."""
    return max(0, min((os.cpu_count() or 1) - 1, 4))


class WorkerProcesses:
    def __init__(self, settings: Settings, database_url: str, count: int) -> None:
        child = settings.model_copy(deep=True)
        child.database.url = database_url
        self._settings_json = settings_to_json(child).encode()
        self.count = count
        self.procs: dict[int, asyncio.subprocess.Process] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    async def start(self) -> None:
        for index in range(self.count):
            self.procs[index] = await self._spawn(index)
            task = asyncio.create_task(self._supervise(index), name=f"worker-process-{index}")
            self._tasks.append(task)
        log.info("started %d worker process(es): pids %s", self.count, [p.pid for p in self.procs.values()])

    async def _spawn(self, index: int) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "openintern",
            "worker",
            "--settings-stdin",
            stdin=asyncio.subprocess.PIPE,
        )
        assert proc.stdin is not None
        proc.stdin.write(self._settings_json + b"\n")  # JSON has no raw newline
        await proc.stdin.drain()
        return proc  # stdin stays open: closing it (or dying) stops the child

    async def _supervise(self, index: int) -> None:
        failures = 0
        while True:
            started = asyncio.get_running_loop().time()
            code = await self.procs[index].wait()
            if self._stopping:
                return
            if code in _TOLD_TO_STOP:
                # Ctrl-C in a terminal signals the whole process group: the child stops (or,
                # still starting, dies of SIGINT) before serve's own shutdown reaches here.
                log.info("worker process %d stopped (exit %s); not starting it again", index, code)
                return
            if asyncio.get_running_loop().time() - started > HEALTHY_AFTER_S:
                failures = 0
            delay = RESTART_BACKOFF_S[min(failures, len(RESTART_BACKOFF_S) - 1)]
            failures += 1
            log.error(
                "worker process %d exited with code %s; starting it again in %.0f s", index, code, delay
            )
            await asyncio.sleep(delay)
            if self._stopping:
                return
            self.procs[index] = await self._spawn(index)

    async def stop(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for proc in self.procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
        for proc in self.procs.values():
            try:
                await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
            except asyncio.TimeoutError:
                log.warning("worker process %d did not stop in %.0f s; killing it", proc.pid, STOP_GRACE_S)
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        log.info("worker processes stopped")
