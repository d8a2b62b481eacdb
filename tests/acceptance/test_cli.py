"""`openintern run | tail | export` against a real `openintern serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import httpx

from tests.acceptance.conftest import Procs, login


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
