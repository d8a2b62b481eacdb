"""T1 teams: 100 group runs x 5 members (serial), fake LLM 0 ms, 20 in flight — and, in the
same invocation on the same server, the same work as single agent runs.

A member turn is a child ``agent`` run that makes one LLM call (``fake/echo``, no tools)
and answers; the group run parks between turns and resumes when each ends (4 members in
order, then the lead decides). The anchor is 500 single agent runs of that shape (one LLM
call each), 20 in flight. Both halves: each client slot POSTs, follows the run's SSE stream
to its terminal event and confirms with GET; the clock runs from the first submit to the
last confirmation; a warm-up of the same shape runs first, untimed.

Figures: member turns/s against single runs/s; wall time and server CPU (serve + postgres)
per member turn against per single run; the ratio of each (target: a member turn costs at
most 1.2x a single agent step of the same shape); the orchestration overhead per member
turn (the difference). Afterwards every group run is checked: completed, 5 children, one
decision, gap-free log.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench import harness
from bench.harness import (
    cpu_by_tree,
    cpu_delta,
    fake_llm_process,
    follow_sse,
    free_port,
    load_average,
    login,
    postmaster_pid,
    run_status,
    serve,
    submit,
)

GROUPS, MEMBERS, IN_FLIGHT = int(os.environ.get("BENCH_T1_GROUPS", "100")), 5, 20
WARM_UP = 10  # group runs (and 50 single runs) of the same shape first, untimed


def run(args: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(free_port()) as (fake, _fake_proc):
        data = Path(tmp) / "data"
        out: dict[str, Any] = {"load_avg_before": load_average()}
        with serve(data, free_port(), harness.llm_env(fake, 200)) as srv:
            roots = {"serve": srv.process.pid, "postgres": postmaster_pid(data)}
            out.update(asyncio.run(_both(srv.base_url, roots)))
        out["load_avg_after"] = load_average()
    return out


async def _both(base: str, roots: dict[str, int]) -> dict[str, Any]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4 * IN_FLIGHT)) as http:
        auth = {"Authorization": f"Bearer {await login(http, base)}"}
        group_id = await _team(http, base, auth)
        single_body = {"input": "go", "model": "fake/echo", "tools": []}
        group_path = f"/api/groups/{group_id}/runs"
        await _closed(http, base, auth, "/api/runs", single_body, WARM_UP * MEMBERS, roots)
        await _closed(http, base, auth, group_path, {"input": "go"}, WARM_UP, roots)
        single = await _closed(http, base, auth, "/api/runs", single_body, GROUPS * MEMBERS, roots)
        group = await _closed(http, base, auth, group_path, {"input": "go"}, GROUPS, roots)
        checked = await _check(http, base, auth, group["ids"])
    turns = GROUPS * MEMBERS
    wall_turn = group["wall_s"] / turns * 1000 * IN_FLIGHT
    wall_single = single["wall_s"] / turns * 1000 * IN_FLIGHT
    server = ("serve", "postgres")  # (machine_busy counts the other tenants of the machine too)
    cpu_turn = sum(group["cpu_s"][k] for k in server) / turns * 1000
    cpu_single = sum(single["cpu_s"][k] for k in server) / turns * 1000
    return {
        "member_turns_per_s": round(turns / group["wall_s"], 1),
        "single_runs_per_s": round(turns / single["wall_s"], 1),
        "wall_ms_per_member_turn_per_slot": round(wall_turn, 2),
        "wall_ms_per_single_run_per_slot": round(wall_single, 2),
        "ratio_wall": round(wall_turn / wall_single, 2),
        "server_cpu_ms_per_member_turn": {k: round(v / turns * 1000, 2) for k, v in group["cpu_s"].items()},
        "server_cpu_ms_per_single_run": {k: round(v / turns * 1000, 2) for k, v in single["cpu_s"].items()},
        "ratio_cpu": round(cpu_turn / cpu_single, 2),
        "orchestration_overhead_cpu_ms_per_member": round(cpu_turn - cpu_single, 2),
        "group_runs": GROUPS,
        "members": MEMBERS,
        "in_flight": IN_FLIGHT,
        "checked": checked,
    }


async def _team(http: aiohttp.ClientSession, base: str, auth: dict[str, str]) -> str:
    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with http.post(base + path, json=body, headers=auth) as resp:
            assert resp.status == 201, await resp.text()
            return dict(await resp.json())

    group = await post("/api/groups", {"name": "t1", "orchestrator": "serial"})
    for i in range(MEMBERS):
        body = {"name": f"member-{i}", "system_prompt": "Answer.", "model": "fake/echo", "tools": []}
        body["memory_scope"] = "none"
        role = await post("/api/roles", body)
        await post(f"/api/groups/{group['id']}/members", {"role_id": role["id"], "is_lead": i == MEMBERS - 1})
    return str(group["id"])


async def _closed(
    http: aiohttp.ClientSession,
    base: str,
    auth: dict[str, str],
    path: str,
    body: dict[str, Any],
    n: int,
    roots: dict[str, int],
) -> dict[str, Any]:
    gate = asyncio.Semaphore(IN_FLIGHT)
    ids: list[str] = []

    async def one() -> None:
        async with gate:
            run_id = await submit(http, base, auth, body, path=path)
            await follow_sse(http, base, auth, run_id)
            status = await run_status(http, base, auth, run_id)
            if status != "completed":
                async with http.get(f"{base}/api/runs/{run_id}", headers=auth) as resp:
                    raise AssertionError(f"T1: run {run_id} {status}: {(await resp.json())['error']}")
            ids.append(run_id)

    cpu0 = cpu_by_tree(roots)
    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    wall = time.perf_counter() - started
    return {"wall_s": wall, "cpu_s": cpu_delta(cpu0, cpu_by_tree(roots)), "ids": ids}


async def _check(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], ids: list[str]
) -> dict[str, int]:
    ok = 0
    for run_id in ids:
        async with http.get(f"{base}/api/runs", params={"parent_run_id": run_id}, headers=auth) as resp:
            kids = (await resp.json())["items"]
        async with http.get(f"{base}/api/runs/{run_id}/events", params={"limit": 1000}, headers=auth) as resp:
            log = (await resp.json())["events"]
        seqs = [e["seq"] for e in log]
        decisions = sum(e["type"] == "message.decision" for e in log)
        if len(kids) == MEMBERS and decisions == 1 and seqs == list(range(1, len(seqs) + 1)):
            ok += 1
    return {"group_runs_checked": len(ids), "complete_and_gap_free": ok}
