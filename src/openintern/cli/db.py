"""``openintern migrate``: bring the database schema up to date."""

from __future__ import annotations

from pathlib import Path

import typer

from openintern.cli.context import settings_from
from openintern.cli.output import console, handle_errors


@handle_errors
def migrate(
    config: Path | None = typer.Option(None, "--config", help="Config file."),
    revision: str = typer.Option("head", help="Target revision."),
) -> None:
    """Apply database migrations (safe to run while other processes start)."""
    from openintern.db.migrate import upgrade
    from openintern.db.server import check_server, inspect_server, resolve_database_url

    settings = settings_from(config)
    url = resolve_database_url(settings)
    check_server(inspect_server(url))
    at = upgrade(url, revision)
    console.print(f"[green]database is at revision {at}[/]")
