"""The streamed transcript's layout (`cli/transcript.py`). Rendering only, events in and
text out, so no database or process: `tests/acceptance/test_cli.py` runs the same code
through `openintern run --stream` against a real platform."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from openintern.cli.transcript import Transcript


def render(events: list[tuple[str, dict[str, Any]]], *, width: int = 60, verbose: bool = False) -> list[str]:
    out = io.StringIO()
    show = Transcript(Console(file=out, width=width, color_system=None), verbose=verbose)
    for seq, (kind, payload) in enumerate(events, 1):
        show({"seq": seq, "type": kind, "payload": payload})
    return out.getvalue().splitlines()


def call(name: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
    return "tool.called", {"tool_call_id": "c", "name": name, "arguments": arguments}


def result(text: str, *, error: bool = False, ms: float | None = None) -> tuple[str, dict[str, Any]]:
    return "tool.result", {
        "tool_call_id": "c",
        "name": "x",
        "result": text,
        "is_error": error,
        "duration_ms": ms,
    }


def token(delta: str) -> tuple[str, dict[str, Any]]:
    return "llm.token", {"delta": delta}


def test_text_then_tools_then_text_without_empty_lines() -> None:
    lines = render(
        [
            token("Let me "),
            token("look."),
            ("llm.called", {}),
            call("read_file", path="README.md"),
            result("# Title\n\nBody text", ms=12.4),
            ("llm.called", {}),
            call("list_files"),
            result("a.md\nb.md"),
            token("Two files."),
            ("run.completed", {}),
        ]
    )
    assert lines == [
        "Let me look.",
        '→ read_file {"path": "README.md"}',
        "  ← # Title Body text   12 ms",
        "→ list_files {}",
        "  ← a.md b.md",
        "Two files.",
        "✓ completed",
    ]


def test_long_results_are_cut_to_the_width_and_markup_is_printed_as_it_is() -> None:
    lines = render([call("fetch", url="[bold]x[/]"), result("[red]" + "y" * 200, error=True)], width=50)
    assert lines[0] == '→ fetch {"url": "[bold]x[/]"}'
    assert lines[1].startswith("  ✗ [red]yyy") and lines[1].endswith("…") and len(lines[1]) == 49


def test_tail_lists_the_other_events_on_their_own_lines() -> None:
    lines = render(
        [("step.started", {"step": 1}), token("hi"), ("step.completed", {"step": 1})], verbose=True
    )
    assert lines == ["    1 step.started", "hi", "    3 step.completed"]
    failed = render([token("partial"), ("run.failed", {"error": "the agent reached max_steps (3)"})])
    assert failed == ["partial", "✗ failed: the agent reached max_steps (3)"]
