"""Approvals: a tool call parked until a human decides.

The executor inserts the approval in the same transaction that moves the run to
``waiting``. Deciding (from the API) locks the approval and the run, records the
decision and moves the run ``waiting → queued``; any worker then resumes it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import Approval, Run
from openintern.db.session import Database
from openintern.errors import Conflict, NotFound
from openintern.runtime import lifecycle
from openintern.runtime.queue import NOTIFY, WAKE_CHANNEL

# insert_approval -- in the transaction that parks the run (the writer's fence ran first):
# say why it waits, and record the call to decide. ON CONFLICT: a resumed run that parks
# the same call again keeps the one approval.
INSERT_APPROVAL = text(
    """
    WITH waiting AS (UPDATE runs SET wait_reason = 'approval' WHERE id = :run_id)
    INSERT INTO approvals (id, org_id, project_id, run_id, tool_call_id, tool_name, arguments, risk, reason)
    VALUES (:id, :org_id, :project_id, :run_id, :tool_call_id, :tool_name, CAST(:arguments AS jsonb), :risk, :reason)
    ON CONFLICT (run_id, tool_call_id) DO NOTHING
    """
)


class RunRef(Protocol):
    """The run an approval belongs to (an engine's claimed run satisfies it)."""

    @property
    def id(self) -> str: ...
    @property
    def org_id(self) -> str: ...
    @property
    def project_id(self) -> str | None: ...


# park_again -- a run requeued without a decision (a lease reclaim) waits for it again.
PARK_AGAIN = text("UPDATE runs SET wait_reason = 'approval' WHERE id = :run_id")

READ_DECISION = text("SELECT status, comment FROM approvals WHERE id = :id")


def insert_approval_statement(
    run: RunRef, approval_id: str, call: Any, arguments: Any, risk: str, reason: str
) -> tuple[Any, dict[str, Any]]:
    """The insert for the run's commit to ``waiting`` (one transaction with it)."""
    return INSERT_APPROVAL, {
        "id": approval_id,
        "org_id": run.org_id,
        "project_id": run.project_id,
        "run_id": run.id,
        "tool_call_id": call.id,
        "tool_name": call.name,
        "arguments": json.dumps(arguments),
        "risk": risk,
        "reason": reason,
    }


def park_again_statement(run_id: str) -> tuple[Any, dict[str, Any]]:
    return PARK_AGAIN, {"run_id": run_id}


async def approval_decision(db: Database, approval_id: str) -> tuple[str, str | None]:
    """``(status, comment)`` of the approval; ``pending`` when it is not there yet."""
    async with db.system() as session:
        row = (await session.execute(READ_DECISION, {"id": approval_id})).first()
    if row is None:
        return "pending", None
    return str(row.status), row.comment


# --- the API side ---


async def list_approvals(
    session: AsyncSession,
    scope: Scope,
    *,
    status: str | None,
    run_id: str | None,
    limit: int,
    cursor: str | None,
) -> list[Approval]:
    query = select(Approval).where(Approval.org_id == scope.org_id)
    if scope.project_id is not None:
        query = query.where(Approval.project_id == scope.project_id)
    if status:
        query = query.where(Approval.status == status)
    if run_id:
        query = query.where(Approval.run_id == run_id)
    if cursor:
        query = query.where(Approval.id < cursor)
    return list((await session.execute(query.order_by(Approval.id.desc()).limit(limit))).scalars())


async def get_approval(
    session: AsyncSession, scope: Scope, approval_id: str, *, lock: bool = False
) -> Approval:
    query = select(Approval).where(Approval.id == approval_id, Approval.org_id == scope.org_id)
    if scope.project_id is not None:
        query = query.where(Approval.project_id == scope.project_id)
    row = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if row is None:
        raise NotFound("approval", approval_id)
    return row


async def decide(
    session: AsyncSession, scope: Scope, approval_id: str, approve: bool, comment: str | None
) -> Approval:
    """Record the decision and requeue the waiting run; a worker resumes it."""
    scope.require("member", "decide approvals")
    row = await get_approval(session, scope, approval_id, lock=True)
    if row.status != "pending":
        raise Conflict(f"approval {approval_id} was already {row.status}", constraint="approval_decided")
    run = (await session.execute(select(Run).where(Run.id == row.run_id).with_for_update())).scalar_one()
    row.status = "approved" if approve else "rejected"
    row.comment = comment
    row.decided_by = scope.user_id
    row.decided_at = datetime.now(timezone.utc)
    if run.status == "waiting":
        lifecycle.check(run.status, "queued", run.id)
        run.status = "queued"
        await session.flush()
        await session.execute(NOTIFY, {"channel": WAKE_CHANNEL, "payload": run.id})
    await session.flush()
    return row
