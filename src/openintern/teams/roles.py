"""Roles: an agent's configuration with a name — CRUD, stats, and the run config a role gives.

A role's own tool rules are `tool_policies` rows with its ``role_id``: the policy engine
already ranks a role rule above an org rule (`tools.policy.decide`), so a member run that
names its role in ``config.role_id`` is governed by them with no second mechanism.
Because a role rule outranks the org's, only admins may set them (a member could
otherwise allow what the org blocks).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import Group as GroupRow
from openintern.db.orm import GroupMember, Role, ToolPolicyRule
from openintern.db.session import flush_or_conflict
from openintern.errors import Conflict, NotFound, ValidationFailed, field_error
from openintern.schemas import teams as api
from openintern.schemas.ids import new_id

_FIELDS = ("name", "description", "system_prompt", "provider", "model", "tools", "skills", "memory_scope")


async def list_roles(session: AsyncSession, scope: Scope) -> list[Role]:
    query = select(Role).where(Role.org_id == scope.org_id).order_by(Role.name)
    return list((await session.execute(query)).scalars())


async def get_role(session: AsyncSession, scope: Scope, role_id: str, *, field: str | None = None) -> Role:
    """The org's role ``role_id``; with ``field``, an unknown id is a 422 naming it (the
    role is named inside a body) instead of a 404."""
    row = await session.get(Role, role_id)
    if row is None or row.org_id != scope.org_id:
        if field is not None:
            message = f"no role {role_id!r} in this org"
            raise ValidationFailed(
                message, errors=[field_error(["body", *field.split(".")], message, "unknown_role")]
            )
        raise NotFound("role", role_id)
    return row


async def role_rules(session: AsyncSession, role_ids: Collection[str]) -> dict[str, list[ToolPolicyRule]]:
    query = (
        select(ToolPolicyRule).where(ToolPolicyRule.role_id.in_(list(role_ids))).order_by(ToolPolicyRule.id)
    )
    out: dict[str, list[ToolPolicyRule]] = {r: [] for r in role_ids}
    for row in (await session.execute(query)).scalars():
        out.setdefault(row.role_id or "", []).append(row)
    return out


def role_view(row: Role, rules: list[ToolPolicyRule]) -> api.Role:
    return api.Role.model_validate(
        {
            **{k: getattr(row, k) for k in (*_FIELDS, "id", "model_settings", "spawn_roles", "max_steps")},
            "project_id": row.project_id,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "tool_policies": [
                {"pattern": r.pattern, "action": r.action, "risk": r.risk, "priority": r.priority}
                for r in rules
            ],
        }
    )


async def create_role(
    session: AsyncSession, scope: Scope, body: api.RoleCreate, known_tools: Collection[str]
) -> Role:
    scope.require("member", "create roles")
    _check_tools(body, known_tools)
    if body.project_id is not None:
        from openintern.auth import get_project

        await get_project(session, scope, body.project_id)
    row = Role(
        id=new_id("role"),
        org_id=scope.org_id,
        project_id=body.project_id,
        name=body.name,
        description=body.description or "",
        system_prompt=body.system_prompt,
        provider=body.provider,
        model=body.model,
        model_settings=body.model_settings.model_dump(exclude_none=True) if body.model_settings else {},
        tools=body.tools,
        skills=body.skills or [],
        memory_scope=body.memory_scope or "org",
        spawn_roles=[],
        max_steps=body.max_steps,
    )
    session.add(row)
    await flush_or_conflict(session, f"role {body.name!r}")
    await _set_spawn_roles(session, scope, row, body.spawn_roles)
    await _set_rules(session, scope, row, body.tool_policies)
    await session.refresh(row)
    return row


async def update_role(
    session: AsyncSession, scope: Scope, role_id: str, body: api.RoleUpdate, known_tools: Collection[str]
) -> Role:
    scope.require("member", "change roles")
    row = await get_role(session, scope, role_id)
    _check_tools(body, known_tools)
    sent = body.model_fields_set
    nullable = ("provider", "model", "tools", "max_steps")  # null means "the default"
    for key in (*_FIELDS, "max_steps"):
        value = getattr(body, key)
        if key in sent and (value is not None or key in nullable):
            setattr(row, key, value)
    if "skills" in sent:
        row.skills = body.skills or []
    if "model_settings" in sent:
        row.model_settings = body.model_settings.model_dump(exclude_none=True) if body.model_settings else {}
    row.updated_at = func.now()
    await flush_or_conflict(session, f"role {row.name!r}")
    if "spawn_roles" in body.model_fields_set:
        await _set_spawn_roles(session, scope, row, body.spawn_roles)
    if "tool_policies" in body.model_fields_set:
        await _set_rules(session, scope, row, body.tool_policies)
    await session.refresh(row)
    return row


def _check_tools(body: api.RoleCreate | api.RoleUpdate, known: Collection[str]) -> None:
    for i, name in enumerate(body.tools or []):
        if name not in known:
            message = f"unknown tool {name!r}; GET /api/tools lists them"
            raise ValidationFailed(
                message, errors=[field_error(["body", "tools", i], message, "unknown_tool")]
            )


async def _set_rules(
    session: AsyncSession, scope: Scope, row: Role, rules: list[api.RoleToolRule] | None
) -> None:
    if rules is None:
        return
    scope.require("admin", "set a role's tool policies (they outrank the org's)")
    await session.execute(delete(ToolPolicyRule).where(ToolPolicyRule.role_id == row.id))
    for rule in rules:
        session.add(
            ToolPolicyRule(id=new_id("pol"), org_id=scope.org_id, role_id=row.id, **rule.model_dump())
        )
    await session.flush()


# The spawn graph of the org: which roles each role may start with spawn_agent.
_SPAWN_EDGES = text("SELECT id, spawn_roles FROM roles WHERE org_id = :org_id")


async def _set_spawn_roles(session: AsyncSession, scope: Scope, row: Role, targets: list[str] | None) -> None:
    """Each target must be a role of the org, and the graph must stay acyclic (a role that
    can spawn itself, directly or through others, would recurse until a limit stops it)."""
    if targets is None:
        return
    edges = {
        r.id: list(r.spawn_roles or []) for r in await session.execute(_SPAWN_EDGES, {"org_id": scope.org_id})
    }
    for i, target in enumerate(targets):
        if target not in edges:
            message = f"no role {target!r} in this org"
            raise ValidationFailed(
                message, errors=[field_error(["body", "spawn_roles", i], message, "unknown_role")]
            )
    edges[row.id] = list(dict.fromkeys(targets))
    cycle = _cycle_from(row.id, edges)
    if cycle:
        message = f"spawn_roles would make a cycle: {' → '.join(cycle)}"
        raise ValidationFailed(message, errors=[field_error(["body", "spawn_roles"], message, "spawn_cycle")])
    row.spawn_roles = edges[row.id]
    await session.flush()


def _cycle_from(start: str, edges: dict[str, list[str]]) -> list[str]:
    """A path from ``start`` back to itself, or [] (depth-first; the graph is small)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in edges.get(node, []):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []


