"""Tool policy rules of an org (allow / block / require_approval by name pattern and risk):
the API's CRUD, and `org_rules`, the read a run starts with (the decision itself is
`openintern.tools.decide`)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import ToolPolicyRule
from openintern.errors import NotFound
from openintern.schemas import actions
from openintern.schemas.ids import new_id
from openintern.tools import Action, PolicyRule, Risk


async def list_policies(session: AsyncSession, scope: Scope) -> list[ToolPolicyRule]:
    query = select(ToolPolicyRule).where(ToolPolicyRule.org_id == scope.org_id)
    return list((await session.execute(query.order_by(ToolPolicyRule.id))).scalars())


async def create_policy(
    session: AsyncSession, scope: Scope, body: actions.ToolPolicyCreate
) -> ToolPolicyRule:
    scope.require("admin", "change tool policies")
    if body.project_id is not None:
        from openintern.auth import get_project

        await get_project(session, scope, body.project_id)
    row = ToolPolicyRule(id=new_id("pol"), org_id=scope.org_id, **body.model_dump())
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row


async def delete_policy(session: AsyncSession, scope: Scope, policy_id: str) -> None:
    scope.require("admin", "change tool policies")
    result = await session.execute(
        delete(ToolPolicyRule).where(ToolPolicyRule.id == policy_id, ToolPolicyRule.org_id == scope.org_id)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("tool_policy", policy_id)


_ORG_RULES = select(ToolPolicyRule).where(ToolPolicyRule.org_id.in_(bindparam("org_ids", expanding=True)))


async def org_rules(session: AsyncSession, org_ids: list[str]) -> list[PolicyRule]:
    """The tool-policy rules of these orgs (a worker reads them for a claim batch at once)."""
    rows = await session.execute(_ORG_RULES, {"org_ids": org_ids})
    return [_rule(r) for r in rows.scalars()]


def _rule(row: ToolPolicyRule) -> PolicyRule:
    return PolicyRule(  # the table's CHECK constraints guarantee the literals
        pattern=row.pattern,
        action=cast(Action, row.action),
        risk=cast("Risk | None", row.risk),
        project_id=row.project_id,
        role_id=row.role_id,
        priority=row.priority,
        id=row.id,
        org_id=row.org_id,
    )
