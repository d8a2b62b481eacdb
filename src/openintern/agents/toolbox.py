"""The tools one run may use: the registry's tools it asked for, the org's policy rules,
and the context each call gets (scope, workspace, services)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openintern.llm import ToolCall, ToolSpec
from openintern.runtime.context import RunContext
from openintern.schemas.text import storable, storable_json
from openintern.tools import (
    Decision,
    PolicyRule,
    Tool,
    ToolContext,
    ToolOutcome,
    ToolRegistry,
    ToolServices,
    decide,
)

DEFAULT_TOOLS = ["read_file", "list_files", "export_trace", "current_time"]


@dataclass
class Toolbox:
    registry: ToolRegistry
    names: list[str]
    specs: list[ToolSpec]
    rules: list[PolicyRule]
    project_id: str | None
    role_id: str | None
    workspace: Path
    lent: ToolServices

    def _tool(self, name: str) -> Tool | None:
        return self.registry.get(name) if name in self.names else None

    def decide(self, name: str) -> Decision:
        tool = self._tool(name)
        if tool is None:  # not offered: the call itself reports it to the model
            return Decision("allow", "not an available tool", None)
        return decide(tool, self.rules, project_id=self.project_id, role_id=self.role_id)

    def is_idempotent(self, name: str) -> bool:
        tool = self._tool(name)
        return True if tool is None else tool.idempotent

    def risk_of(self, name: str) -> str:
        tool = self._tool(name)
        return "low" if tool is None else tool.risk

    @staticmethod
    def parse_arguments(raw: str) -> Any:
        try:
            return storable(json.loads(raw or "{}"))  # JSON allows \\u0000 and lone surrogates
        except json.JSONDecodeError:
            return raw

    async def call(self, ctx: RunContext, call: ToolCall, step: int) -> ToolOutcome:
        if call.name not in self.names:
            available = ", ".join(self.names) or "none"
            return ToolOutcome(
                f"tool {call.name!r} is not available to this agent; available: {available}", True
            )
        tool_ctx = ToolContext(
            org_id=ctx.run.org_id,
            project_id=ctx.run.project_id,
            user_id=ctx.run.user_id,
            run_id=ctx.run.id,
            agent_id=ctx.run.agent_id,
            workspace=self.workspace,
            services=self.lent,
            step=step,
            tool_call_id=call.id,
            group_id=ctx.run.config.get("group_id"),
            team=tuple(ctx.run.config.get("team_members") or ()),
        )
        return await self.registry.call(call.name, storable_json(call.arguments), tool_ctx)


_WORKSPACES_MADE: set[Path] = set()  # mkdir once per process, not at every run's start


def workspace_for(ctx: RunContext) -> Path:
    path = ctx.settings.workspace_root / ctx.run.org_id / (ctx.run.project_id or "_org")
    if path not in _WORKSPACES_MADE:
        path.mkdir(parents=True, exist_ok=True)
        _WORKSPACES_MADE.add(path)
    return path


def load_toolbox(
    ctx: RunContext, registry: ToolRegistry, lent: ToolServices, org_rules: list[PolicyRule]
) -> Toolbox:
    """The run's tools (asked for, and known), with its org's and project's policy rules
    (``org_rules``: its org's, from `openintern.policies.org_rules`)."""
    asked = [*(ctx.run.config.get("tools") or DEFAULT_TOOLS), *ctx.run.config.get("extra_tools", ())]
    names = [n for n in dict.fromkeys(asked) if n in registry]
    run = ctx.run
    rules = [r for r in org_rules if r.org_id == run.org_id and r.project_id in (None, run.project_id)]
    specs = [registry.get(n).spec() for n in names]
    role_id = run.config.get("role_id")
    return Toolbox(registry, names, specs, rules, run.project_id, role_id, workspace_for(ctx), lent)
