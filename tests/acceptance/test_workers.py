"""Workers as real processes: kill -9 and resume, exclusivity, a second API process, restarts."""

from __future__ import annotations

import importlib.util
import json
import signal
from typing import Any

import httpx

from tests.acceptance.conftest import Procs, events, login, wait_for


def status(url: str, auth: dict[str, str], run_id: str) -> str:
    return str(httpx.get(f"{url}/api/runs/{run_id}", headers=auth).json()["status"])


def test_kill_9_mid_run_resumes_on_another_worker(procs: Procs, fake_llm: Any) -> None:
    url = procs.api()
    auth = login(url)
    first = procs.spawn("worker", name="worker-1")
    body = {"input": "loop", "model": "fake/loop?tool=echo&n=6&latency_ms=250", "tools": ["echo"]}
    run_id = httpx.post(f"{url}/api/runs", json=body, headers=auth).json()["run_id"]
    wait_for(
        lambda: sum(e["type"] == "step.completed" for e in events(url, auth, run_id)) >= 2, what="2 steps"
    )
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = events(url, auth, run_id)
    procs.spawn("worker", name="worker-2")
    wait_for(lambda: status(url, auth, run_id) == "completed", what="completion on worker 2")

    log = events(url, auth, run_id)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), "the log has a gap"
    assert log[: len(before)] == before, "committed events changed"
    assert [e["type"] for e in log].count("run.resumed") == 1
    completed_steps = [e["payload"]["step"] for e in log if e["type"] == "step.completed"]
    assert completed_steps == sorted(set(completed_steps)) == list(range(1, 8)), completed_steps
    done_before = {e["payload"]["step"] for e in before if e["type"] == "step.completed"}
    resumed_at = next(e["seq"] for e in log if e["type"] == "run.resumed")
    redone = [
        e for e in log if e["seq"] > resumed_at and e["type"] == "tool.called" and e["step"] in done_before
    ]
    assert redone == [], "a completed step ran again"
    assert httpx.get(f"{url}/api/runs/{run_id}", headers=auth).json()["attempt"] == 2


def test_two_workers_never_run_the_same_run(procs: Procs) -> None:
    url = procs.api()
    auth = login(url)
    procs.spawn("worker", "--concurrency", "20", name="worker-a")
    procs.spawn("worker", "--concurrency", "20", name="worker-b")
    body = {"input": "x", "model": "fake/loop?tool=echo&n=2&latency_ms=20", "tools": ["echo"]}
    ids = [httpx.post(f"{url}/api/runs", json=body, headers=auth).json()["run_id"] for _ in range(60)]
    wait_for(lambda: all(status(url, auth, r) == "completed" for r in ids), timeout=60, what="60 runs")
    # uvicorn[standard] installs uvloop on Linux and macOS; a worker runs on it when it can
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    assert f"concurrency 20, {loop})" in (procs.logs / "worker-a.log").read_text()
    for run_id in ids:
        log = events(url, auth, run_id)
        kinds = [e["type"] for e in log]
        assert kinds.count("run.started") == 1 and "run.resumed" not in kinds, kinds
        assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
        assert kinds.count("tool.called") == 2


def test_sse_resumes_from_a_second_api_process(procs: Procs, fake_llm: Any) -> None:
    api_a = procs.api("api-a")
    api_b = procs.api("api-b")
    procs.spawn("worker", name="worker")
    auth = login(api_a)
    model = fake_llm.register([{"text": "tick " * 60, "chunk_delay_ms": 15, "chunk_size": 5}])
    run_id = httpx.post(f"{api_a}/api/runs", json={"input": "stream", "model": model}, headers=auth).json()[
        "run_id"
    ]
    first: list[dict[str, Any]] = []
    headers = {**auth, "Accept": "text/event-stream"}
    with httpx.stream("GET", f"{api_a}/api/runs/{run_id}/stream", headers=headers, timeout=30) as resp:
        for line in resp.iter_lines():
            if line.startswith("data:"):
                first.append(json.loads(line[5:]))
                if len(first) == 8:
                    break  # drop the connection mid-stream
    rest: list[dict[str, Any]] = []
    with httpx.stream(
        "GET",
        f"{api_b}/api/runs/{run_id}/stream",
        headers={**headers, "Last-Event-ID": str(first[-1]["seq"])},
        timeout=30,
    ) as resp:
        for line in resp.iter_lines():
            if line.startswith("data:"):
                rest.append(json.loads(line[5:]))
    seqs = [e["seq"] for e in first + rest]
    assert seqs == list(range(1, len(seqs) + 1)), "gap or duplicate across the reconnect"
    assert rest[-1]["type"] == "run.completed"
    assert events(api_b, auth, run_id) == first + rest


