"""Process plumbing for the sandbox: exit detection, bounded capture, group kill, rlimits."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
from contextlib import suppress


def kill_group(pgid: int) -> None:
    # The group id is the leader's pid (start_new_session). Right after the leader is
    # reaped its pid could in principle be reused; sequential PID allocation makes that
    # window negligible compared with leaving strays behind.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


async def feed(pipe: asyncio.StreamWriter, data: bytes) -> None:
    with suppress(BrokenPipeError, ConnectionResetError):
        pipe.write(data)
        await pipe.drain()
        pipe.close()


class ExitAwareProtocol(asyncio.subprocess.SubprocessStreamProtocol):
    """Signals the moment the process exits. Before Python 3.12 `Process.wait()` also
    waits for the pipes to close, which a background child could delay until the time-out."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=2**16, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


class OutputCapture:
    """Keeps the first `limit` bytes of a stream and counts the rest, draining it fully
    so that a chatty process never blocks on a full pipe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0

    async def drain(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65_536):
            room = max(0, self.limit - len(self.kept))
            self.kept += chunk[:room]
            self.dropped += max(0, len(chunk) - room)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n[… output truncated: {self.dropped:,} more bytes left out]"
        return text


def capped_rlimit(which: int, value: int) -> int:
    """`value`, lowered to the current hard limit: an unprivileged process may never raise one."""
    hard = resource.getrlimit(which)[1]
    return value if hard == resource.RLIM_INFINITY else min(value, hard)
