"""follow(): keep-alives while idle, then live events from NOTIFY, then the end."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient

from openintern.runtime.streams import follow
from tests.runtime.test_agent_runs import wait_status


async def test_idle_stream_sends_keepalives_then_the_rest(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    platform = run_app.state.platform
    await runner.post("/api/tool-policies", json={"pattern": "write_file", "action": "require_approval"})
    model = fake_llm.register(
        [
            {"tool_calls": [{"name": "write_file", "arguments": {"path": "k.txt", "content": "k"}}]},
            {"text": "resumed and done"},
        ]
    )
    run_id = (
        await runner.post("/api/runs", json={"input": "x", "model": model, "tools": ["write_file"]})
    ).json()["run_id"]
    await wait_status(runner, run_id, {"waiting"})
    received: list[dict[str, Any] | None] = []

    async def consume() -> None:
        async for item in follow(platform.db, platform.hub, "org_default", run_id, 0, keepalive_s=0.05):
            received.append(item)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.3)  # the run is parked: only keep-alives arrive
    assert None in received
    before = [e for e in received if e is not None]
    assert before[-1]["type"] == "tool.requires_approval"
    approval = (await runner.get("/api/approvals")).json()["items"][0]
    await runner.post(f"/api/approvals/{approval['id']}/approve")
    await asyncio.wait_for(task, timeout=10)
    events = [e for e in received if e is not None]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["type"] == "run.completed"
