"""Orgs, projects, users and memberships. Every function takes the scope explicitly."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.passwords import hash_password
from openintern.auth.scope import Principal, Scope
from openintern.db.orm import Membership, Org, Project, User
from openintern.db.session import flush_or_conflict
from openintern.errors import Conflict, NotFound
from openintern.schemas import actions, core
from openintern.schemas.ids import new_id


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return slug or "x"


# --- orgs (created in a system transaction: the new org is not yet anyone's scope) ---


async def create_org(
    session: AsyncSession, user_id: str, body: actions.OrgCreate, org_id: str | None = None
) -> Org:
    org = Org(id=org_id or new_id("org"), name=body.name, slug=body.slug or slugify(body.name))
    session.add(org)
    await flush_or_conflict(session, f"org slug {org.slug!r}")
    session.add(Membership(org_id=org.id, user_id=user_id, role="owner"))
    await session.flush()
    await session.refresh(org)
    return org


async def orgs_of(session: AsyncSession, principal: Principal) -> list[core.OrgMembership]:
    if not principal.memberships:
        return []
    rows = (await session.execute(select(Org).where(Org.id.in_(principal.memberships)))).scalars()
    by_id = {o.id: o for o in rows}
    return [
        core.OrgMembership(id=o.id, name=o.name, slug=o.slug, role=principal.memberships[o.id])
        for oid in principal.memberships
        if (o := by_id.get(oid)) is not None
    ]


async def get_org(session: AsyncSession, scope: Scope, org_id: str | None = None) -> Org:
    """The org the request acts in. Named by id, it must be that org: any other, even one
    the caller belongs to, is 404 here, as every object outside the request's scope is (the
    caller selects another org with ``x-org-id``)."""
    if org_id is not None and org_id != scope.org_id:
        raise NotFound("org", org_id)
    org = await session.get(Org, scope.org_id)
    if org is None:
        raise NotFound("org", scope.org_id)
    return org


async def update_org(session: AsyncSession, scope: Scope, org_id: str, body: actions.OrgUpdate) -> Org:
    """Rename the org or change its settings (admins); omitted fields stay as they are."""
    org = await get_org(session, scope, org_id)
    scope.require("admin", "change the org's settings")
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(org, field, value)
    await session.flush()
    return org


# --- projects ---


async def create_project(session: AsyncSession, scope: Scope, body: actions.ProjectCreate) -> Project:
    scope.require("admin", "create projects")
    row = Project(
        id=new_id("prj"),
        org_id=scope.org_id,
        name=body.name,
        slug=body.slug or slugify(body.name),
        description=body.description,
    )
    session.add(row)
    await flush_or_conflict(session, f"project slug {row.slug!r}")
    await session.refresh(row)
    return row


async def get_project(session: AsyncSession, scope: Scope, project_id: str) -> Project:
    row = await session.get(Project, project_id)
    if row is None or row.org_id != scope.org_id:
        raise NotFound("project", project_id)
    return row


async def project_in_org(session: AsyncSession, org_id: str, project_id: str) -> bool:
    found = await session.scalar(select(Project.id).where(Project.id == project_id, Project.org_id == org_id))
    return found is not None


async def list_projects(session: AsyncSession, scope: Scope, limit: int, cursor: str | None) -> list[Project]:
    query = select(Project).where(Project.org_id == scope.org_id)
    if cursor:
        query = query.where(Project.id > cursor)
    return list((await session.execute(query.order_by(Project.id).limit(limit))).scalars())


async def update_project(
    session: AsyncSession, scope: Scope, project_id: str, body: actions.ProjectUpdate
) -> Project:
    scope.require("admin", "change projects")
    row = await get_project(session, scope, project_id)
    for field, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, field, value)
    await session.flush()
    return row


async def delete_project(session: AsyncSession, scope: Scope, project_id: str) -> None:
    scope.require("admin", "delete projects")
    row = await get_project(session, scope, project_id)
    await session.delete(row)
    await session.flush()


# --- users and memberships ---


def _member(user: User, membership: Membership) -> core.Member:
    return core.Member(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=membership.role,  # type: ignore[arg-type]
        created_at=membership.created_at,
    )


async def create_user(
    session: AsyncSession, username: str, password: str, display_name: str = "", user_id: str | None = None
) -> User:
    user = User(
        id=user_id or new_id("usr"),
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
    )
    session.add(user)
    await flush_or_conflict(session, f"username {username!r}")
    return user


async def add_user_to_org(session: AsyncSession, scope: Scope, body: actions.UserCreate) -> core.Member:
    """Create a user and make them a member of the caller's org."""
    scope.require("admin", "add users")
    if body.role == "owner":
        scope.require("owner", "add owners")
    user = await create_user(session, body.username, body.password, body.display_name)
    membership = Membership(org_id=scope.org_id, user_id=user.id, role=body.role)
    session.add(membership)
    await session.flush()
    await session.refresh(membership)
    return _member(user, membership)


async def list_members(
    session: AsyncSession, scope: Scope, limit: int, cursor: str | None
) -> list[core.Member]:
    query = select(User, Membership).join(Membership, Membership.user_id == User.id)
    query = query.where(Membership.org_id == scope.org_id)
    if cursor:
        query = query.where(User.id > cursor)
    rows = await session.execute(query.order_by(User.id).limit(limit))
    return [_member(u, m) for u, m in rows.all()]


async def _membership(session: AsyncSession, scope: Scope, user_id: str) -> tuple[User, Membership]:
    row = (
        await session.execute(
            select(User, Membership)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.org_id == scope.org_id, User.id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound("member", user_id)
    return row[0], row[1]


async def _guard_last_owner(session: AsyncSession, scope: Scope, membership: Membership) -> None:
    if membership.role != "owner":
        return
    owners = await session.scalar(
        select(func.count()).where(Membership.org_id == scope.org_id, Membership.role == "owner")
    )
    if (owners or 0) <= 1:
        raise Conflict("an org must keep at least one owner", constraint="last_owner")


async def update_member(
    session: AsyncSession, scope: Scope, user_id: str, body: actions.MemberUpdate
) -> core.Member:
    scope.require("admin", "change roles")
    user, membership = await _membership(session, scope, user_id)
    if "owner" in (body.role, membership.role):
        scope.require("owner", "grant or take the owner role")
    if body.role != "owner":
        await _guard_last_owner(session, scope, membership)
    membership.role = body.role
    await session.flush()
    return _member(user, membership)


async def remove_member(session: AsyncSession, scope: Scope, user_id: str) -> None:
    scope.require("admin", "remove members")
    _, membership = await _membership(session, scope, user_id)
    if membership.role == "owner":
        scope.require("owner", "remove an owner")
    await _guard_last_owner(session, scope, membership)
    await session.execute(
        delete(Membership).where(Membership.org_id == scope.org_id, Membership.user_id == user_id)
    )
