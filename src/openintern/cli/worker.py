"""``openintern worker``: a run-worker process (scale out: any number, against one DATABASE_URL)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import typer

from openintern.cli import aio
from openintern.cli.context import settings_from
from openintern.cli.output import console, handle_errors


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
        from openintern.config import settings_from_json

        settings = settings_from_json(sys.stdin.readline())
    else:
        settings = settings_from(
            config, database__url=database_url, data_dir=data_dir, runtime__worker_concurrency=concurrency
        )
    aio.run(_main(settings, watch_parent=settings_stdin))


class _ParentPipe(asyncio.Protocol):
    """The parent keeps our stdin open while it lives: end of file (the parent stopped us,
    or died, even by kill -9) stops this worker."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop = stop

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop.set()


async def _main(settings: object, *, watch_parent: bool = False) -> None:
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
    await worker.start()
    services.memory.start_catch_up()  # chunks left without a vector, or of an older model
    console.print(
        f"[green]worker {worker.id} running[/] (concurrency {worker.concurrency}, {aio.loop_name()}); Ctrl-C to stop"
    )
    if watch_parent:
        await loop.connect_read_pipe(lambda: _ParentPipe(stop), sys.stdin)
    await stop.wait()
    await worker.stop()
    await services.close()
    from openintern.llm import aclose_clients

    await aclose_clients()
    await db.dispose()
    from openintern.db.embedded import stop_embedded

    stop_embedded()
