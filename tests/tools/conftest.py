"""Fixtures for the tool tests.

Nothing here touches the database: tools work on plain objects (rules, a workspace
directory, an events-reader callable the runtime would lend), so these tests run without
PostgreSQL and the fixtures give each test its own temporary workspace.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openintern.tools import ToolContext, ToolRegistry, default_registry


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    return root


@pytest.fixture
def ctx(workspace: Path) -> ToolContext:
    return ToolContext(
        org_id="org_a",
        project_id="proj_a",
        user_id="user_a",
        run_id="run_1",
        agent_id="agent_a",
        workspace=workspace,
        tool_call_id="call_1",
    )


@pytest.fixture
def builtins() -> ToolRegistry:
    return default_registry()
