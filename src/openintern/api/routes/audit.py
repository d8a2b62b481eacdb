"""`GET /api/audit`: mutating requests in the caller's org (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from openintern.api.deps import ScopeDep, SessionDep
from openintern.auth import list_audit
from openintern.schemas import core
from openintern.schemas.base import Limit
from openintern.schemas.responses import Page

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("")
async def audit_log(
    scope: ScopeDep, session: SessionDep, limit: Limit = 100, cursor: int | None = None
) -> Page[core.AuditEntry]:
    rows = await list_audit(session, scope, limit, cursor)
    nxt = str(rows[-1].id) if len(rows) == limit else None
    return Page(items=[core.AuditEntry.model_validate(r) for r in rows], next_cursor=nxt)
