"""Agent runs end to end: API → queue → in-process worker → fake LLM over HTTP → event log."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from httpx import AsyncClient

TERMINAL = {"completed", "failed", "cancelled"}


async def wait_status(
    client: AsyncClient, run_id: str, statuses: set[str] = TERMINAL, timeout: float = 20
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        resp = await client.get(f"/api/runs/{run_id}")
        if resp.status_code == 503:  # the database connection was lost: retry, as a client would
            await asyncio.sleep(0.05)
            continue
        run = resp.json()
        if run["status"] in statuses:
            return dict(run)
        assert asyncio.get_running_loop().time() < deadline, f"run stuck in {run['status']}: {run}"
        await asyncio.sleep(0.05)


async def events_of(client: AsyncClient, run_id: str) -> list[dict[str, Any]]:
    resp = await client.get(f"/api/runs/{run_id}/events", params={"limit": 1000})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["events"])


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events if e["type"] != "llm.token"]


def assert_gap_free(events: list[dict[str, Any]]) -> None:
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


class TestAgentLoop:
    async def test_plain_answer(self, runner: AsyncClient) -> None:
        resp = await runner.post("/api/runs", json={"input": "hello there"})
        assert resp.status_code == 201
        assert resp.json()["status"] == "queued"
        run = await wait_status(runner, resp.json()["run_id"])
        assert run["status"] == "completed", run
        assert run["output"] == "echo: hello there"
        assert run["usage"]["total_tokens"] > 0 and run["steps"] == 1
        events = await events_of(runner, run["run_id"])
        assert_gap_free(events)
        assert types(events) == [
            "run.started",
            "step.started",
            "llm.started",
            "llm.called",
            "step.completed",
            "run.completed",
        ]
        streamed = "".join(e["payload"]["delta"] for e in events if e["type"] == "llm.token")
        assert streamed == "echo: hello there"
        assert all(e["agent_id"] == "main" for e in events)

    async def test_openrunner_input_shape_and_metadata(self, runner: AsyncClient) -> None:
        body = {"input": {"text": "shaped"}, "metadata": {"agent_type": "claude_code", "cwd": "/tmp/x"}}
        run = (await runner.post("/api/runs", json=body)).json()
        assert run["input"] == "shaped" and run["metadata"]["cwd"] == "/tmp/x"
        assert (await wait_status(runner, run["run_id"]))["output"] == "echo: shaped"

    async def test_tool_loop(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register(
            [
                {"tool_calls": [{"name": "echo", "arguments": {"text": "ping"}}]},
                {"text": "the tool said ping"},
            ]
        )
        body = {"input": "use the tool", "model": model, "tools": ["echo"]}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "completed" and run["output"] == "the tool said ping" and run["steps"] == 2
        events = await events_of(runner, run["run_id"])
        assert_gap_free(events)
        assert types(events) == [
            "run.started",
            "step.started",
            "llm.started",
            "llm.called",
            "tool.called",
            "tool.result",
            "step.completed",
            "step.started",
            "llm.started",
            "llm.called",
            "step.completed",
            "run.completed",
        ]
        result = next(e for e in events if e["type"] == "tool.result")
        assert result["payload"]["result"] == "ping" and result["payload"]["is_error"] is False
        last_request = fake_llm.requests()[-1]["body"]["messages"]
        assert last_request[-1] == {
            "role": "tool",
            "tool_call_id": result["payload"]["tool_call_id"],
            "content": "ping",
        }

    async def test_bad_tool_argument_goes_back_to_the_model(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register(
            [
                {"tool_calls": [{"name": "echo", "arguments": {"txt": "typo"}}]},
                {"text": "sorry, fixed"},
            ]
        )
        run = await wait_status(
            runner,
            (await runner.post("/api/runs", json={"input": "x", "model": model, "tools": ["echo"]})).json()[
                "run_id"
            ],
        )
        assert run["status"] == "completed"
        result = next(e for e in await events_of(runner, run["run_id"]) if e["type"] == "tool.result")
        assert result["payload"]["is_error"] is True
        assert "text" in result["payload"]["result"]

    async def test_max_steps_fails_with_reason(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register([{"tool_calls": [{"name": "echo", "arguments": {"text": "again"}}]}])
        body = {"input": "loop forever", "model": model, "tools": ["echo"], "max_steps": 3}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "failed" and "max_steps (3)" in run["error"]
        assert run["steps"] == 3
        # It says what to raise, and where: the run's own setting and the platform's default.
        assert "`max_steps` in the run request" in run["error"] and "a role's runs" in run["error"]
        assert (
            "runtime.default_max_steps" in run["error"]
            and "OPENINTERN_RUNTIME__DEFAULT_MAX_STEPS" in run["error"]
        )

    async def test_twenty_tool_calls_in_a_row_finish_by_default(self, runner: AsyncClient) -> None:
        """The default (50 steps) lets a tool-heavy task finish: at 20 it failed one step short
        of its answer (issue 23), where LangGraph's default lets the same agent finish."""
        body = {"input": "work hard", "model": "fake/loop?tool=echo&n=20", "tools": ["echo"]}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "completed", run["error"]
        assert run["steps"] == 21 and "done after 20 tool calls" in run["output"]

    async def test_llm_429_then_200_completes(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register(
            [{"text": "after a retry", "error": {"status": 429, "times": 1, "headers": {"retry-after": "0"}}}]
        )
        run = await wait_status(
            runner,
            (await runner.post("/api/runs", json={"input": "rate limited", "model": model})).json()["run_id"],
        )
        assert run["status"] == "completed" and run["output"] == "after a retry"
        hits = [r for r in fake_llm.requests() if r["body"].get("model") == model]
        assert len(hits) == 2

    async def test_unknown_model_fails_clearly(self, runner: AsyncClient) -> None:
        run = await wait_status(
            runner,
            (await runner.post("/api/runs", json={"input": "x", "model": "no-such-model"})).json()["run_id"],
        )
        assert run["status"] == "failed" and "no-such-model" in run["error"]

    async def test_session_continues_the_conversation(self, runner: AsyncClient, fake_llm: Any) -> None:
        first = (
            await runner.post("/api/runs", json={"input": "my name is Ada", "session_key": "s-1"})
        ).json()
        await wait_status(runner, first["run_id"])
        second = (
            await runner.post("/api/runs", json={"input": "what is my name?", "session_key": "s-1"})
        ).json()
        await wait_status(runner, second["run_id"])
        sent = fake_llm.requests()[-1]["body"]["messages"]
        contents = [m["content"] for m in sent]
        assert contents[1:] == ["my name is Ada", "echo: my name is Ada", "what is my name?"]
        page = (await runner.get("/api/sessions/s-1/runs", params={"page": 1, "limit": 10})).json()
        assert page["total"] == 2 and [r["run_id"] for r in page["items"]] == [
            first["run_id"],
            second["run_id"],
        ]

    async def test_idempotency_key_returns_the_same_run(self, runner: AsyncClient) -> None:
        headers = {"Idempotency-Key": "create-once-123"}
        a = await runner.post("/api/runs", json={"input": "once"}, headers=headers)
        b = await runner.post("/api/runs", json={"input": "once"}, headers=headers)
        assert a.status_code == b.status_code == 201
        assert a.json()["run_id"] == b.json()["run_id"] and b.headers["idempotent-replayed"] == "true"
        c = await runner.post("/api/runs", json={"input": "different"}, headers=headers)
        assert c.status_code == 409
        listed = (await runner.get("/api/runs")).json()["items"]
        assert [r["run_id"] for r in listed].count(a.json()["run_id"]) == 1

    async def test_chat_fallback_returns_the_answer(self, runner: AsyncClient) -> None:
        resp = await runner.post("/api/chat", json={"message": "hi"})
        assert resp.status_code == 200
        assert resp.json()["status"] == "completed" and resp.json()["output"] == "echo: hi"

    async def test_list_filters_and_trace(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register(
            [{"tool_calls": [{"name": "current_time", "arguments": {}}]}, {"text": "done"}]
        )
        run = await wait_status(
            runner,
            (
                await runner.post("/api/runs", json={"input": "t", "model": model, "tools": ["current_time"]})
            ).json()["run_id"],
        )
        completed = (await runner.get("/api/runs", params={"status": "completed"})).json()["items"]
        assert run["run_id"] in {r["run_id"] for r in completed}
        assert (await runner.get("/api/runs", params={"status": "failed"})).json()["items"] == []
        trace = (await runner.get(f"/api/runs/{run['run_id']}/trace")).json()
        kinds = [s["kind"] for s in trace["spans"]]
        assert (
            kinds.count("step") == 2
            and kinds.count("llm") == 2
            and kinds.count("tool") == 1
            and "run" in kinds
        )
        assert all(s["duration_ms"] is not None for s in trace["spans"])
        exported = await runner.get(f"/api/runs/{run['run_id']}/export", params={"format": "jsonl"})
        lines = [json.loads(x) for x in exported.text.splitlines()]
        assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))


