"""Asking for what a command is missing: only what is missing, and only on a terminal.

An option with a default never prompts (the default is the answer). A required value that
was not given is asked for when stdin is a terminal; in a script or CI there is nobody to
ask, so the command stops at once with an error naming the option, rather than reading
an empty line, printing "Aborted." and leaving the next command to fail for a reason the
user never sees.
"""

from __future__ import annotations

import sys

import typer


def on_terminal() -> bool:
    """Whether there is someone to ask (stdin is a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()


def secret(
    value: str | None, option: str, label: str, *, confirm: bool = False, from_stdin: bool = False
) -> str:
    """``value`` if it was given; else the first line of stdin (``from_stdin``: the option
    ``--password-stdin``, for scripts); else asked for, hidden, on a terminal; else an error
    naming ``option``."""
    if value is not None:
        return value
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise typer.BadParameter("stdin was empty", param_hint=f"'{option}-stdin'")
        return line
    if not on_terminal():
        raise typer.BadParameter(
            f"not given, and there is no terminal to ask for it on (pass {option}, "
            f"or pipe it in with {option}-stdin)",
            param_hint=f"'{option}'",
        )
    answer: str = typer.prompt(label, hide_input=True, confirmation_prompt=confirm)
    return answer
