"""spawn_agent: a role or an ad-hoc sub-agent as a child run, and its limits (depth,
count, cost, the role's spawn_roles, cycles) told to the model, never failing the run."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from openintern.runtime.children import child_run_id
from tests.runtime.test_agent_runs import events_of, wait_status
from tests.teams.helpers import role


def spawning(fake_llm: Any, args: dict[str, Any], final: str = "done") -> str:
    return str(
        fake_llm.register([{"tool_calls": [{"name": "spawn_agent", "arguments": args}]}, {"text": final}])
    )


async def spawn_result(client: AsyncClient, run_id: str) -> dict[str, Any]:
    log = await events_of(client, run_id)
    return dict(
        next(e for e in log if e["type"] == "tool.result" and e["payload"]["name"] == "spawn_agent")[
            "payload"
        ]
    )


class TestSpawnAgent:
    async def test_a_role_answers_as_a_child_run(self, runner: AsyncClient, fake_llm: Any) -> None:
        helper = await role(runner, "Helper")  # fake/echo
        body = {
            "input": "go",
            "model": spawning(fake_llm, {"role": "Helper", "input": "look it up"}),
            "tools": ["spawn_agent"],
        }
        run = (await runner.post("/api/runs", json=body)).json()
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed" and done["output"] == "done"
        result = await spawn_result(runner, run["run_id"])
        assert result["result"] == "echo: look it up" and not result["is_error"]
        kid = (await runner.get(f"/api/runs/{child_run_id(run['run_id'], 1, 0)}")).json()
        assert kid["agent_id"] == "helper" and kid["depth"] == 1 and kid["parent_run_id"] == run["run_id"]
        stats = (await runner.get(f"/api/roles/{helper['id']}/stats")).json()
        assert stats["runs"] == 1

    async def test_an_ad_hoc_instruction(self, runner: AsyncClient, fake_llm: Any) -> None:
        args = {"instruction": "You translate.", "input": "bonjour", "agent_id": "translator"}
        run = (
            await runner.post(
                "/api/runs", json={"input": "go", "model": spawning(fake_llm, args), "tools": ["spawn_agent"]}
            )
        ).json()
        await wait_status(runner, run["run_id"])
        # The sub-agent has the parent's model (this script: its last reply is "done"),
        # the instruction as its system prompt, and the parent's tools less spawn_agent.
        assert (await spawn_result(runner, run["run_id"]))["result"] == "done"
        kid = child_run_id(run["run_id"], 1, 0)
        kid_log = await events_of(runner, kid)
        assert kid_log[0]["agent_id"] == "translator"
        assert (await runner.get(f"/api/runs/{kid}")).json()["input"] == "bonjour"

    async def test_a_role_may_spawn_only_its_spawn_roles_and_never_in_a_cycle(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        other = await role(runner, "Other")
        model = spawning(fake_llm, {"role": "Other", "input": "x"})
        boss = await role(runner, "Boss", model=model, tools=["spawn_agent"])
        run = (await runner.post("/api/runs", json={"input": "go", "role_id": boss["id"]})).json()
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed", "a refused spawn does not fail the run"
        result = await spawn_result(runner, run["run_id"])
        assert result["is_error"] and "may not spawn 'Other'" in result["result"]
        # Allowed now; and a role that spawns itself through another is refused at the API.
        await runner.put(f"/api/roles/{boss['id']}", json={"spawn_roles": [other["id"]]})
        cyc = await runner.put(f"/api/roles/{other['id']}", json={"spawn_roles": [boss["id"]]})
        assert cyc.status_code == 422
        run = (await runner.post("/api/runs", json={"input": "go", "role_id": boss["id"]})).json()
        await wait_status(runner, run["run_id"])
        assert (await spawn_result(runner, run["run_id"]))["result"] == "echo: x"

    async def test_depth_count_and_cost_limits_are_told_to_the_model(
        self, run_settings: Any, runner: AsyncClient, fake_llm: Any
    ) -> None:
        tools = {"tools": ["spawn_agent"]}
        limits = run_settings.runtime
        # Count: no child may be started by a run whose limit is 0.
        limits.max_children_per_run, saved = 0, limits.max_children_per_run
        try:
            model = spawning(fake_llm, {"instruction": "i", "input": "x"})
            run = (await runner.post("/api/runs", json={"input": "go", "model": model, **tools})).json()
            assert (await wait_status(runner, run["run_id"]))["status"] == "completed"
            result = await spawn_result(runner, run["run_id"])
            assert result["is_error"] and "runtime.max_children_per_run" in result["result"]
        finally:
            limits.max_children_per_run = saved
        # Depth: a top-level run at depth 0 may not spawn past a limit of 0.
        limits.max_child_depth, saved = 0, limits.max_child_depth
        try:
            run = (await runner.post("/api/runs", json={"input": "go", "model": model, **tools})).json()
            await wait_status(runner, run["run_id"])
            assert "runtime.max_child_depth" in (await spawn_result(runner, run["run_id"]))["result"]
        finally:
            limits.max_child_depth = saved
        # Cost: once the run's cost with its children's reaches the limit, no more spawns.
        await role(runner, "Priced", model="gpt-4o-mini")  # the fake prices it like the real one
        limits.max_spawn_cost_usd, saved_cost = 1e-9, limits.max_spawn_cost_usd
        try:
            spawn = {"name": "spawn_agent", "arguments": {"role": "Priced", "input": "a"}}
            model = fake_llm.register([{"tool_calls": [spawn]}, {"tool_calls": [spawn]}, {"text": "done"}])
            run = (await runner.post("/api/runs", json={"input": "go", "model": model, **tools})).json()
            done = await wait_status(runner, run["run_id"])
            assert done["status"] == "completed" and done["usage"]["cost_usd"] > 1e-9
            log = await events_of(runner, run["run_id"])
            results = [e["payload"] for e in log if e["type"] == "tool.result"]
            assert [r["is_error"] for r in results] == [False, True]
            assert "runtime.max_spawn_cost_usd" in results[1]["result"]
        finally:
            limits.max_spawn_cost_usd = saved_cost
