"""echo, current_time, run_command and export_trace, called through the default registry.

No database: export_trace reads through the `events_reader` service the runtime lends;
here that is a small in-memory reader with the same signature.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from openintern.tools import BUILTIN_TOOLS, ToolContext, ToolRegistry, ToolServices


class TestCatalogue:
    def test_default_registry_holds_the_builtins_with_their_risks(self, builtins: ToolRegistry) -> None:
        facts = {t.name: (t.risk, t.idempotent) for t in builtins}
        assert facts == {
            "read_file": ("low", True),
            "list_files": ("low", True),
            "write_file": ("medium", False),
            "run_command": ("high", False),
            "export_trace": ("low", True),
            "echo": ("low", True),
            "current_time": ("low", True),
            "memory_search": ("low", True),
            "memory_get": ("low", True),
            "memory_write": ("low", False),
            "core_memory_append": ("low", False),
            "core_memory_replace": ("low", True),
            "mineru_ingest_pdf": ("medium", True),
        }
        assert all(t.description for t in BUILTIN_TOOLS)

    def test_each_default_registry_is_independent(self, builtins: ToolRegistry) -> None:
        from openintern.tools import default_registry

        builtins.register(lambda_tool())
        assert "extra" not in default_registry()


def lambda_tool() -> Any:
    from openintern.tools import Tool

    def extra() -> str:
        """Extra."""
        return ""

    return Tool.from_function(extra)


class TestSmall:
    async def test_echo(self, builtins: ToolRegistry, ctx: ToolContext) -> None:
        assert (await builtins.call("echo", '{"text": "ping ✓"}', ctx)).content == "ping ✓"

    async def test_current_time(self, builtins: ToolRegistry, ctx: ToolContext) -> None:
        utc = datetime.fromisoformat((await builtins.call("current_time", "{}", ctx)).content)
        tokyo = datetime.fromisoformat(
            (await builtins.call("current_time", '{"timezone": "Asia/Tokyo"}', ctx)).content
        )
        assert utc.utcoffset() is not None and utc.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert tokyo.utcoffset().total_seconds() == 9 * 3600  # type: ignore[union-attr]

    async def test_unknown_time_zone(self, builtins: ToolRegistry, ctx: ToolContext) -> None:
        outcome = await builtins.call("current_time", '{"timezone": "Mars/Olympus"}', ctx)
        assert outcome.is_error and "unknown time zone 'Mars/Olympus'" in outcome.content


class TestRunCommand:
    async def test_runs_in_the_workspace(
        self, builtins: ToolRegistry, ctx: ToolContext, workspace: Path
    ) -> None:
        (workspace / "hello.txt").write_text("hi")
        outcome = await builtins.call(
            "run_command", '{"command": "cat hello.txt; echo oops >&2; exit 4"}', ctx
        )
        assert not outcome.is_error
        assert outcome.content.startswith("exit code 4 (")
        assert "--- stdout ---\nhi\n--- stderr ---\noops\n" in outcome.content
        assert outcome.data["exit_code"] == 4 and outcome.data["stdout"] == "hi"

    async def test_time_out_is_reported(self, builtins: ToolRegistry, ctx: ToolContext) -> None:
        outcome = await builtins.call("run_command", '{"command": "sleep 30", "timeout_s": 1}', ctx)
        assert outcome.content.startswith("timed out after 1 s; the command and its children were killed")
        assert outcome.data["timed_out"] is True

    async def test_network_status_is_stated(self, builtins: ToolRegistry, ctx: ToolContext) -> None:
        outcome = await builtins.call("run_command", '{"command": "true"}', ctx)
        expected = "no network" if outcome.data["network_isolated"] else "network NOT isolated"
        assert expected in outcome.content

    async def test_timeout_argument_is_bounded(self, builtins: ToolRegistry, ctx: ToolContext) -> None:
        outcome = await builtins.call("run_command", '{"command": "true", "timeout_s": 100000}', ctx)
        assert (
            outcome.is_error and "$.timeout_s: 100000 is greater than the maximum of 300" in outcome.content
        )


EVENTS = {
    ("org_a", "run_1"): [{"seq": 1, "type": "run.started"}, {"seq": 2, "type": "run.completed"}],
    ("org_a", "run_2"): [{"seq": 1, "type": "run.started"}],
    ("org_b", "run_9"): [{"seq": 1, "type": "run.started", "secret": "other tenant"}],
}


async def read_events(org_id: str, run_id: str) -> list[dict[str, Any]]:
    return EVENTS.get((org_id, run_id), [])


@pytest.fixture
def traced(ctx: ToolContext) -> ToolContext:
    return dataclasses.replace(ctx, services=ToolServices(events_reader=read_events))


class TestExportTrace:
    async def test_current_run_as_json(self, builtins: ToolRegistry, traced: ToolContext) -> None:
        outcome = await builtins.call("export_trace", "{}", traced)
        assert json.loads(outcome.content) == EVENTS[("org_a", "run_1")]
        assert outcome.data == EVENTS[("org_a", "run_1")]

    async def test_other_run_as_jsonl(self, builtins: ToolRegistry, traced: ToolContext) -> None:
        outcome = await builtins.call("export_trace", '{"run_id": "run_2", "format": "jsonl"}', traced)
        assert outcome.content == '{"seq": 1, "type": "run.started"}'

    async def test_another_orgs_run_is_not_found(self, builtins: ToolRegistry, traced: ToolContext) -> None:
        outcome = await builtins.call("export_trace", '{"run_id": "run_9"}', traced)
        assert outcome.is_error and "has no events in this organisation" in outcome.content
        assert "other tenant" not in outcome.content

    async def test_bad_format(self, builtins: ToolRegistry, traced: ToolContext) -> None:
        outcome = await builtins.call("export_trace", '{"format": "xml"}', traced)
        assert outcome.is_error and "$.format: 'xml' is not one of ['json', 'jsonl']" in outcome.content

    async def test_without_a_reader_the_tool_fails_clearly(
        self, builtins: ToolRegistry, ctx: ToolContext
    ) -> None:
        outcome = await builtins.call("export_trace", "{}", ctx)
        assert (
            outcome.content
            == "tool export_trace failed: this runtime provides no 'events_reader' service to tools"
        )
