"""Output for people (Rich) and for scripts (``--json``), and the one error decorator."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    t = Table(title=title, header_style="bold")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    console.print(t)


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn OpenIntern errors, and a database that cannot be reached, into one red line and
    exit code 1 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from openintern.errors import OpenInternError

        try:
            return fn(*args, **kwargs)
        except OpenInternError as exc:
            err_console.print(f"[bold red]error:[/] {exc.message}")
            raise typer.Exit(1) from exc
        except Exception as exc:
            unreachable = _database_unreachable(exc)
            if unreachable is None:
                raise
            err_console.print(f"[bold red]error:[/] the database could not be used: {escape(unreachable)}")
            raise typer.Exit(1) from exc

    return wrapper


def _database_unreachable(exc: Exception) -> str | None:
    """The driver's message when ``exc`` is SQLAlchemy's error for a connection that failed
    or never came (psycopg's own is wrapped in it). SQLAlchemy is looked up, not imported:
    a command that never loaded it cannot have raised its error, and `--help` stays fast."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.OperationalError):
        return None
    return str(exc.orig if exc.orig is not None else exc)
