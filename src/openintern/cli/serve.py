"""``openintern serve`` (API + workers: child processes on a multi-core machine, else in
the API process) and ``openintern api`` (API only)."""

from __future__ import annotations

from pathlib import Path

import typer

from openintern.cli.context import settings_from
from openintern.cli.output import err_console, handle_errors

_LOOPBACK = "127.0.0.1"


def _run(settings_flags: dict[str, object], config: Path | None, workers: bool) -> None:
    import uvicorn

    from openintern.api import create_app
    from openintern.runtime.gc_tuning import tune_gc

    settings = settings_from(config, server__workers_in_process=workers, **settings_flags)  # type: ignore[arg-type]
    if workers and settings.server.worker_processes is None:
        from openintern.runtime.processes import default_count

        settings.server.worker_processes = default_count()
    if settings.server.no_auth:
        if settings.server.host != _LOOPBACK:
            err_console.print(f"[yellow]--no-auth binds to {_LOOPBACK} only (not {settings.server.host})[/]")
            settings.server.host = _LOOPBACK
        err_console.print(
            "[bold red]WARNING: authentication is OFF (--no-auth).[/] Every request acts as the admin. "
            "For local development only."
        )
    app = create_app(settings)
    tune_gc()
    uvicorn.run(
        app,
        host=settings.server.host,
        port=settings.server.port,
        log_level=settings.log_level,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


@handle_errors
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (HOST, default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (PORT, default 3000)."),
    data_dir: Path | None = typer.Option(None, help="State directory (DATA_DIR)."),
    database_url: str | None = typer.Option(None, help="PostgreSQL URL (DATABASE_URL); unset: embedded."),
    no_auth: bool | None = typer.Option(
        None, "--no-auth", help="Development only: no authentication, loopback only."
    ),
    config: Path | None = typer.Option(None, "--config", help="Config file (default ./agent.config.json)."),
) -> None:
    """Start the platform: API, web UI and run workers (one worker process per extra core)."""
    flags = {"server__host": host, "server__port": port, "data_dir": data_dir, "database__url": database_url}
    _run({**flags, "server__no_auth": no_auth}, config, workers=True)


@handle_errors
def api(
    host: str | None = typer.Option(None, help="Interface to bind."),
    port: int | None = typer.Option(None, help="Port."),
    database_url: str | None = typer.Option(None, help="PostgreSQL URL shared with the workers."),
    config: Path | None = typer.Option(None, "--config", help="Config file."),
) -> None:
    """Start an API process without workers (scale out with `openintern worker`)."""
    _run({"server__host": host, "server__port": port, "database__url": database_url}, config, workers=False)
