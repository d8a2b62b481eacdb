"""`openintern run | tail | export` against a real `openintern serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
        "fake/loop?tool=echo&n=1",
        "--tools",
        "echo",
    )
    assert streamed.returncode == 0, streamed.stderr
    assert (
        "→ echo" in streamed.stdout
        and "done after 1 tool calls" in streamed.stdout
        and "completed" in streamed.stdout
    )
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