class TestProviders:
    async def test_no_provider_fails_at_once_with_how_to(
        self, client: AsyncClient, admin_token: str, app: Any
    ) -> None:
        # `app` here has no LLM settings and (without workers_in_process) … use the runtime worker of `app`.
        client.headers["Authorization"] = f"Bearer {admin_token}"
        run = (await client.post("/api/runs", json={"input": "anyone there?"})).json()
        done = await wait_status(client, run["run_id"])
        assert done["status"] == "failed"
        assert "LLM_PROVIDER" in done["error"] and "openintern dev fake-llm" in done["error"]

    async def test_org_provider_with_encrypted_key(
        self, runner: AsyncClient, fake_llm: Any, run_app: Any
    ) -> None:
        created = await runner.post(
            "/api/providers",
            json={
                "name": "local",
                "kind": "openai",
                "model": "fake/echo",
                "base_url": fake_llm.openai_base_url,
                "api_key": "sk-secret-value",
                "is_default": True,
            },
        )
        assert created.status_code == 201 and created.json()["has_api_key"] is True
        assert "sk-secret-value" not in created.text
        from sqlalchemy import text

        async with run_app.state.platform.db.system() as session:
            stored = await session.scalar(text("SELECT api_key_encrypted FROM providers"))
        assert stored and "sk-secret-value" not in stored
        test = (await runner.post(f"/api/providers/{created.json()['id']}/test")).json()
        assert test["ok"] is True, test
        run = await wait_status(
            runner, (await runner.post("/api/runs", json={"input": "via org provider"})).json()["run_id"]
        )
        assert run["output"] == "echo: via org provider"
        sent = fake_llm.requests()[-1]["headers"]
        assert (
            sent.get("Authorization") == "Bearer sk-secret-value"
            or sent.get("authorization") == "Bearer sk-secret-value"
        )

    async def test_provider_test_reports_bad_model(self, runner: AsyncClient, fake_llm: Any) -> None:
        created = (
            await runner.post(
                "/api/providers",
                json={
                    "name": "broken",
                    "kind": "openai",
                    "model": "nope-model",
                    "base_url": fake_llm.openai_base_url,
                    "api_key": "k",
                },
            )
        ).json()
        test = (await runner.post(f"/api/providers/{created['id']}/test")).json()
        assert test["ok"] is False and "nope-model" in test["detail"]
        # A provider that is not the org's default is used only when a run names it.
        run = await wait_status(
            runner, (await runner.post("/api/runs", json={"input": "still fine"})).json()["run_id"]
        )
        assert run["status"] == "completed" and run["output"] == "echo: still fine"
        named = (await runner.post("/api/runs", json={"input": "x", "provider": "broken"})).json()["run_id"]
        assert "nope-model" in (await wait_status(runner, named))["error"]


