"""Tool policy rules of an org (allow / block / require_approval by name pattern and risk)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import ToolPolicyRule
from openintern.errors import NotFound
from openintern.schemas import actions
from openintern.schemas.ids import new_id


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
