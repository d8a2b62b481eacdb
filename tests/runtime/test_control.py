"""Cancellation, tool policy (block / require approval) and approvals."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient

from tests.runtime.test_agent_runs import assert_gap_free, events_of, types, wait_status


async def _wait_event(client: AsyncClient, run_id: str, type_: str, timeout: float = 15) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for e in await events_of(client, run_id):
            if e["type"] == type_:
                return e
        assert asyncio.get_running_loop().time() < deadline, f"no {type_} event"
        await asyncio.sleep(0.05)


class TestCancel:
    async def test_cancel_while_the_llm_is_streaming(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register(
            [{"text": "a very long answer " * 50, "chunk_delay_ms": 50, "chunk_size": 4}]
        )
        run = (await runner.post("/api/runs", json={"input": "talk a lot", "model": model})).json()
        await _wait_event(runner, run["run_id"], "llm.token")
        resp = await runner.post(f"/api/runs/{run['run_id']}/cancel")
        assert resp.status_code == 200 and resp.json()["cancel_requested"] is True
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "cancelled"
        events = await events_of(runner, run["run_id"])
        assert_gap_free(events)
        assert events[-1]["type"] == "run.cancelled"
        assert "llm.called" not in types(events)  # the stream was cut, not finished

    async def test_cancel_a_queued_run_without_a_worker(
        self, client: AsyncClient, admin_token: str, app: Any
    ) -> None:
        await app.state.platform.worker.stop()  # nobody will claim it
        client.headers["Authorization"] = f"Bearer {admin_token}"
        run = (await client.post("/api/runs", json={"input": "never runs"})).json()
        resp = await client.post(f"/api/runs/{run['run_id']}/cancel")
        assert resp.json()["status"] == "cancelled"
        assert [e["type"] for e in await events_of(client, run["run_id"])] == ["run.cancelled"]
        again = await client.post(f"/api/runs/{run['run_id']}/cancel")
        assert again.status_code == 409


class TestPolicy:
    async def test_high_risk_tool_is_blocked_by_default(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register(
            [
                {"tool_calls": [{"name": "run_command", "arguments": {"command": "echo pwned"}}]},
                {"text": "could not run it"},
            ]
        )
        body = {"input": "run something", "model": model, "tools": ["run_command"]}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "completed"
        events = await events_of(runner, run["run_id"])
        assert "tool.called" not in types(events)
        blocked = next(e for e in events if e["type"] == "tool.blocked")
        assert blocked["payload"]["name"] == "run_command" and "high-risk" in blocked["payload"]["reason"]

    async def test_block_rule_by_pattern(self, runner: AsyncClient, fake_llm: Any) -> None:
        rule = await runner.post("/api/tool-policies", json={"pattern": "ech*", "action": "block"})
        assert rule.status_code == 201
        model = fake_llm.register(
            [{"tool_calls": [{"name": "echo", "arguments": {"text": "x"}}]}, {"text": "ok"}]
        )
        run = await wait_status(
            runner,
            (await runner.post("/api/runs", json={"input": "x", "model": model, "tools": ["echo"]})).json()[
                "run_id"
            ],
        )
        assert "tool.blocked" in types(await events_of(runner, run["run_id"]))

    async def test_unknown_tool_name_is_422_naming_the_field(self, runner: AsyncClient) -> None:
        resp = await runner.post("/api/runs", json={"input": "x", "tools": ["echo", "nope"]})
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "body.tools.1"


class TestApprovals:
    async def _park(self, runner: AsyncClient, fake_llm: Any) -> tuple[str, dict[str, Any]]:
        await runner.post("/api/tool-policies", json={"pattern": "write_file", "action": "require_approval"})
        model = fake_llm.register(
            [
                {
                    "tool_calls": [
                        {"name": "write_file", "arguments": {"path": "notes/hello.txt", "content": "hi"}}
                    ]
                },
                {"text": "finished"},
            ]
        )
        body = {"input": "write a file", "model": model, "tools": ["write_file", "read_file"]}
        run_id = (await runner.post("/api/runs", json=body)).json()["run_id"]
        run = await wait_status(runner, run_id, {"waiting", "failed", "completed"})
        assert run["status"] == "waiting", run
        pending = (await runner.get("/api/approvals")).json()["items"]
        assert len(pending) == 1
        return run_id, pending[0]

    async def test_approve_resumes_and_runs_the_tool(
        self, runner: AsyncClient, fake_llm: Any, run_settings: Any
    ) -> None:
        run_id, approval = await self._park(runner, fake_llm)
        assert approval["tool_name"] == "write_file" and approval["arguments"]["path"] == "notes/hello.txt"
        resp = await runner.post(f"/api/approvals/{approval['id']}/approve", json={"comment": "fine"})
        assert resp.status_code == 200 and resp.json()["status"] == "approved"
        run = await wait_status(runner, run_id)
        assert run["status"] == "completed" and run["output"] == "finished"
        events = await events_of(runner, run_id)
        assert_gap_free(events)
        t = types(events)
        assert (
            t.index("tool.requires_approval")
            < t.index("tool.approved")
            < t.index("tool.called")
            < t.index("tool.result")
        )
        written = run_settings.workspace_root / "org_default" / "_org" / "notes" / "hello.txt"
        assert written.read_text() == "hi"
        assert (await runner.post(f"/api/approvals/{approval['id']}/approve")).status_code == 409

    async def test_reject_tells_the_model(self, runner: AsyncClient, fake_llm: Any) -> None:
        run_id, approval = await self._park(runner, fake_llm)
        await runner.post(f"/api/approvals/{approval['id']}/reject", json={"comment": "not today"})
        run = await wait_status(runner, run_id)
        assert run["status"] == "completed"
        events = await events_of(runner, run_id)
        assert "tool.rejected" in types(events) and "tool.called" not in types(events)
        sent = fake_llm.requests()[-1]["body"]["messages"][-1]
        assert sent["role"] == "tool" and "not today" in sent["content"]

    async def test_cancel_a_waiting_run_rejects_its_approval(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        run_id, approval = await self._park(runner, fake_llm)
        assert (await runner.post(f"/api/runs/{run_id}/cancel")).json()["status"] == "cancelled"
        assert (await runner.get(f"/api/approvals/{approval['id']}")).json()["status"] == "rejected"
