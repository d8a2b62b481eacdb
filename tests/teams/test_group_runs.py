"""Group runs on the engine: each orchestrator's event sequence, member turns as child
runs, the blackboard entry, approvals inside a member, cancel, a role's tool rules."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient
from sqlalchemy import text

from openintern.runtime.children import child_run_id
from tests.runtime.test_agent_runs import assert_gap_free, events_of, types, wait_status
from tests.teams.helpers import messages, role, start, team


class TestSerial:
    async def test_members_in_order_then_the_lead_decides(self, runner: AsyncClient, fake_llm: Any) -> None:
        reviewer = await role(runner, "Reviewer")
        researcher = await role(runner, "Researcher")
        lead = await role(runner, "Lead", model=fake_llm.register([{"text": "Ship it: both agree."}]))
        group = await team(runner, "Release", [(reviewer, False), (researcher, False), (lead, True)])

        run = await start(runner, group["id"], "Should we ship 2.0?")
        assert run["kind"] == "group"
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed", done
        assert done["output"] == "Ship it: both agree."

        log = await events_of(runner, run["run_id"])
        assert_gap_free(log)
        assert messages(log) == [
            ("message.task", "reviewer"),
            ("message.status", "reviewer"),
            ("message.status", "reviewer"),
            ("message.proposal", "reviewer"),
            ("message.task", "researcher"),
            ("message.status", "researcher"),
            ("message.status", "researcher"),
            ("message.proposal", "researcher"),
            ("message.task", "lead"),
            ("message.status", "lead"),
            ("message.status", "lead"),
            ("message.decision", "lead"),
        ]
        # Each event of a member carries the member as its agent (the UI's lanes).
        assert all(e["agent_id"] == e["payload"]["agent_id"] for e in log if e["type"].startswith("message."))
        # The second member saw the first one's proposal; the lead saw both.
        tasks = [e["payload"]["content"] for e in log if e["type"] == "message.task"]
        assert "Should we ship 2.0?" in tasks[0] and "[reviewer]" in tasks[1] and "[researcher]" in tasks[2]
        # Member turns are child runs, one per step, nested under the group run.
        kids = (await runner.get("/api/runs", params={"parent_run_id": run["run_id"]})).json()["items"]
        assert sorted(k["id"] for k in kids) == sorted(child_run_id(run["run_id"], s, 0) for s in (1, 2, 3))
        assert {k["status"] for k in kids} == {"completed"}
        assert types(log).count("run.children_started") == 3
        own = done["usage"]["total_tokens"]
        assert own == sum(k["usage"]["total_tokens"] for k in kids) > 0, "members' usage rolls up"

    async def test_a_team_larger_than_the_attempt_limit_finishes(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        """Parking is no failed attempt: a team of 7 resumes 7 times (MAX_ATTEMPTS is 5)."""
        from openintern.runtime.execution import MAX_ATTEMPTS

        seats = [(await role(runner, f"M{i}"), i == 6) for i in range(7)]
        group = await team(runner, "Seven", seats)
        run = await start(runner, group["id"], "t")
        done = await wait_status(runner, run["run_id"], timeout=60)
        assert done["status"] == "completed", done
        assert done["attempt"] == 8 > MAX_ATTEMPTS

    async def test_the_blackboard_entry_is_written_once_and_links_the_run(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        a = await role(runner, "Analyst")
        lead = await role(runner, "Chair", model=fake_llm.register([{"text": "Decision: go."}]))
        group = await team(runner, "Board", [(a, False), (lead, True)])
        run = await start(runner, group["id"], "go or no go?")
        await wait_status(runner, run["run_id"])
        board = (await runner.get(f"/api/groups/{group['id']}/blackboard")).json()["items"]
        mine = [e for e in board if e["run_id"] == run["run_id"]]
        assert len(mine) == 1 and mine[0]["kind"] == "run" and mine[0]["tier"] == "episodic"
        assert "Decision: go." in mine[0]["content"] and "go or no go?" in mine[0]["content"]
        assert "**analyst**" in mine[0]["content"]
        one = await runner.get(f"/api/groups/{group['id']}/blackboard/{mine[0]['id']}")
        assert one.status_code == 200 and one.json()["id"] == mine[0]["id"]
        found = (await runner.get(f"/api/groups/{group['id']}/blackboard", params={"q": "go no go"})).json()
        assert [e["id"] for e in found["items"]][:1] == [mine[0]["id"]]


class TestParallel:
    async def test_members_at_once_then_the_lead(self, runner: AsyncClient, fake_llm: Any) -> None:
        a, b = await role(runner, "Alpha"), await role(runner, "Beta")
        lead = await role(runner, "Boss", model=fake_llm.register([{"text": "merged"}]))
        group = await team(runner, "Fan", [(a, False), (b, False), (lead, True)], orchestrator="parallel")
        run = await start(runner, group["id"], "task")
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed" and done["output"] == "merged"
        log = await events_of(runner, run["run_id"])
        assert types(log).count("run.children_started") == 2, "one step for the members, one for the lead"
        first = next(e for e in log if e["type"] == "run.children_started")["payload"]["children"]
        assert [c["agent_id"] for c in first] == ["alpha", "beta"]
        kinds = [t for t, _ in messages(log)]
        assert kinds.index("message.decision") > max(
            i for i, k in enumerate(kinds) if k == "message.proposal"
        )

    async def test_orchestrator_per_run_overrides_the_group(self, runner: AsyncClient, fake_llm: Any) -> None:
        a, b = await role(runner, "One"), await role(runner, "Two")
        lead = await role(runner, "Head", model=fake_llm.register([{"text": "ok"}]))
        group = await team(runner, "Pair", [(a, False), (b, False), (lead, True)], orchestrator="serial")
        run = await start(runner, group["id"], "t", orchestrator="parallel")
        await wait_status(runner, run["run_id"])
        log = await events_of(runner, run["run_id"])
        assert types(log).count("run.children_started") == 2


class TestLeadDirected:
    async def test_the_lead_assigns_then_decides(self, runner: AsyncClient, fake_llm: Any) -> None:
        coder, tester = await role(runner, "Coder"), await role(runner, "Tester")
        assign = {
            "assignments": [{"member": "coder", "task": "write it"}, {"member": "tester", "task": "test it"}]
        }
        script = [
            {"tool_calls": [{"name": "assign_tasks", "arguments": assign}]},
            {"text": "assigned"},
            {"text": "Done: written and tested."},
        ]
        lead = await role(runner, "Manager", model=fake_llm.register(script))
        group = await team(
            runner, "Dev", [(coder, False), (tester, False), (lead, True)], orchestrator="lead_directed"
        )
        run = await start(runner, group["id"], "build the feature")
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed", done
        assert done["output"] == "Done: written and tested."
        log = await events_of(runner, run["run_id"])
        assert [m for m in messages(log) if m[0] != "message.status"] == [
            ("message.task", "manager"),
            ("message.proposal", "manager"),
            ("message.task", "coder"),
            ("message.task", "tester"),
            ("message.proposal", "coder"),
            ("message.proposal", "tester"),
            ("message.task", "manager"),
            ("message.decision", "manager"),
        ]
        tasks = {e["payload"]["agent_id"]: e["payload"] for e in log if e["type"] == "message.task"}
        assert "write it" in tasks["coder"]["content"] and tasks["coder"]["round"] == 1
        assert tasks["manager"]["round"] == 2  # the last manager task: its second round

    async def test_the_round_limit_makes_the_lead_decide(self, runner: AsyncClient, fake_llm: Any) -> None:
        worker = await role(runner, "Worker")
        assign = {"assignments": [{"member": "worker", "task": "again"}]}
        script = [
            {"tool_calls": [{"name": "assign_tasks", "arguments": assign}]},
            {"text": "sent"},
            {"text": "final"},
        ]
        lead = await role(runner, "Foreman", model=fake_llm.register(script))
        group = await team(
            runner, "Loop", [(worker, False), (lead, True)], orchestrator="lead_directed", max_rounds=2
        )
        run = await start(runner, group["id"], "t")
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed" and done["output"] == "final"
        log = await events_of(runner, run["run_id"])
        lead_tasks = [
            e["payload"] for e in log if e["type"] == "message.task" and e["payload"]["agent_id"] == "foreman"
        ]
        assert [t["round"] for t in lead_tasks] == [1, 2]
        assert "final decision now" in lead_tasks[1]["content"], "the last round asks for the decision"


class TestGovernance:
    async def test_a_role_tool_rule_applies_in_its_member_runs(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        script = [{"tool_calls": [{"name": "echo", "arguments": {"text": "hi"}}]}, {"text": "blocked, fine"}]
        careful = await role(
            runner, "Careful", model=fake_llm.register(script), tools=["echo"],
            tool_policies=[{"pattern": "echo", "action": "block"}],
        )  # fmt: skip
        lead = await role(runner, "Decider", model=fake_llm.register([{"text": "ok"}]))
        group = await team(runner, "Gov", [(careful, False), (lead, True)])
        run = await start(runner, group["id"], "t")
        await wait_status(runner, run["run_id"])
        kid = child_run_id(run["run_id"], 1, 0)
        kinds = types(await events_of(runner, kid))
        assert "tool.blocked" in kinds and "tool.result" not in kinds

    async def test_an_approval_in_a_member_pauses_the_group_until_decided(
        self, runner: AsyncClient, fake_llm: Any
    ) -> None:
        script = [{"tool_calls": [{"name": "echo", "arguments": {"text": "risky"}}]}, {"text": "did it"}]
        asker = await role(
            runner, "Asker", model=fake_llm.register(script), tools=["echo"],
            tool_policies=[{"pattern": "echo", "action": "require_approval"}],
        )  # fmt: skip
        lead = await role(runner, "Judge", model=fake_llm.register([{"text": "approved path"}]))
        group = await team(runner, "Ask", [(asker, False), (lead, True)])
        run = await start(runner, group["id"], "t")
        kid = child_run_id(run["run_id"], 1, 0)
        await wait_status(runner, kid, {"waiting"})
        parent = await wait_status(runner, run["run_id"], {"waiting"})
        assert parent["wait_reason"] == "children"
        pending = (await runner.get("/api/approvals", params={"status": "pending"})).json()["items"]
        approval = next(a for a in pending if a["run_id"] == kid)
        assert (await runner.post(f"/api/approvals/{approval['id']}/approve", json={})).status_code == 200
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed" and done["output"] == "approved path"

    async def test_cancel_mid_group_stops_every_member(self, runner: AsyncClient, fake_llm: Any) -> None:
        slow = "fake/loop?tool=echo&n=50&latency_ms=100"
        a = await role(runner, "Slow", model=slow, tools=["echo"])
        lead = await role(runner, "Never", model=fake_llm.register([{"text": "unreached"}]))
        group = await team(runner, "Stop", [(a, False), (lead, True)])
        run = await start(runner, group["id"], "t")
        kid = child_run_id(run["run_id"], 1, 0)
        await wait_status(runner, kid, {"running"})
        assert (await runner.post(f"/api/runs/{run['run_id']}/cancel")).status_code == 200
        assert (await wait_status(runner, run["run_id"]))["status"] == "cancelled"
        assert (await wait_status(runner, kid))["status"] == "cancelled"
        await asyncio.sleep(0.3)
        kids = (await runner.get("/api/runs", params={"parent_run_id": run["run_id"]})).json()["items"]
        assert len(kids) == 1, "the lead never started"

    async def test_a_failed_member_is_reported_and_the_team_goes_on(
        self, run_app: Any, runner: AsyncClient, fake_llm: Any
    ) -> None:
        broken = await role(runner, "Broken", model="fake/no-such-model")
        lead = await role(runner, "Steady", model=fake_llm.register([{"text": "decided anyway"}]))
        group = await team(runner, "Rough", [(broken, False), (lead, True)])
        run = await start(runner, group["id"], "t")
        done = await wait_status(runner, run["run_id"])
        assert done["status"] == "completed" and done["output"] == "decided anyway"
        log = await events_of(runner, run["run_id"])
        status = [
            e["payload"]
            for e in log
            if e["type"] == "message.status" and e["payload"]["agent_id"] == "broken"
        ]
        assert [s["status"] for s in status] == ["working", "failed"] and status[1]["detail"]
        async with run_app.state.platform.db.system() as session:
            n = await session.scalar(
                text("SELECT count(*) FROM runs WHERE parent_run_id = :p"), {"p": run["run_id"]}
            )
        assert n == 2
