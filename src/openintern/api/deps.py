"""Dependencies that routes declare in their signature.

``SessionDep`` and ``ScopeDep`` come from one unit of work per request: authenticate,
narrow the scope (headers / query may only narrow it), switch the transaction to the
tenant, run the route, commit before the response is sent (``scope="function"``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.api.platform import Platform
from openintern.auth import Principal, Role, Scope, authenticate, narrow, project_in_org
from openintern.db.orm import Membership, User
from openintern.db.session import enter_tenant
from openintern.errors import Forbidden, Unauthenticated

SCOPE_HEADERS = ("x-org-id", "x-user-id", "x-project-id")


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_platform(request: Request) -> Platform:
    # Dependencies are `async def` even when they do not await: FastAPI runs a plain `def`
    # dependency in its thread pool, a thread hop per request for nothing.
    return platform_of(request)


PlatformDep = Annotated[Platform, Depends(get_platform)]


def bearer_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    # SSE clients that cannot set headers (OpenRunner's) pass the token in the query.
    return request.query_params.get("access_token") or None


async def resolve_principal(session: AsyncSession, request: Request, platform: Platform) -> Principal:
    if platform.settings.server.no_auth:
        return await _dev_principal(session, platform)
    bearer = bearer_of(request)
    if bearer is None:
        raise Unauthenticated("send `Authorization: Bearer <access token or API key>`")
    return await authenticate(session, bearer, platform.jwt_secret)


async def _dev_principal(session: AsyncSession, platform: Platform) -> Principal:
    from sqlalchemy import select

    name = platform.settings.auth.admin_username
    user = (await session.execute(select(User).where(User.username == name))).scalar_one()
    rows = await session.execute(
        select(Membership.org_id, Membership.role).where(Membership.user_id == user.id)
    )
    return Principal(user.id, user.username, {o: cast(Role, r) for o, r in rows.all()})


def _requested(request: Request, name: str) -> str | None:
    return request.headers.get(f"x-{name}-id") or request.query_params.get(f"{name}_id") or None


async def resolve_scope(session: AsyncSession, request: Request, principal: Principal) -> Scope:
    scope = narrow(
        principal,
        org_id=_requested(request, "org"),
        user_id=_requested(request, "user"),
        project_id=_requested(request, "project"),
    )
    if scope.project_id is not None and not await project_in_org(session, scope.org_id, scope.project_id):
        raise Forbidden(f"project {scope.project_id!r} is not in your org")
    return scope


@dataclass(frozen=True)
class UnitOfWork:
    principal: Principal
    scope: Scope
    session: AsyncSession


async def unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    platform = platform_of(request)
    async with platform.db.sessions() as session, session.begin():
        principal = await resolve_principal(session, request, platform)
        scope = await resolve_scope(session, request, principal)
        request.state.scope = scope  # read by the audit middleware
        await enter_tenant(session, scope.org_id)
        yield UnitOfWork(principal, scope, session)


_UOW = Depends(unit_of_work, scope="function")


async def _scope(uow: Annotated[UnitOfWork, _UOW]) -> Scope:
    return uow.scope


async def _session(uow: Annotated[UnitOfWork, _UOW]) -> AsyncSession:
    return uow.session


async def _principal(uow: Annotated[UnitOfWork, _UOW]) -> Principal:
    return uow.principal


ScopeDep = Annotated[Scope, Depends(_scope)]
SessionDep = Annotated[AsyncSession, Depends(_session)]
PrincipalDep = Annotated[Principal, Depends(_principal)]


async def authenticated_scope(request: Request) -> Scope:
    """Authenticate and narrow in a short transaction of its own, for routes that keep no
    transaction open: long streams, and work that runs elsewhere (MinerU extraction, memory
    search on memory's own connections)."""
    platform = platform_of(request)
    async with platform.db.sessions() as session, session.begin():
        principal = await resolve_principal(session, request, platform)
        scope = await resolve_scope(session, request, principal)
    request.state.scope = scope
    return scope


StreamScopeDep = Annotated[Scope, Depends(authenticated_scope)]
