"""Approvals: what waiting runs want to do, and the human's decision."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from openintern import approvals
from openintern.api.deps import ScopeDep, SessionDep
from openintern.schemas import actions
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.responses import Page
from openintern.schemas.runs import Approval

router = APIRouter(prefix="/api/approvals", tags=["approvals"])


@router.get("")
async def list_approvals(
    scope: ScopeDep,
    session: SessionDep,
    status: Literal["pending", "approved", "rejected"] | None = "pending",
    run_id: Cursor | None = None,
    limit: Limit = 50,
    cursor: Cursor | None = None,
) -> Page[Approval]:
    rows = await approvals.list_approvals(
        session, scope, status=status, run_id=run_id, limit=limit, cursor=cursor
    )
    return Page(
        items=[Approval.model_validate(r) for r in rows],
        next_cursor=rows[-1].id if len(rows) == limit else None,
    )


@router.get("/{approval_id}")
async def get_approval(approval_id: str, scope: ScopeDep, session: SessionDep) -> Approval:
    return Approval.model_validate(await approvals.get_approval(session, scope, approval_id))


@router.post("/{approval_id}/approve")
async def approve(
    approval_id: str, scope: ScopeDep, session: SessionDep, body: actions.ApprovalDecision | None = None
) -> Approval:
    row = await approvals.decide(session, scope, approval_id, True, body.comment if body else None)
    return Approval.model_validate(row)


@router.post("/{approval_id}/reject")
async def reject(
    approval_id: str, scope: ScopeDep, session: SessionDep, body: actions.ApprovalDecision | None = None
) -> Approval:
    row = await approvals.decide(session, scope, approval_id, False, body.comment if body else None)
    return Approval.model_validate(row)
