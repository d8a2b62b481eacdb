"""`openintern roles | groups | run --group | blackboard` against a real `openintern serve`."""

from __future__ import annotations

import json
from typing import Any

from tests.acceptance.conftest import Procs, login
from tests.acceptance.test_cli import cli


def test_a_team_from_the_cli(procs: Procs, fake_llm: Any) -> None:
    url = procs.api("serve", serve=True)
    token = login(url)["Authorization"].split()[1]

    def ok(*args: str) -> str:
        done = cli(procs, url, token, *args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    decision = fake_llm.register([{"text": "Ship on Monday."}])
    ok("roles", "create", "Reviewer", "--prompt", "You review.", "--model", "fake/echo")
    ok("roles", "create", "Researcher", "--prompt", "You research.", "--model", "fake/echo")
    ok("roles", "create", "Lead", "--prompt", "You decide.", "--model", decision)
    made = ok("groups", "create", "release", "--members", "Reviewer,Researcher,Lead")
    assert "reviewer, researcher, ★ lead" in made
    listed = json.loads(ok("groups", "list", "--json"))
    assert [g["name"] for g in listed] == ["release"]
    assert "★" in ok("groups", "members", "release")

    streamed = ok("run", "--group", "release", "When do we ship?", "--stream")
    lines = streamed.splitlines()
    assert any(line.startswith("▶ reviewer") for line in lines)
    assert any(line.startswith("● researcher") for line in lines)
    assert "★ lead decides: Ship on Monday." in streamed and "completed" in streamed

    board = ok("blackboard", "release")
    assert "Team run" in board and "Ship on Monday." in board
    assert json.loads(ok("blackboard", "release", "--query", "ship Monday", "--json"))[0]["kind"] == "run"

    refused = cli(procs, url, token, "roles", "delete", "Lead")
    assert refused.returncode == 1 and "release" in refused.stderr
    unknown = cli(procs, url, token, "run", "--group", "nope", "x")
    assert unknown.returncode != 0 and "no group 'nope'" in unknown.stderr
