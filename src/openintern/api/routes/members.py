"""Users and their membership in the caller's org."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openintern.api.deps import ScopeDep, SessionDep
from openintern.auth import tenancy
from openintern.schemas import actions, core
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.responses import Page

router = APIRouter(prefix="/api", tags=["members"])


@router.get("/members")
async def list_members(
    scope: ScopeDep, session: SessionDep, limit: Limit = 100, cursor: Cursor | None = None
) -> Page[core.Member]:
    rows = await tenancy.list_members(session, scope, limit, cursor)
    return Page(items=rows, next_cursor=rows[-1].user_id if len(rows) == limit else None)


@router.get("/users")
async def list_users(
    scope: ScopeDep, session: SessionDep, limit: Limit = 100, cursor: Cursor | None = None
) -> Page[core.Member]:
    return await list_members(scope, session, limit, cursor)


@router.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(body: actions.UserCreate, scope: ScopeDep, session: SessionDep) -> core.Member:
    return await tenancy.add_user_to_org(session, scope, body)


@router.patch("/members/{user_id}")
async def update_member(
    user_id: str, body: actions.MemberUpdate, scope: ScopeDep, session: SessionDep
) -> core.Member:
    return await tenancy.update_member(session, scope, user_id, body)


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(user_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    await tenancy.remove_member(session, scope, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
