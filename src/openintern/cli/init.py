"""``openintern init``: write a starter config file."""

from __future__ import annotations

from pathlib import Path

import typer

from openintern.cli.output import console, handle_errors


@handle_errors
def init(
    path: Path = typer.Option(Path("agent.config.json"), "--path", help="Where to write the config file."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a starter config file (agent.config.json) with the defaults filled in."""
    from openintern.config import write_default_config

    if path.exists() and not force:
        console.print(f"[yellow]{path} exists[/]; use --force to overwrite it.")
        raise typer.Exit(1)
    write_default_config(path)
    console.print(f"[green]wrote[/] {path}. Environment variables and flags override it.")
