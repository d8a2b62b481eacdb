"""Every event the runtime writes reads back through the RunEvent union (schemas/events.py)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from openintern.schemas.events import EVENT_TYPES, RunEventAdapter
from tests.runtime.test_agent_runs import events_of, wait_status


async def test_all_written_events_match_the_contract(runner: AsyncClient, fake_llm: Any) -> None:
    await runner.post("/api/tool-policies", json={"pattern": "write_file", "action": "require_approval"})
    model = fake_llm.register(
        [
            {
                "tool_calls": [
                    {"name": "echo", "arguments": {"text": "a"}},
                    {"name": "run_command", "arguments": {"command": "x"}},
                ]
            },
            {"tool_calls": [{"name": "write_file", "arguments": {"path": "f.txt", "content": "c"}}]},
            {"text": "final"},
        ]
    )
    body = {"input": "everything", "model": model, "tools": ["echo", "run_command", "write_file"]}
    run_id = (await runner.post("/api/runs", json=body)).json()["run_id"]
    await wait_status(runner, run_id, {"waiting"})
    approval = (await runner.get("/api/approvals")).json()["items"][0]
    await runner.post(f"/api/approvals/{approval['id']}/reject", json={"comment": "no"})
    await wait_status(runner, run_id)
    failed = (await runner.post("/api/runs", json={"input": "x", "model": "missing-model"})).json()["run_id"]
    await wait_status(runner, failed)
    seen: set[str] = set()
    for rid in (run_id, failed):
        for event in await events_of(runner, rid):
            parsed = RunEventAdapter.validate_python(event)
            assert parsed.type == event["type"]
            seen.add(event["type"])
    assert seen <= EVENT_TYPES
    assert {
        "tool.blocked",
        "tool.requires_approval",
        "tool.rejected",
        "tool.result",
        "run.failed",
        "run.completed",
    } <= seen
