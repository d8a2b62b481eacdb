"""Every teams endpoint: roles, groups, members, stats, runs, the blackboard, and the 4xx
answers to bad input (each names the field)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.runtime.test_agent_runs import wait_status
from tests.teams.helpers import role, start, team


def problem_field(resp: Any) -> list[str]:
    return [e["field"] for e in resp.json().get("errors", [])]


class TestRoles:
    async def test_crud_and_list(self, admin: AsyncClient) -> None:
        made = await role(admin, "Reviewer", description="checks", tools=["echo"], memory_scope="none")
        assert made["tools"] == ["echo"] and made["memory_scope"] == "none" and made["tool_policies"] == []
        assert (await admin.get(f"/api/roles/{made['id']}")).json()["name"] == "Reviewer"
        changed = await admin.put(
            f"/api/roles/{made['id']}", json={"description": "reviews code", "model": None}
        )
        assert changed.status_code == 200 and changed.json()["description"] == "reviews code"
        assert changed.json()["model"] is None and changed.json()["system_prompt"] == "You are the Reviewer."
        names = [r["name"] for r in (await admin.get("/api/roles")).json()["items"]]
        assert "Reviewer" in names
        assert (await admin.delete(f"/api/roles/{made['id']}")).status_code == 204
        assert (await admin.get(f"/api/roles/{made['id']}")).status_code == 404

    async def test_tool_policies_are_the_roles_own_rules(self, admin: AsyncClient) -> None:
        rules = [
            {"pattern": "write_*", "action": "require_approval"},
            {"pattern": "run_command", "action": "block"},
        ]
        made = await role(admin, "Guarded", tool_policies=rules)
        assert sorted((r["pattern"], r["action"]) for r in made["tool_policies"]) == [
            ("run_command", "block"),
            ("write_*", "require_approval"),
        ]
        policies = (await admin.get("/api/tool-policies")).json()["items"]
        assert {p["pattern"] for p in policies if p["role_id"] == made["id"]} == {"write_*", "run_command"}
        await admin.put(f"/api/roles/{made['id']}", json={"tool_policies": []})
        policies = (await admin.get("/api/tool-policies")).json()["items"]
        assert not [p for p in policies if p["role_id"] == made["id"]]

    async def test_bad_input_names_the_field(self, admin: AsyncClient) -> None:
        empty = await admin.post("/api/roles", json={"name": "x"})
        assert empty.status_code == 422 and "body.system_prompt" in problem_field(empty)
        tool = await admin.post("/api/roles", json={"name": "x", "system_prompt": "p", "tools": ["nope"]})
        assert tool.status_code == 422 and problem_field(tool) == ["body.tools.0"]
        await role(admin, "Twin")
        twin = await admin.post("/api/roles", json={"name": "Twin", "system_prompt": "p"})
        assert twin.status_code == 409
        scope = await admin.post(
            "/api/roles", json={"name": "y", "system_prompt": "p", "memory_scope": "all"}
        )
        assert scope.status_code == 422 and "body.memory_scope" in problem_field(scope)

    async def test_a_spawn_cycle_is_refused(self, admin: AsyncClient) -> None:
        a = await role(admin, "A")
        b = await role(admin, "B", spawn_roles=[a["id"]])
        cycle = await admin.put(f"/api/roles/{a['id']}", json={"spawn_roles": [b["id"]]})
        assert cycle.status_code == 422 and problem_field(cycle) == ["body.spawn_roles"]
        assert "cycle" in cycle.json()["detail"]
        itself = await admin.put(f"/api/roles/{a['id']}", json={"spawn_roles": [a["id"]]})
        assert itself.status_code == 422
        unknown = await admin.put(f"/api/roles/{a['id']}", json={"spawn_roles": ["role_nope"]})
        assert unknown.status_code == 422 and problem_field(unknown) == ["body.spawn_roles.0"]
        assert (await admin.get(f"/api/roles/{a['id']}")).json()["spawn_roles"] == []

    async def test_a_role_in_a_group_is_not_deleted(self, admin: AsyncClient) -> None:
        seated = await role(admin, "Seated")
        await team(admin, "Crew", [(seated, True)])
        refused = await admin.delete(f"/api/roles/{seated['id']}")
        assert refused.status_code == 409 and "'Crew'" in refused.json()["detail"]
        assert (await admin.get(f"/api/roles/{seated['id']}")).status_code == 200

    async def test_batch_delete_is_all_or_none(self, admin: AsyncClient) -> None:
        one, two = await role(admin, "One"), await role(admin, "Two")
        missing = await admin.post("/api/roles/batch-delete", json={"ids": [one["id"], "role_missing"]})
        assert missing.status_code == 404
        assert (await admin.get(f"/api/roles/{one['id']}")).status_code == 200
        done = await admin.post("/api/roles/batch-delete", json={"ids": [one["id"], two["id"]]})
        assert done.status_code == 200 and sorted(done.json()["deleted"]) == sorted([one["id"], two["id"]])
        assert (await admin.post("/api/roles/batch-delete", json={"ids": []})).status_code == 422

    async def test_a_run_can_name_a_role_and_the_stats_count_it(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        made = await role(runner, "Solo", model=fake_llm.register([{"text": "as the role"}]))
        run = (await runner.post("/api/runs", json={"input": "hi", "role_id": made["id"]})).json()
        done = await wait_status(runner, run["run_id"])
        assert done["output"] == "as the role" and done["model"] == made["model"]
        stats = (await runner.get(f"/api/roles/{made['id']}/stats")).json()
        assert stats["runs"] == 1 and stats["completed"] == 1 and stats["success_rate"] == 1.0
        assert stats["usage"]["total_tokens"] > 0 and stats["last_used_at"]
        unknown = await runner.post("/api/runs", json={"input": "hi", "role_id": "role_nope"})
        assert unknown.status_code == 422 and problem_field(unknown) == ["body.role_id"]


class TestGroups:
    async def test_crud_members_and_order(self, admin: AsyncClient) -> None:
        a, b, c = await role(admin, "Ann"), await role(admin, "Bob"), await role(admin, "Cy")
        group = await team(admin, "Trio", [(a, False), (b, False), (c, True)], orchestrator="parallel")
        got = (await admin.get(f"/api/groups/{group['id']}")).json()
        assert [m["agent_id"] for m in got["members"]] == ["ann", "bob", "cy"]
        assert [m["is_lead"] for m in got["members"]] == [False, False, True]
        bob = got["members"][1]
        moved = await admin.put(
            f"/api/groups/{group['id']}/members/{bob['id']}", json={"position": 0, "is_lead": True}
        )
        assert moved.status_code == 200 and moved.json()["is_lead"]
        members = (await admin.get(f"/api/groups/{group['id']}/members")).json()["items"]
        assert next(m["agent_id"] for m in members) == "bob"
        assert [m["agent_id"] for m in members if m["is_lead"]] == ["bob"], "one lead per group"
        assert (await admin.delete(f"/api/groups/{group['id']}/members/{bob['id']}")).status_code == 204
        changed = await admin.put(
            f"/api/groups/{group['id']}", json={"orchestrator": "lead_directed", "max_rounds": 5}
        )
        assert changed.json()["orchestrator"] == "lead_directed" and changed.json()["max_rounds"] == 5
        assert len(changed.json()["members"]) == 2
        assert group["id"] in [g["id"] for g in (await admin.get("/api/groups")).json()["items"]]
        assert (await admin.delete(f"/api/groups/{group['id']}")).status_code == 204
        assert (await admin.get(f"/api/groups/{group['id']}")).status_code == 404
        assert (await admin.delete(f"/api/roles/{b['id']}")).status_code == 204, "no group seats it now"

    async def test_bad_input_names_the_field(self, admin: AsyncClient) -> None:
        bad = await admin.post("/api/groups", json={"name": "g", "orchestrator": "round_robin"})
        assert bad.status_code == 422 and "body.orchestrator" in problem_field(bad)
        group = (await admin.post("/api/groups", json={"name": "Empty", "orchestrator": "serial"})).json()
        unknown = await admin.post(f"/api/groups/{group['id']}/members", json={"role_id": "role_nope"})
        assert unknown.status_code == 422 and problem_field(unknown) == ["body.role_id"]
        empty = await admin.post(f"/api/groups/{group['id']}/runs", json={"input": "t"})
        assert empty.status_code == 422 and problem_field(empty) == ["path.group_id"]
        nothing = await admin.post(f"/api/groups/{group['id']}/runs", json={})
        assert nothing.status_code == 422 and "body.input" in problem_field(nothing)
        a = await role(admin, "Dup")
        await admin.post(f"/api/groups/{group['id']}/members", json={"role_id": a["id"]})
        twice = await admin.post(f"/api/groups/{group['id']}/members", json={"role_id": a["id"]})
        assert twice.status_code == 409
        runs = (await admin.get("/api/runs", params={"kind": "group"})).json()["items"]
        assert runs == [], "no half-written run"

    async def test_runs_and_stats(self, runner: AsyncClient, fake_llm: Any) -> None:
        lead = await role(runner, "Only", model=fake_llm.register([{"text": "alone"}]))
        group = await team(runner, "Solo", [(lead, True)])
        run = await start(runner, group["id"], "t", session_key="s-1")
        await wait_status(runner, run["run_id"])
        history = (await runner.get(f"/api/groups/{group['id']}/runs")).json()["items"]
        assert [r["id"] for r in history] == [run["run_id"]]
        stats = (await runner.get(f"/api/groups/{group['id']}/stats")).json()
        assert stats["runs"] == 1 and stats["completed"] == 1 and stats["usage"]["total_tokens"] > 0
        role_stats = (await runner.get(f"/api/roles/{lead['id']}/stats")).json()
        assert role_stats["runs"] == 1, "the member turn counts for its role"


class TestBlackboard:
    async def test_post_list_search_get(self, admin: AsyncClient) -> None:
        a = await role(admin, "Scribe")
        group = await team(admin, "Notes", [(a, True)])
        url = f"/api/groups/{group['id']}/blackboard"
        posted = await admin.post(
            url, json={"title": "Deploy window", "content": "Fridays are frozen", "kind": "decision"}
        )
        assert posted.status_code == 201 and posted.json()["kind"] == "decision"
        await admin.post(url, json={"title": "Lunch", "content": "pizza on Tuesdays"})
        items = (await admin.get(url)).json()["items"]
        assert [e["title"] for e in items] == ["Lunch", "Deploy window"]
        found = (await admin.get(url, params={"q": "frozen Fridays"})).json()["items"]
        assert found[0]["title"] == "Deploy window" and found[0]["score"] is not None
        one = await admin.get(f"{url}/{posted.json()['id']}")
        assert one.status_code == 200 and one.json()["content"] == "Fridays are frozen"
        other = await team(admin, "Other", [])
        assert (
            await admin.get(f"/api/groups/{other['id']}/blackboard/{posted.json()['id']}")
        ).status_code == 404
        bad = await admin.post(url, json={"title": "", "content": "x"})
        assert bad.status_code == 422 and "body.title" in problem_field(bad)
