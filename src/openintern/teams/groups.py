"""Groups and their members: CRUD, stats, run history, and the config a group run starts with.

A group run's config holds a snapshot of its members (each with its role's agent config),
taken when the run is created: editing a role or a group during a run changes the next
run, never the one in flight, and a resumed run sees the team it started with.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import Group, GroupMember, Role, Run
from openintern.db.session import flush_or_conflict
from openintern.errors import NotFound, ValidationFailed, field_error
from openintern.schemas import teams as api
from openintern.schemas.ids import new_id
from openintern.schemas.runs import Usage
from openintern.teams.roles import get_role, role_config

MEMBER_TOOLS = ("blackboard_read", "blackboard_write")
"""Every member of a group run may read and write its group's blackboard."""


def agent_id_for(role_name: str) -> str:
    """A member's name in events and traces: its role's name as an agent id."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", role_name.strip().lower()).strip("-")
    return (slug or "member")[:60]


async def list_groups(session: AsyncSession, scope: Scope) -> list[Group]:
    query = select(Group).where(Group.org_id == scope.org_id).order_by(Group.name)
    return list((await session.execute(query)).scalars())


async def get_group(session: AsyncSession, scope: Scope, group_id: str) -> Group:
    row = await session.get(Group, group_id)
    if row is None or row.org_id != scope.org_id:
        raise NotFound("group", group_id)
    return row


async def create_group(session: AsyncSession, scope: Scope, body: api.GroupCreate) -> Group:
    scope.require("member", "create groups")
    if body.project_id is not None:
        from openintern.auth import get_project

        await get_project(session, scope, body.project_id)
    row = Group(id=new_id("grp"), org_id=scope.org_id, **body.model_dump())
    session.add(row)
    await flush_or_conflict(session, f"group {body.name!r}")
    await session.refresh(row)
    return row


async def update_group(session: AsyncSession, scope: Scope, group_id: str, body: api.GroupUpdate) -> Group:
    scope.require("member", "change groups")
    row = await get_group(session, scope, group_id)
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    row.updated_at = func.now()
    await flush_or_conflict(session, f"group {row.name!r}")
    await session.refresh(row)
    return row


async def delete_groups(session: AsyncSession, scope: Scope, group_ids: list[str]) -> list[str]:
    """All or none; the members go with their group (ON DELETE CASCADE), its runs stay."""
    scope.require("member", "delete groups")
    ids = [(await get_group(session, scope, g)).id for g in dict.fromkeys(group_ids)]
    await session.execute(delete(Group).where(Group.id.in_(ids)))
    return ids


# --- members -------------------------------------------------------------------------


async def members(session: AsyncSession, group_ids: list[str]) -> dict[str, list[tuple[GroupMember, Role]]]:
    """Each group's members with their roles, in order (position, then when added)."""
    query = (
        select(GroupMember, Role)
        .join(Role, Role.id == GroupMember.role_id)
        .where(GroupMember.group_id.in_(group_ids))
        .order_by(GroupMember.position, GroupMember.id)
    )
    out: dict[str, list[tuple[GroupMember, Role]]] = {g: [] for g in group_ids}
    for member, role in (await session.execute(query)).all():
        out[member.group_id].append((member, role))
    return out


def member_view(member: GroupMember, role: Role) -> api.GroupMember:
    return api.GroupMember(
        id=member.id,
        group_id=member.group_id,
        role_id=role.id,
        role_name=role.name,
        agent_id=agent_id_for(role.name),
        position=member.position,
        is_lead=member.is_lead,
        created_at=member.created_at,
    )


