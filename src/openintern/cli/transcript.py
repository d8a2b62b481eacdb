"""A run's events as a compact transcript (``openintern run --stream``, ``openintern tail``).

The model's text streams as it comes; every other line starts at the left margin, on a
new line only when the text left the cursor mid-line (so no empty lines between tool
calls). A tool call is one line and its result the line under it, indented to align::

    → read_file {"path": "README.md"}
      ← # OpenIntern  A self-hosted runtime for…   12 ms
    The README says …
    ✓ completed

Arguments and results are shown on one line each (whitespace collapsed) and cut to the
terminal's width; they are printed literally, never as Rich markup. A team's events
(``message.*``, a group run) keep their own one-line layout (`cli/teams.py::render_message`).
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape

TERMINAL = {"run.completed", "run.failed", "run.cancelled"}
RESULT_INDENT = "  "
MIN_WIDTH = 40  # a narrower terminal still gets this much per line (it wraps)


class Transcript:
    """Renders events one by one; ``verbose`` (``tail``) also lists the other event types."""

    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.console = console
        self.verbose = verbose
        self.mid_line = False  # the last thing printed was streamed text without its newline

    def __call__(self, event: dict[str, Any]) -> None:
        kind, p = event["type"], event["payload"]
        if kind.startswith("message."):  # a team's turn: one line each, as `cli/teams.py` lays it out
            from openintern.cli.teams import render_message

            self._break()
            render_message(event)
        elif kind == "llm.token":
            self._text(p["delta"])
        elif kind == "tool.called":
            self._call(p)
        elif kind == "tool.result":
            self._result(p)
        elif kind == "tool.blocked":
            self._line(f"[red]✗ {escape(p['name'])} blocked:[/] {escape(p['reason'])}")
        elif kind == "tool.requires_approval":
            self._line(
                f"[yellow]⏸ {escape(p['name'])} needs approval[/] ({p['approval_id']}): approve in the UI"
                f" or POST /api/approvals/{p['approval_id']}/approve"
            )
        elif kind in TERMINAL:
            self._terminal(kind, p)
        elif self.verbose and kind != "llm.called":
            self._line(f"[dim]{event['seq']:>5} {kind}[/]")

    def _text(self, delta: str) -> None:
        if delta:
            self.console.print(delta, end="", highlight=False, markup=False)
            self.mid_line = not delta.endswith("\n")

    def _break(self) -> None:
        """End the streamed text's line, if it left the cursor mid-line."""
        if self.mid_line:
            self.console.print()
            self.mid_line = False

    def _line(self, markup: str) -> None:
        """One line at the left margin."""
        self._break()
        self.console.print(markup, highlight=False, soft_wrap=True)

    def _width(self) -> int:
        return max(self.console.width, MIN_WIDTH) - 1

    def _call(self, p: dict[str, Any]) -> None:
        name = str(p["name"])
        arguments = _cut(_one_line(p.get("arguments")), self._width() - len(name) - 3)
        self._line(f"[cyan]→[/] [bold]{escape(name)}[/] {escape(arguments)}")

    def _result(self, p: dict[str, Any]) -> None:
        took = f"{p['duration_ms']:.0f} ms" if p.get("duration_ms") is not None else ""
        arrow = "[red]✗[/]" if p.get("is_error") else "[green]←[/]"
        room = self._width() - len(RESULT_INDENT) - 2 - (len(took) + 3 if took else 0)
        text = escape(_cut(_one_line(p.get("result")), room))
        self._line(f"{RESULT_INDENT}{arrow} {text}" + (f"   [dim]{took}[/]" if took else ""))

    def _terminal(self, kind: str, p: dict[str, Any]) -> None:
        if kind == "run.completed":
            self._line("[green]✓ completed[/]")
        elif kind == "run.failed":
            self._line(f"[red]✗ failed:[/] {escape(str(p.get('error')))}")
        else:
            self._line("[yellow]cancelled[/]")


def _one_line(value: Any) -> str:
    """``value`` on one line: JSON for structures, whitespace collapsed."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return " ".join(text.split())


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(room - 1, 1)] + "…"
