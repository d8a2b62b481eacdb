"""Child runs as an engine mechanism, driven by the agent kind's `delegate` tool: create,
wait without a worker slot, resume with the results, cancel cascade, limits, roll-up,
the nested trace, and child identity (no double start)."""

from __future__ import annotations

from typing import Any

import orjson
from httpx import AsyncClient
from sqlalchemy import text

from openintern.runtime.children import START_CHILDREN, child_run_id
from tests.runtime.test_agent_runs import assert_gap_free, events_of, types, wait_status


def delegating(fake_llm: Any, tasks: list[dict[str, Any]], final: str = "both done") -> str:
    """A parent model: delegate ``tasks``, then answer ``final``."""
    return str(
        fake_llm.register(
            [{"tool_calls": [{"name": "delegate", "arguments": {"tasks": tasks}}]}, {"text": final}]
        )
    )


async def children_of(client: AsyncClient, run_id: str) -> list[dict[str, Any]]:
    resp = await client.get("/api/runs", params={"parent_run_id": run_id})
    assert resp.status_code == 200, resp.text
    return sorted(resp.json()["items"], key=lambda r: r["agent_id"])


class TestDelegate:
    async def test_children_run_and_the_parent_resumes_with_their_answers(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        tasks = [
            {"input": "alpha", "model": "fake/echo", "agent_id": "a"},
            {"input": "beta", "model": "fake/echo", "agent_id": "b"},
        ]
        body = {"input": "split it", "model": delegating(fake_llm, tasks), "tools": ["delegate", "echo"]}
        parent = (await runner.post("/api/runs", json=body)).json()
        done = await wait_status(runner, parent["run_id"])
        assert done["status"] == "completed" and done["output"] == "both done", done

        children = await children_of(runner, parent["run_id"])
        assert [(c["agent_id"], c["status"], c["output"], c["depth"]) for c in children] == [
            ("a", "completed", "echo: alpha", 1),
            ("b", "completed", "echo: beta", 1),
        ]
        assert {c["id"] for c in children} == {child_run_id(parent["run_id"], 1, i) for i in (0, 1)}

        log = await events_of(runner, parent["run_id"])
        assert_gap_free(log)
        assert types(log) == [
            "run.started",
            "step.started",
            "llm.started",
            "llm.called",
            "tool.called",
            "run.children_started",
            "run.resumed",
            "run.children_completed",
            "tool.result",
            "step.completed",
            "step.started",
            "llm.started",
            "llm.called",
            "step.completed",
            "run.completed",
        ]
        result = next(e for e in log if e["type"] == "tool.result")["payload"]
        assert "echo: alpha" in result["result"] and "echo: beta" in result["result"]
        assert not result["is_error"]

        own = sum(e["payload"]["usage"]["total_tokens"] for e in log if e["type"] == "llm.called")
        theirs = sum(c["usage"]["total_tokens"] for c in children)
        assert theirs > 0 and done["usage"]["total_tokens"] == own + theirs, "children's usage rolls up"

    async def test_a_child_gets_only_tools_its_parent_has(
        self, run_app: Any, runner: AsyncClient, fake_llm: Any
    ) -> None:
        tasks = [{"input": "x", "model": "fake/echo", "tools": ["echo", "run_command"]}, {"input": "y"}]
        parent_model = delegating(fake_llm, tasks)
        body = {"input": "go", "model": parent_model, "tools": ["delegate", "echo"]}
        parent = (await runner.post("/api/runs", json=body)).json()
        await wait_status(runner, parent["run_id"])
        async with run_app.state.platform.db.system() as session:
            rows = await session.execute(
                text("SELECT agent_id, config FROM runs WHERE parent_run_id = :p"), {"p": parent["run_id"]}
            )
            configs = {r.agent_id: r.config for r in rows}
        assert configs["sub-1"]["tools"] == ["echo"]  # run_command is not the parent's
        assert configs["sub-2"]["tools"] == ["echo"]  # no delegate: the parent's tools less it
        assert configs["sub-2"]["model"] == parent_model  # inherited

    async def test_the_trace_nests_each_child_under_the_step_that_started_it(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        tasks = [{"input": "alpha", "model": "fake/echo"}]
        body = {"input": "t", "model": delegating(fake_llm, tasks), "tools": ["delegate"]}
        parent = (await runner.post("/api/runs", json=body)).json()
        await wait_status(runner, parent["run_id"])
        spans = (await runner.get(f"/api/runs/{parent['run_id']}/trace")).json()["spans"]
        by_id = {s["span_id"]: s for s in spans}
        child = child_run_id(parent["run_id"], 1, 0)
        child_span = by_id[f"run-{child}"]
        assert child_span["kind"] == "child_run" and child_span["parent_span_id"] == "step-1"
        assert child_span["status"] == "ok" and child_span["attributes"]["run_id"] == child
        inner = [s for s in spans if s["span_id"].startswith(f"{child}/")]
        assert {s["kind"] for s in inner} == {"step", "llm"}
        assert by_id[f"{child}/step-1"]["parent_span_id"] == f"run-{child}"
        assert len(by_id) == len(spans), "span ids are unique across the tree"


class TestCancelAndLimits:
    async def test_cancel_of_a_waiting_parent_cascades_to_its_children(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        slow = "fake/loop?tool=echo&n=200&latency_ms=100"
        tasks = [{"input": "long", "model": slow}, {"input": "long too", "model": slow}]
        body = {"input": "go", "model": delegating(fake_llm, tasks), "tools": ["delegate", "echo"]}
        parent = (await runner.post("/api/runs", json=body)).json()
        waiting = await wait_status(runner, parent["run_id"], {"waiting"})
        assert waiting["wait_reason"] == "children"
        for child in await children_of(runner, parent["run_id"]):
            await wait_status(runner, child["id"], {"running"})
        resp = await runner.post(f"/api/runs/{parent['run_id']}/cancel")
        assert resp.status_code == 200 and resp.json()["status"] == "cancelled", resp.text
        for child in await children_of(runner, parent["run_id"]):
            assert (await wait_status(runner, child["id"], timeout=10))["status"] == "cancelled"
            assert types(await events_of(runner, child["id"]))[-1] == "run.cancelled"
        assert (await runner.get(f"/api/runs/{parent['run_id']}")).json()["status"] == "cancelled"

    async def test_fan_out_over_the_limit_fails_the_parent_naming_the_setting(
        self, run_app: Any, runner: AsyncClient, fake_llm: Any
    ) -> None:
        run_app.state.platform.settings.runtime.max_children_per_run = 1
        tasks = [{"input": "a", "model": "fake/echo"}, {"input": "b", "model": "fake/echo"}]
        body = {"input": "go", "model": delegating(fake_llm, tasks), "tools": ["delegate"]}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "failed" and "runtime.max_children_per_run" in run["error"], run
        assert await children_of(runner, run["run_id"]) == [], "nothing was started"

    async def test_depth_over_the_limit_fails_the_parent_naming_the_setting(
        self, run_app: Any, runner: AsyncClient, fake_llm: Any
    ) -> None:
        run_app.state.platform.settings.runtime.max_child_depth = 0
        body = {"input": "go", "model": delegating(fake_llm, [{"input": "a"}]), "tools": ["delegate"]}
        run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
        assert run["status"] == "failed" and "runtime.max_child_depth" in run["error"], run


class TestIdentity:
    def test_a_child_id_is_derived_from_parent_step_and_index(self) -> None:
        parent = "run_01jd3k8x0000000000000000ab"
        assert child_run_id(parent, 3, 1) == child_run_id(parent, 3, 1)
        ids = {child_run_id(parent, step, i) for step in range(1, 20) for i in range(20)}
        assert len(ids) == 19 * 20
        assert all(len(i) == len(parent) and i.startswith(parent[:14]) for i in ids), "time prefix kept"

    async def test_starting_the_same_children_twice_inserts_them_once(
        self, app: Any, admin: AsyncClient
    ) -> None:
        parent = (await admin.post("/api/runs", json={"input": "p"})).json()["run_id"]
        children = [
            {"id": child_run_id(parent, 1, i), "kind": "agent", "agent_id": f"c{i}", "input": {"text": "x"}}
            | {"config": {}, "metadata": {}}
            for i in range(2)
        ]
        params = {"parent_id": parent, "children": orjson.dumps(children).decode()}
        async with app.state.platform.db.system() as session:
            await session.execute(START_CHILDREN, params)
            await session.execute(START_CHILDREN, params)  # a repeated spawn after a crash
            count = await session.scalar(
                text("SELECT count(*) FROM runs WHERE parent_run_id = :p"), {"p": parent}
            )
        assert count == 2
