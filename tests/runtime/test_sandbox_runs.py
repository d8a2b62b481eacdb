"""run_command through a real agent run: allowed by an org's tool policy, it is still
confined to the run's workspace (issue 15, finding 8), and refused where the server
cannot confine it.

API → queue → in-process worker → fake LLM (scripted tool calls) → the sandbox → events.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient

from openintern.config import Settings, load_settings
from tests.conftest import ADMIN_PASSWORD, FAST_RUNTIME, llm_settings
from tests.runtime.test_agent_runs import events_of, wait_status

OTHER_SECRET = "other-org-plan-" + uuid.uuid4().hex


async def run_command(
    runner: AsyncClient, fake_llm: Any, command: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Allow run_command for the org, have the model call it once; the run and its tool.result."""
    rule = await runner.post("/api/tool-policies", json={"pattern": "run_command", "action": "allow"})
    assert rule.status_code == 201, rule.text
    model = fake_llm.register(
        [{"tool_calls": [{"name": "run_command", "arguments": {"command": command}}]}, {"text": "done"}]
    )
    body = {"input": "run it", "model": model, "tools": ["run_command"]}
    run = await wait_status(runner, (await runner.post("/api/runs", json=body)).json()["run_id"])
    assert run["status"] == "completed", run
    result = next(e for e in await events_of(runner, run["run_id"]) if e["type"] == "tool.result")
    return run, result["payload"]


class TestConfinedRunCommand:
    async def test_an_allowed_command_sees_only_its_own_workspace(
        self, runner: AsyncClient, fake_llm: Any, run_settings: Settings
    ) -> None:
        data = run_settings.data_dir
        key = run_settings.secrets_dir / "secret.key"
        assert key.exists()  # the platform made it at start: the test is about a real file
        other = run_settings.workspace_root / "org_other" / "_org"
        other.mkdir(parents=True)
        (other / "plans.txt").write_text(OTHER_SECRET)
        command = (
            f"cat {other}/plans.txt; ls {run_settings.secrets_dir}; cat {key}; ls {data}; "
            "id -u; echo written > mine.txt"
        )
        _, payload = await run_command(runner, fake_llm, command)
        result = payload["result"]  # what the model read
        assert OTHER_SECRET not in result and key.read_text().strip() not in result
        uid = 65534 if os.geteuid() == 0 else os.geteuid()
        assert f"--- stdout ---\nworkspaces\n{uid}\n\n--- stderr ---\n" in result
        assert result.count("No such file or directory") == 3, result
        assert result.startswith("exit code 0 (") and "no network, workspace only)" in result
        mine = run_settings.workspace_root / "org_default" / "_org" / "mine.txt"
        assert mine.read_text() == "written\n"


class TestUnconfinableHost:
    @pytest.fixture
    def run_settings(self, tmp_path: Path, fake_llm: Any) -> Settings:
        """The runner's settings with a bubblewrap that is not there: a real configuration."""
        return load_settings(
            {
                "data_dir": tmp_path / "data",
                "auth": {"admin_password": ADMIN_PASSWORD},
                "llm": llm_settings(fake_llm),
                "runtime": FAST_RUNTIME,
                "sandbox": {"bwrap_path": str(tmp_path / "no-such-bwrap")},
            },
            environ={},
        )

    async def test_run_command_is_refused_with_the_reason(
        self, runner: AsyncClient, fake_llm: Any, run_settings: Settings
    ) -> None:
        _, payload = await run_command(runner, fake_llm, "echo ran > ran.txt")
        assert payload["is_error"] is True
        assert "sandboxed execution is disabled on this server: bubblewrap not found" in payload["result"]
        assert "apt-get install bubblewrap" in payload["result"]
        assert not (run_settings.workspace_root / "org_default" / "_org" / "ran.txt").exists()

    async def test_the_tool_list_says_why(self, runner: AsyncClient) -> None:
        tools = {t["name"]: t for t in (await runner.get("/api/tools")).json()["items"]}
        assert "bubblewrap not found" in tools["run_command"]["unavailable"]
        assert tools["echo"]["unavailable"] is None
