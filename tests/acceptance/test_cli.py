"""`openintern run | tail | export` against a real `openintern serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.acceptance.conftest import Procs, login
from tests.conftest import ADMIN_PASSWORD


def cli(procs: Procs, url: str, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**procs.env, "OPENINTERN_URL": url, "OPENINTERN_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "openintern", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_run_stream_tail_and_export(procs: Procs, fake_llm: Any) -> None:
    url = procs.api("serve", serve=True)
    token = login(url)["Authorization"].split()[1]
    streamed = cli(
        procs,
        url,
        token,
        "run",
        "hello cli",
        "--stream",
        "--model",
        "fake/loop?tool=echo&n=3",
        "--tools",
        "echo",
    )
    assert streamed.returncode == 0, streamed.stderr
    # Compact (issue 23): no empty lines; each call one line, its result the line under it.
    lines = streamed.stdout.splitlines()
    assert "" not in [line.strip() for line in lines], streamed.stdout
    assert lines[0].startswith("run run_") and lines[-1] == "✓ completed", streamed.stdout
    calls = [i for i, line in enumerate(lines) if line.startswith("→ echo ")]
    assert [lines[i] for i in calls] == [f'→ echo {{"text": "step {n}"}}' for n in (1, 2, 3)], lines
    assert all(lines[i + 1].startswith(f"  ← step {n}") for n, i in enumerate(calls, 1)), lines
    assert lines[-2] == "done after 3 tool calls", lines
    finished = json.loads(cli(procs, url, token, "run", "as json", "--json", "--session", "cli-s").stdout)
    assert finished["status"] == "completed" and finished["output"] == "echo: as json"
    tailed = cli(procs, url, token, "tail", finished["run_id"], "--json")
    lines = [json.loads(x) for x in tailed.stdout.splitlines()]
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1)) and lines[-1][
        "type"
    ] == "run.completed"
    exported = cli(procs, url, token, "export", finished["run_id"], "--format", "json")
    doc = json.loads(exported.stdout)
    assert doc["run"]["run_id"] == finished["run_id"] and len(doc["events"]) == len(lines)
    failing = cli(procs, url, token, "run", "x", "--model", "no-such-model")
    assert failing.returncode == 1 and "failed" in failing.stdout
    unauth = cli(procs, url, "bad-token", "run", "x")
    assert unauth.returncode == 1 and "openintern login" in unauth.stderr
    assert httpx.get(url + "/health").json() == {"status": "ok"}
    assert os.environ.get("OPENINTERN_TOKEN") is None


def test_login_in_a_script_asks_nothing_and_the_next_command_is_logged_in(procs: Procs) -> None:
    """Issue 23: without a terminal, `login --password` used to prompt `Username [admin]:`,
    abort, and leave the next command "not logged in"."""
    url = procs.api("serve", serve=True)
    env = {**procs.env, "OPENINTERN_URL": url}

    def oi(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "openintern", *args],
            env=env,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            text=True,
            timeout=60,
        )

    missing = oi("login")
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "'--password'" in missing.stderr and "no terminal" in " ".join(missing.stderr.split())
    assert "Username" not in missing.stdout and "Aborted" not in missing.stdout + missing.stderr
    logged_in = oi("login", "--password", ADMIN_PASSWORD)
    assert logged_in.returncode == 0, logged_in.stdout + logged_in.stderr
    assert "Username" not in logged_in.stdout and "logged in" in logged_in.stdout
    answered = oi("run", "after login", "--json")  # the token login saved in DATA_DIR/cli-token
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["output"] == "echo: after login"
    piped = oi("login", "--username", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert piped.returncode == 0 and "as admin" in piped.stdout, piped.stderr
    wrong = oi("login", "--password", "not-the-password")
    assert wrong.returncode == 1 and "login refused" in wrong.stderr, wrong.stderr


def test_memory_commands_go_through_a_running_platform(procs: Procs, tmp_path: Path) -> None:
    """Logged in, with `serve` running, `memory ingest|search` use its API (serve's access
    log shows them) rather than opening the database a second time; `--direct` opens it."""
    url = procs.api("serve", serve=True)
    token = login(url)["Authorization"].split()[1]
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "b").mkdir()
    (docs / "a" / "README.md").write_text("# Rollbacks\n\nWe roll back a deployment by switching colours.\n")
    (docs / "b" / "README.md").write_text("# Lunch\n\nThe team prefers noodles on Fridays.\n")
    served = tmp_path / "serve.log"
    ingested = cli(procs, url, token, "memory", "ingest", str(docs), "--json")
    assert ingested.returncode == 0, ingested.stderr
    items = json.loads(ingested.stdout)["items"]
    assert [i["status"] for i in items] == ["created", "created"]  # two README.md, two memories
    assert served.read_text().count("POST /api/memory/ingest") == 2
    again = json.loads(cli(procs, url, token, "memory", "ingest", str(docs), "--json").stdout)["items"]
    assert [i["status"] for i in again] == ["unchanged", "unchanged"]

    found = cli(procs, url, token, "memory", "search", "roll back a deployment", "--json")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)["results"]
    assert results[0]["memory_id"] == items[0]["memory_id"] and results[0]["scores"]["text"] is not None
    assert "POST /api/memory/search" in served.read_text()
    direct = cli(procs, url, token, "memory", "search", "roll back a deployment", "--json", "--direct")
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout)["results"] == results
    assert served.read_text().count("POST /api/memory/search") == 1  # --direct did not ask the API
    assert found.stderr == "" and direct.stderr == ""  # the answer only: logs went to the log file