class TestBatch:
    async def test_a_batch_creates_ordinary_runs_in_order(self, runner: AsyncClient) -> None:
        inputs = ["first", "second", "third"]
        body = {
            "runs": [
                {"input": inputs[0]},
                {"input": {"text": inputs[1]}},
                {"input": inputs[2], "max_steps": 3},
            ]
        }
        resp = await runner.post("/api/runs/batch", json=body)
        assert resp.status_code == 201, resp.text
        runs = resp.json()["runs"]
        assert [r["input"] for r in runs] == inputs and {r["status"] for r in runs} == {"queued"}
        assert len({r["run_id"] for r in runs}) == 3
        for run, text in zip(runs, inputs, strict=True):
            done = await wait_status(runner, run["run_id"])
            assert done["status"] == "completed" and done["output"] == f"echo: {text}"
            assert_gap_free(await events_of(runner, run["run_id"]))

    async def test_a_bad_run_rejects_the_whole_batch(self, runner: AsyncClient) -> None:
        before = len((await runner.get("/api/runs")).json()["items"])
        cases = [
            ({"runs": [{"input": "ok"}, {"input": "x", "tools": ["no_such_tool"]}]}, "body.runs.1.tools.0"),
            ({"runs": [{"input": "ok"}, {"input": "ok"}, {"model": "m"}]}, "body.runs.2.input"),
            ({"runs": []}, "body.runs"),
            ({"runs": [{"input": "x"}] * 1001}, "body.runs"),
        ]
        for body, field in cases:
            resp = await runner.post("/api/runs/batch", json=body)
            assert resp.status_code == 422, resp.text
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert field in {e["field"] for e in resp.json()["errors"]}, resp.json()
        narrowed = {"runs": [{"input": "ok"}, {"input": "x", "org_id": "org_someone_else"}]}
        assert (await runner.post("/api/runs/batch", json=narrowed)).status_code == 403
        missing = {"runs": [{"input": "ok"}, {"input": "x", "project_id": "prj_nope"}]}
        assert (await runner.post("/api/runs/batch", json=missing)).status_code == 404
        keyed = await runner.post(
            "/api/runs/batch", json={"runs": [{"input": "x"}]}, headers={"Idempotency-Key": "k-1"}
        )
        assert keyed.status_code == 422 and keyed.json()["errors"][0]["field"] == "header.idempotency-key"
        assert len((await runner.get("/api/runs")).json()["items"]) == before, "a rejected batch wrote runs"
