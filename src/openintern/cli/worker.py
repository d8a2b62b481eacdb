"""``openintern worker``: a run-worker process (scale out: any number, against one DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from openintern.cli import aio
from openintern.cli.context import settings_from
from openintern.cli.output import console, handle_errors

ORPHAN_EXIT_S = 0.8  # a worker whose parent died cancels its runs at once and is gone by then
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@handle_errors
def worker(
    concurrency: int | None = typer.Option(None, help="Runs executed at once (default 200)."),
    database_url: str | None = typer.Option(None, help="PostgreSQL URL shared with the API (DATABASE_URL)."),
    data_dir: Path | None = typer.Option(None, help="State directory (DATA_DIR)."),
    config: Path | None = typer.Option(None, "--config", help="Config file."),
    settings_stdin: bool = typer.Option(False, "--settings-stdin", hidden=True),
) -> None:
    """Run workers that claim and execute runs until SIGINT/SIGTERM."""
    if settings_stdin:  # a child of `openintern serve` (runtime/processes.py)
        _die_with_parent()
        from openintern.config import settings_from_json

        settings = settings_from_json(sys.stdin.readline())
    else:
        settings = settings_from(
            config, database__url=database_url, data_dir=data_dir, runtime__worker_concurrency=concurrency
        )
    aio.run(_main(settings, watch_parent=settings_stdin, parent=os.getppid()))


def _die_with_parent() -> None:
    """On Linux, have the kernel send us SIGHUP the moment our parent dies (prctl
    PR_SET_PDEATHSIG), whatever killed it. The stdin pipe below is the portable fallback."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGHUP), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl in this libc: the pipe still tells us
        return


class _ParentPipe(asyncio.Protocol):
    """The parent keeps our stdin open while it lives: end of file stops this worker. If
    the parent is gone (another process adopted us) it died, even by kill -9: an orphan."""

    def __init__(self, stop: asyncio.Event, orphaned: Callable[[], None], parent: int) -> None:
        self.stop, self.orphaned, self.parent = stop, orphaned, parent

    def connection_lost(self, exc: Exception | None) -> None:
        if os.getppid() != self.parent:
            self.orphaned()
        self.stop.set()


async def _main(settings: object, *, watch_parent: bool = False, parent: int = 0) -> None:
    from openintern.auth import SecretBox, load_or_create_key
    from openintern.config import Settings
    from openintern.container import build_services
    from openintern.db.server import prepare_database
    from openintern.db.session import Database
    from openintern.runtime import Worker
    from openintern.runtime.gc_tuning import tune_gc

    assert isinstance(settings, Settings)
    url = await asyncio.to_thread(prepare_database, settings, advise=not watch_parent)
    db = Database.from_url(
        url, pool_size=settings.database.pool_size, max_overflow=settings.database.max_overflow
    )
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    box = SecretBox(load_or_create_key(key, settings.secrets_dir))
    services = build_services(db, settings, box)
    worker = Worker(db, settings, services.kinds)
    tune_gc()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    orphan = _Orphan(loop, stop)
    if watch_parent:
        loop.add_signal_handler(signal.SIGHUP, orphan)
        if os.getppid() != parent:  # died before prctl took effect
            orphan()
    await worker.start()
    services.memory.start_catch_up()  # chunks left without a vector, or of an older model
    console.print(
        f"[green]worker {worker.id} running[/] (concurrency {worker.concurrency}, {aio.loop_name()}); Ctrl-C to stop"
    )
    if watch_parent:
        await loop.connect_read_pipe(lambda: _ParentPipe(stop, orphan, parent), sys.stdin)
    await stop.wait()
    # An orphan starts no model call more: its runs are cancelled now (they resume on
    # another worker from their checkpoints) and the process is gone within ORPHAN_EXIT_S.
    await (worker.stop(grace_s=0) if orphan.fired else worker.stop())
    await services.close()
    from openintern.llm import aclose_clients

    await aclose_clients()
    await db.dispose()
    from openintern.db.embedded import stop_embedded

    stop_embedded()


class _Orphan:
    """Our parent died: stop at once, and exit hard after `ORPHAN_EXIT_S` (the database the
    parent served may be gone too, and a flush must not hold the process)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
        self.loop, self.stop, self.fired = loop, stop, False

    def __call__(self) -> None:
        if self.fired:
            return
        self.fired = True
        self.stop.set()
        self.loop.call_later(ORPHAN_EXIT_S, os._exit, 1)
