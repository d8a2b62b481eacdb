"""kill -9 of a worker in the middle of a group run: the group resumes on another worker
and no member whose turn had ended runs again (its answer is read back from its run)."""

from __future__ import annotations

import signal
from typing import Any

import httpx

from openintern.runtime.children import child_run_id
from tests.acceptance.conftest import Procs, events, login, wait_for


def test_kill_9_mid_group_reruns_no_finished_member(procs: Procs, fake_llm: Any) -> None:
    url = procs.api()
    auth = login(url)
    first = procs.spawn("worker", name="worker-1")

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = httpx.post(f"{url}{path}", json=body, headers=auth)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    slow = "fake/loop?tool=echo&n=4&latency_ms=250"
    roles = [
        post(
            "/api/roles",
            {"name": name, "system_prompt": f"You are {name}.", "model": model, "tools": ["echo"]},
        )
        for name, model in (("quick", "fake/echo"), ("slow", slow), ("lead", "fake/echo"))
    ]
    group = post("/api/groups", {"name": "failover", "orchestrator": "serial"})
    for i, role in enumerate(roles):
        post(f"/api/groups/{group['id']}/members", {"role_id": role["id"], "is_lead": i == 2})
    run_id = post(f"/api/groups/{group['id']}/runs", {"input": "survive"})["id"]

    def run(run_id: str) -> dict[str, Any]:
        return dict(httpx.get(f"{url}/api/runs/{run_id}", headers=auth).json())

    quick, slow_turn, lead = (child_run_id(run_id, step, 0) for step in (1, 2, 3))
    wait_for(
        lambda: (
            httpx.get(f"{url}/api/runs/{slow_turn}", headers=auth).status_code == 200
            and run(slow_turn)["status"] == "running"
            and any(e["type"] == "step.completed" for e in events(url, auth, slow_turn))
        ),
        what="the second member mid-turn",
    )
    first.send_signal(signal.SIGKILL)
    first.wait()
    procs.spawn("worker", name="worker-2")
    wait_for(lambda: run(run_id)["status"] == "completed", timeout=60, what="the group's completion")

    assert run(quick)["attempt"] == 1, "the first member's finished turn was not run again"
    assert run(slow_turn)["attempt"] == 2, "the interrupted member resumed once"
    assert run(lead)["attempt"] == 1
    kids = httpx.get(f"{url}/api/runs", params={"parent_run_id": run_id}, headers=auth).json()["items"]
    assert sorted(k["id"] for k in kids) == sorted([quick, slow_turn, lead])
    log = events(url, auth, run_id)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    kinds = [e["type"] for e in log]
    assert kinds.count("message.proposal") == 2 and kinds.count("message.decision") == 1
    assert kinds.count("run.completed") == 1
    board = httpx.get(f"{url}/api/groups/{group['id']}/blackboard", headers=auth).json()["items"]
    assert len([e for e in board if e["run_id"] == run_id]) == 1, "the run's entry, once"
