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


class TestStreamOfAFinishedRun:
    """A stream opened at or past a finished run's terminal event closes at once (issue 15)."""

    async def _finished_run(self, runner: AsyncClient, fake_llm: Any) -> tuple[str, int]:
        model = fake_llm.register([{"text": "done"}])
        run_id = (await runner.post("/api/runs", json={"input": "x", "model": model})).json()["run_id"]
        await wait_status(runner, run_id, {"completed"})
        events = (await runner.get(f"/api/runs/{run_id}/events")).json()["events"]
        assert events[-1]["type"] == "run.completed"
        return run_id, int(events[-1]["seq"])

    async def _frames(self, runner: AsyncClient, url: str, **kwargs: Any) -> list[str]:
        async def read() -> list[str]:
            async with runner.stream("GET", url, **kwargs) as resp:
                assert resp.status_code == 200
                return [line async for line in resp.aiter_lines() if line.startswith("id:")]

        return await asyncio.wait_for(read(), timeout=10)  # before the fix: keep-alives forever

    async def test_cursor_at_the_terminal_event_closes_with_nothing(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        run_id, last = await self._finished_run(runner, fake_llm)
        assert await self._frames(runner, f"/api/runs/{run_id}/stream?cursor={last}") == []

    async def test_last_event_id_past_the_end_closes_on_both_stream_routes(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        run_id, last = await self._finished_run(runner, fake_llm)
        past = {"Last-Event-ID": str(last + 100)}
        assert await self._frames(runner, f"/api/runs/{run_id}/stream", headers=past) == []
        sse = {**past, "Accept": "text/event-stream"}
        assert await self._frames(runner, f"/api/runs/{run_id}/events", headers=sse) == []

    async def test_cursor_before_the_terminal_event_sends_it_then_closes(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        run_id, last = await self._finished_run(runner, fake_llm)
        assert await self._frames(runner, f"/api/runs/{run_id}/stream?cursor={last - 1}") == [f"id: {last}"]