async def delete_roles(session: AsyncSession, scope: Scope, role_ids: list[str]) -> list[str]:
    """Delete these roles (all or none): each must exist, none may be a group's member."""
    scope.require("member", "delete roles")
    rows = [await get_role(session, scope, role_id) for role_id in dict.fromkeys(role_ids)]
    ids = [r.id for r in rows]
    used = (
        await session.execute(
            select(GroupMember.role_id, GroupRow.name)
            .join(GroupRow, GroupRow.id == GroupMember.group_id)
            .where(GroupMember.role_id.in_(ids))
            .order_by(GroupRow.name)
        )
    ).all()
    if used:
        names = sorted({name for _, name in used})
        raise Conflict(
            f"role {used[0].role_id} is a member of group(s) {', '.join(repr(n) for n in names)}; "
            "remove it from them first",
            constraint="fk_group_members_role_id_roles",
            groups=names,
        )
    spawners = [
        r.name for r in await list_roles(session, scope) if r.id not in ids and set(r.spawn_roles) & set(ids)
    ]
    if spawners:
        raise Conflict(
            f"role(s) {', '.join(repr(n) for n in spawners)} may spawn it; change their spawn_roles first",
            constraint="spawn_roles",
        )
    await session.execute(delete(ToolPolicyRule).where(ToolPolicyRule.role_id.in_(ids)))
    await session.execute(delete(Role).where(Role.id.in_(ids)))
    return ids


def role_config(role: Role) -> dict[str, Any]:
    """The agent-run config a role gives (what `POST /api/runs` would store): the run's own
    fields override it. ``role_id`` makes the policy engine apply the role's rules."""
    config: dict[str, Any] = {"role_id": role.id, "system_prompt": role.system_prompt}
    for key in ("provider", "model", "tools", "max_steps"):
        value = getattr(role, key)
        if value is not None:
            config[key] = value
    if role.model_settings:
        config["model_settings"] = dict(role.model_settings)
    if role.spawn_roles:
        config["spawn_roles"] = list(role.spawn_roles)
    if role.memory_scope in ("none", "group"):  # group: the team's memory is its blackboard
        config["recall"] = False
        config["remember"] = False
    return config


async def find_role(session: AsyncSession, org_id: str, ref: str) -> Role | None:
    """An org's role by id or by name (what a model may write in ``spawn_agent``)."""
    query = select(Role).where(Role.org_id == org_id, (Role.id == ref) | (Role.name == ref))
    return (await session.execute(query.limit(1))).scalar_one_or_none()
