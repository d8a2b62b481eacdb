"""`openintern serve` with worker processes: the agents run in a child `openintern worker`
that the serve process supervises, restarts and takes down with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from openintern.db.engine import libpq_conninfo
from tests.acceptance.conftest import Procs, free_port, login, wait_for, wait_ready


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc, no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def worker_children(pid: int) -> list[int]:
    return [c for c in children(pid) if b"worker" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_serve_runs_agents_in_its_worker_process(procs: Procs, database_url: str) -> None:
    procs.env["OPENINTERN_SERVER__WORKER_PROCESSES"] = "1"
    url = procs.api("serve", serve=True)
    serve_pid = procs.started[-1].pid
    child = wait_for(lambda: worker_children(serve_pid), what="a worker child of serve")[0]
    auth = login(url)
    body = {"input": "slow", "model": "fake/loop?tool=echo&n=2&latency_ms=400", "tools": ["echo"]}
    run_id = httpx.post(f"{url}/api/runs", json=body, headers=auth).json()["run_id"]

    def owner() -> Any:
        with psycopg.connect(libpq_conninfo(database_url)) as conn:
            row = conn.execute("SELECT lease_owner FROM runs WHERE id = %s", (run_id,)).fetchone()
        return row[0] if row else None

    lease_owner = wait_for(owner, what="the run to be claimed")
    assert lease_owner.split(":")[1] == str(child), f"claimed by {lease_owner}, not the child {child}"
    done = wait_for(
        lambda: (
            (r := httpx.get(f"{url}/api/runs/{run_id}", headers=auth).json())["status"] == "completed" and r
        ),
        what="completion",
    )
    assert done["output"]


def test_a_dead_worker_process_is_restarted_and_dies_with_serve(procs: Procs, fake_llm: Any) -> None:
    procs.env["OPENINTERN_SERVER__WORKER_PROCESSES"] = "1"
    url = procs.api("serve", serve=True)
    serve = procs.started[-1]
    first = wait_for(lambda: worker_children(serve.pid), what="a worker child of serve")[0]

    os.kill(first, signal.SIGKILL)
    second = wait_for(
        lambda: [c for c in worker_children(serve.pid) if c != first], timeout=20, what="a restarted worker"
    )[0]
    log = (procs.logs / "serve.log").read_text()
    assert "worker process 0 exited with code -9; starting it again" in log
    auth = login(url)
    run_id = httpx.post(f"{url}/api/runs", json={"input": "hello"}, headers=auth).json()["run_id"]
    wait_for(
        lambda: httpx.get(f"{url}/api/runs/{run_id}", headers=auth).json()["status"] == "completed",
        what="a run completed by the restarted worker",
    )

    serve.send_signal(signal.SIGKILL)  # no clean-up code runs in serve
    serve.wait()
    deadline = time.monotonic() + 15
    while alive(second) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(second), "the worker process outlived its serve process"


def test_ctrl_c_stops_serve_and_its_workers_without_a_restart(procs: Procs, tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole process group: the child stops first, and
    serve must not take that for a crash and start it again."""
    port = free_port()
    log_path = tmp_path / "ctrl-c.log"
    with open(log_path, "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "openintern", "serve", "--port", str(port)],
            env={**procs.env, "OPENINTERN_SERVER__WORKER_PROCESSES": "1"},
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}", log_path)
            child = wait_for(lambda: worker_children(serve.pid), what="a worker child of serve")[0]
            wait_for(lambda: f":{child}:" in log_path.read_text(), what="the worker to start")
            os.killpg(serve.pid, signal.SIGINT)
            assert serve.wait(timeout=30) == 0
        finally:
            if serve.poll() is None:
                serve.kill()
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)
    text = log_path.read_text()
    # ("not starting it again" is the right outcome when the child's exit is seen first)
    assert "; starting it again" not in text and "worker processes stopped" in text, text[-2000:]