def group_view(row: Group, seated: list[tuple[GroupMember, Role]]) -> api.Group:
    return api.Group(
        id=row.id,
        name=row.name,
        description=row.description,
        orchestrator=row.orchestrator,  # type: ignore[arg-type]
        max_rounds=row.max_rounds,
        project_id=row.project_id,
        members=[member_view(m, r) for m, r in seated],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def add_member(
    session: AsyncSession, scope: Scope, group_id: str, body: api.GroupMemberCreate
) -> tuple[GroupMember, Role]:
    scope.require("member", "change groups")
    group = await get_group(session, scope, group_id)
    role = await get_role(session, scope, body.role_id, field="role_id")
    seated = (await members(session, [group.id]))[group.id]
    if len(seated) >= api.MAX_MEMBERS:
        message = f"a group has at most {api.MAX_MEMBERS} members"
        raise ValidationFailed(
            message, errors=[field_error(["body", "role_id"], message, "too_many_members")]
        )
    if body.is_lead:
        await _unset_lead(session, group.id)
    position = (
        body.position if body.position is not None else 1 + max((m.position for m, _ in seated), default=-1)
    )
    row = GroupMember(
        id=new_id("mem"), org_id=scope.org_id, group_id=group.id, role_id=role.id,
        position=position, is_lead=body.is_lead,
    )  # fmt: skip
    session.add(row)
    await flush_or_conflict(session, f"role {role.name!r} in group {group.name!r}")
    if body.position is not None:
        await _reorder(session, group.id, row, body.position)
        await session.flush()
    await session.refresh(row)
    return row, role


async def update_member(
    session: AsyncSession, scope: Scope, group_id: str, member_id: str, body: api.GroupMemberUpdate
) -> tuple[GroupMember, Role]:
    scope.require("member", "change groups")
    group = await get_group(session, scope, group_id)
    row = await _member(session, group.id, member_id)
    if body.role_id is not None:
        row.role_id = (await get_role(session, scope, body.role_id, field="role_id")).id
    if body.position is not None:
        await _reorder(session, group.id, row, body.position)
    if body.is_lead is not None:
        if body.is_lead and not row.is_lead:
            await _unset_lead(session, group.id)
        row.is_lead = body.is_lead
    await flush_or_conflict(session, f"member {member_id!r}")
    await session.refresh(row)
    role = await session.get(Role, row.role_id)
    assert role is not None
    return row, role


async def _reorder(session: AsyncSession, group_id: str, moved: GroupMember, index: int) -> None:
    """Put ``moved`` at ``index`` in the group's order and number the members 0..n-1 (a
    drag in the UI is one PUT; no two members share a position afterwards)."""
    query = (
        select(GroupMember)
        .where(GroupMember.group_id == group_id)
        .order_by(GroupMember.position, GroupMember.id)
    )
    order = [m for m in (await session.execute(query)).scalars() if m.id != moved.id]
    order.insert(min(index, len(order)), moved)
    for position, member in enumerate(order):
        member.position = position


async def remove_member(session: AsyncSession, scope: Scope, group_id: str, member_id: str) -> None:
    scope.require("member", "change groups")
    group = await get_group(session, scope, group_id)
    await session.delete(await _member(session, group.id, member_id))


async def _member(session: AsyncSession, group_id: str, member_id: str) -> GroupMember:
    row = await session.get(GroupMember, member_id)
    if row is None or row.group_id != group_id:
        raise NotFound("member", member_id)
    return row


async def _unset_lead(session: AsyncSession, group_id: str) -> None:
    """One lead per group: naming a new one demotes the old (the unique index is the guard)."""
    await session.execute(update(GroupMember).where(GroupMember.group_id == group_id).values(is_lead=False))


# --- runs and stats ------------------------------------------------------------------


async def group_run_config(
    session: AsyncSession, scope: Scope, group_id: str, body: api.GroupRunCreate
) -> tuple[Group, dict[str, Any]]:
    """The config a group run is created with: its orchestrator and its members' snapshot.
    A group without members is refused (422 naming the group). Without a lead, the last
    member in order leads."""
    group = await get_group(session, scope, group_id)
    seated = (await members(session, [group.id]))[group.id]
    if not seated:
        message = f"group {group.name!r} has no members; add roles with POST /api/groups/{group.id}/members"
        raise ValidationFailed(message, errors=[field_error(["path", "group_id"], message, "empty_group")])
    lead = next((i for i, (m, _) in enumerate(seated) if m.is_lead), len(seated) - 1)
    team = []
    used: set[str] = set()
    for i, (member, role) in enumerate(seated):
        agent_id = agent_id_for(role.name)
        if agent_id in used:
            agent_id = f"{agent_id}-{i + 1}"
        used.add(agent_id)
        config = role_config(role)
        config["group_id"] = group.id
        config["extra_tools"] = list(MEMBER_TOOLS)
        team.append(
            {
                "member_id": member.id,
                "role_id": role.id,
                "agent_id": agent_id,
                "lead": i == lead,
                "config": config,
            }
        )
    return group, {
        "group_id": group.id,
        "orchestrator": body.orchestrator or group.orchestrator,
        "max_rounds": body.max_rounds or group.max_rounds,
        "team": team,
    }


# One pass over a role's (or a group's) runs: counts, usage and last use. The partial
# expression indexes of migration 0015 serve each WHERE.
_STATS = """
    SELECT count(*) AS runs,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status IN ('pending', 'queued', 'running', 'waiting')) AS active,
           coalesce(sum((usage ->> 'prompt_tokens')::bigint), 0) AS prompt_tokens,
           coalesce(sum((usage ->> 'completion_tokens')::bigint), 0) AS completion_tokens,
           coalesce(sum((usage ->> 'total_tokens')::bigint), 0) AS total_tokens,
           coalesce(sum((usage ->> 'cost_usd')::float8), 0) AS cost_usd,
           max(created_at) AS last_used_at
      FROM runs
     WHERE org_id = :org_id AND {which}
"""
_ROLE_STATS = text(_STATS.format(which="config ? 'role_id' AND config ->> 'role_id' = :id"))
_GROUP_STATS = text(_STATS.format(which="kind = 'group' AND config ->> 'group_id' = :id"))


async def role_stats(session: AsyncSession, scope: Scope, role_id: str) -> api.Stats:
    await get_role(session, scope, role_id)
    return _stats((await session.execute(_ROLE_STATS, {"org_id": scope.org_id, "id": role_id})).one())


async def group_stats(session: AsyncSession, scope: Scope, group_id: str) -> api.Stats:
    await get_group(session, scope, group_id)
    return _stats((await session.execute(_GROUP_STATS, {"org_id": scope.org_id, "id": group_id})).one())


def _stats(row: Any) -> api.Stats:
    finished = row.completed + row.failed
    return api.Stats(
        runs=row.runs,
        completed=row.completed,
        failed=row.failed,
        active=row.active,
        success_rate=round(row.completed / finished, 4) if finished else None,
        usage=Usage(
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            total_tokens=row.total_tokens,
            cost_usd=round(row.cost_usd, 8),
        ),
        last_used_at=row.last_used_at,
    )


async def group_runs(
    session: AsyncSession, scope: Scope, group_id: str, *, limit: int, cursor: str | None
) -> list[Run]:
    """The group's runs, newest first; ``cursor`` is the last id of the previous page."""
    await get_group(session, scope, group_id)
    # The literal ->> 'group_id' (not a bound key) so the planner matches the index expression.
    query = (
        select(Run)
        .where(
            Run.org_id == scope.org_id, Run.kind == "group", text("runs.config ->> 'group_id' = :group_id")
        )
        .params(group_id=group_id)
    )
    if cursor is not None:
        query = query.where(Run.id < cursor)
    return list((await session.execute(query.order_by(Run.id.desc()).limit(limit))).scalars())
