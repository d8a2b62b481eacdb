"""The tools one run may use: the registry's tools it asked for, the org's policy rules,
and the context each call gets (scope, workspace, services)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import ToolPolicyRule
from openintern.llm import ToolCall, ToolSpec
from openintern.runtime.context import RunContext
from openintern.tools import (
    Action,
    Decision,
    PolicyRule,
    Risk,
    Tool,
    ToolContext,
    ToolOutcome,
    ToolRegistry,
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
            return json.loads(raw or "{}")
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
            services=ctx.services,
            step=step,
            tool_call_id=call.id,
        )
        return await self.registry.call(call.name, call.arguments, tool_ctx)


_WORKSPACES_MADE: set[Path] = set()  # mkdir once per process, not at every run's start


def workspace_for(ctx: RunContext) -> Path:
    path = ctx.settings.workspace_root / ctx.run.org_id / (ctx.run.project_id or "_org")
    if path not in _WORKSPACES_MADE:
        path.mkdir(parents=True, exist_ok=True)
        _WORKSPACES_MADE.add(path)
    return path


# Built once with bound parameters: a select() built per run cost more than the query.
_POLICY_RULES = select(ToolPolicyRule).where(
    ToolPolicyRule.org_id == bindparam("org_id"),
    or_(ToolPolicyRule.project_id.is_(None), ToolPolicyRule.project_id == bindparam("project_id")),
)


async def load_toolbox(ctx: RunContext, session: AsyncSession) -> Toolbox:
    """The run's tools (asked for, and known), with the org's and project's policy rules."""
    registry: ToolRegistry = ctx.services["tools"]
    names = [n for n in (ctx.run.config.get("tools") or DEFAULT_TOOLS) if n in registry]
    params = {"org_id": ctx.run.org_id, "project_id": ctx.run.project_id}
    rows = await session.execute(_POLICY_RULES, params)
    rules = [_rule(r) for r in rows.scalars()]
    specs = [registry.get(n).spec() for n in names]
    role_id = ctx.run.config.get("role_id")
    return Toolbox(registry, names, specs, rules, ctx.run.project_id, role_id, workspace_for(ctx))


def _rule(row: ToolPolicyRule) -> PolicyRule:
    return PolicyRule(  # the table's CHECK constraints guarantee the literals
        pattern=row.pattern,
        action=cast(Action, row.action),
        risk=cast("Risk | None", row.risk),
        project_id=row.project_id,
        role_id=row.role_id,
        priority=row.priority,
        id=row.id,
    )