def test_approval_survives_a_restart(procs: Procs, fake_llm: Any) -> None:
    url = procs.api("serve-1", serve=True)
    auth = login(url)
    httpx.post(
        f"{url}/api/tool-policies", json={"pattern": "write_file", "action": "require_approval"}, headers=auth
    )
    model = fake_llm.register(
        [
            {"tool_calls": [{"name": "write_file", "arguments": {"path": "a.txt", "content": "x"}}]},
            {"text": "written"},
        ]
    )
    run_id = httpx.post(
        f"{url}/api/runs", json={"input": "w", "model": model, "tools": ["write_file"]}, headers=auth
    ).json()["run_id"]
    wait_for(lambda: status(url, auth, run_id) == "waiting", what="waiting")
    procs.stop_all()
    url = procs.api("serve-2", serve=True)
    approval = httpx.get(f"{url}/api/approvals", headers=auth).json()["items"][0]
    assert approval["run_id"] == run_id
    httpx.post(
        f"{url}/api/approvals/{approval['id']}/approve", json={"comment": "after restart"}, headers=auth
    )
    wait_for(lambda: status(url, auth, run_id) == "completed", what="completion after restart")
    kinds = [e["type"] for e in events(url, auth, run_id)]
    assert kinds.count("tool.called") == 1 and "tool.approved" in kinds


def test_kill_9_while_children_run_starts_no_child_twice(procs: Procs, fake_llm: Any) -> None:
    """The parent commits its children and its checkpoint in one transaction and waits; the
    worker dies while the children run; a second worker finishes them, the parent resumes
    once, and no child was started twice (ids derived from parent, step and index)."""
    url = procs.api()
    auth = login(url)
    first = procs.spawn("worker", name="worker-1")
    slow = "fake/loop?tool=echo&n=4&latency_ms=250"
    tasks = [{"input": f"task {i}", "model": slow, "agent_id": f"c{i}"} for i in range(3)]
    script = [{"tool_calls": [{"name": "delegate", "arguments": {"tasks": tasks}}]}, {"text": "all done"}]
    model = fake_llm.register(script)
    body = {"input": "fan out", "model": model, "tools": ["delegate", "echo"]}
    run_id = httpx.post(f"{url}/api/runs", json=body, headers=auth).json()["run_id"]

    def children() -> list[dict[str, Any]]:
        page = httpx.get(f"{url}/api/runs", params={"parent_run_id": run_id}, headers=auth).json()
        return list(page["items"])

    wait_for(
        lambda: (
            len(kids := children()) == 3
            and all(k["status"] == "running" for k in kids)
            and any(e["type"] == "step.completed" for e in events(url, auth, kids[0]["id"]))
        ),
        what="3 running children",
    )
    assert status(url, auth, run_id) == "waiting"
    first.send_signal(signal.SIGKILL)
    first.wait()
    procs.spawn("worker", name="worker-2")
    wait_for(lambda: status(url, auth, run_id) == "completed", timeout=60, what="the parent's completion")

    kids = children()
    assert len(kids) == 3 and {k["status"] for k in kids} == {"completed"}
    assert all(k["attempt"] == 2 for k in kids), "each child resumed once, on worker 2"
    log = events(url, auth, run_id)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    kinds = [e["type"] for e in log]
    assert kinds.count("run.children_started") == 1 and kinds.count("run.children_completed") == 1
    assert kinds.count("run.resumed") == 1, "the parent resumed once, when its children ended"
    for kid in kids:
        child_log = [e["type"] for e in events(url, auth, kid["id"])]
        assert child_log.count("run.started") == 1 and child_log.count("run.resumed") == 1
