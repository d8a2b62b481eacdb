"""Teams: roles, groups and members, group runs, the blackboard (the seed's paths)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openintern.api.deps import PlatformDep, ScopeDep, SessionDep
from openintern.db.orm import Group as GroupRow
from openintern.db.orm import Role as RoleRow
from openintern.runs import service as runs
from openintern.schemas import actions
from openintern.schemas import teams as api
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.memory import SearchText
from openintern.schemas.responses import Page
from openintern.schemas.runs import Run
from openintern.teams import blackboard, groups, roles

router = APIRouter(prefix="/api", tags=["teams"])


# --- roles ---------------------------------------------------------------------------


async def _role_view(session: SessionDep, row: RoleRow) -> api.Role:
    return roles.role_view(row, (await roles.role_rules(session, [row.id]))[row.id])


@router.get("/roles")
async def list_roles(scope: ScopeDep, session: SessionDep) -> Page[api.Role]:
    rows = await roles.list_roles(session, scope)
    rules = await roles.role_rules(session, [r.id for r in rows])
    return Page(items=[roles.role_view(r, rules[r.id]) for r in rows])


@router.post("/roles", status_code=status.HTTP_201_CREATED)
async def create_role(
    body: api.RoleCreate, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> api.Role:
    known = platform.services.tools.names()
    return await _role_view(session, await roles.create_role(session, scope, body, known))


@router.get("/roles/{role_id}")
async def get_role(role_id: str, scope: ScopeDep, session: SessionDep) -> api.Role:
    return await _role_view(session, await roles.get_role(session, scope, role_id))


@router.put("/roles/{role_id}")
async def update_role(
    role_id: str, body: api.RoleUpdate, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> api.Role:
    known = platform.services.tools.names()
    return await _role_view(session, await roles.update_role(session, scope, role_id, body, known))


@router.delete("/roles/{role_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_role(role_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    """Refused (409, naming the groups) while a group seats the role."""
    await roles.delete_roles(session, scope, [role_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/roles/{role_id}/stats")
async def role_stats(role_id: str, scope: ScopeDep, session: SessionDep) -> api.Stats:
    """Runs that used the role (its own and its member turns): counts, usage, last use."""
    return await groups.role_stats(session, scope, role_id)


@router.post("/roles/batch-delete")
async def delete_roles(body: api.BatchDelete, scope: ScopeDep, session: SessionDep) -> api.BatchDeleted:
    """All or none."""
    return api.BatchDeleted(deleted=await roles.delete_roles(session, scope, body.ids))


# --- groups --------------------------------------------------------------------------


async def _group_view(session: SessionDep, row: GroupRow) -> api.Group:
    return groups.group_view(row, (await groups.members(session, [row.id]))[row.id])


@router.get("/groups")
async def list_groups(scope: ScopeDep, session: SessionDep) -> Page[api.Group]:
    rows = await groups.list_groups(session, scope)
    seated = await groups.members(session, [g.id for g in rows])
    return Page(items=[groups.group_view(g, seated[g.id]) for g in rows])


@router.post("/groups", status_code=status.HTTP_201_CREATED)
async def create_group(body: api.GroupCreate, scope: ScopeDep, session: SessionDep) -> api.Group:
    return await _group_view(session, await groups.create_group(session, scope, body))


@router.get("/groups/{group_id}")
async def get_group(group_id: str, scope: ScopeDep, session: SessionDep) -> api.Group:
    return await _group_view(session, await groups.get_group(session, scope, group_id))


@router.put("/groups/{group_id}")
async def update_group(
    group_id: str, body: api.GroupUpdate, scope: ScopeDep, session: SessionDep
) -> api.Group:
    return await _group_view(session, await groups.update_group(session, scope, group_id, body))


@router.delete("/groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_group(group_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    """The group and its members; its runs and blackboard entries stay."""
    await groups.delete_groups(session, scope, [group_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/groups/batch-delete")
async def delete_groups(body: api.BatchDelete, scope: ScopeDep, session: SessionDep) -> api.BatchDeleted:
    return api.BatchDeleted(deleted=await groups.delete_groups(session, scope, body.ids))


@router.get("/groups/{group_id}/stats")
async def group_stats(group_id: str, scope: ScopeDep, session: SessionDep) -> api.Stats:
    return await groups.group_stats(session, scope, group_id)


@router.get("/groups/{group_id}/runs")
async def group_runs(
    group_id: str, scope: ScopeDep, session: SessionDep, limit: Limit = 50, cursor: Cursor | None = None
) -> Page[Run]:
    rows = await groups.group_runs(session, scope, group_id, limit=limit, cursor=cursor)
    items = [runs.run_view(r) for r in rows]
    return Page(items=items, next_cursor=rows[-1].id if len(rows) == limit else None)


@router.post("/groups/{group_id}/runs", status_code=status.HTTP_201_CREATED)
async def create_group_run(
    group_id: str, body: api.GroupRunCreate, scope: ScopeDep, session: SessionDep
) -> Run:
    """A run of kind ``group``: the team works on ``input`` with the group's orchestrator
    (or this run's). Follow it like any run: events, stream, trace."""
    group, config = await groups.group_run_config(session, scope, group_id, body)
    run = actions.RunCreate(
        input=body.text,
        session_key=body.session_key,
        agent_id="team",
        # The team up front (who, who leads), so a UI can draw every lane before the first turn.
        metadata={
            **body.metadata,
            "group_id": group.id,
            "orchestrator": config["orchestrator"],
            "team": [{"agent_id": m["agent_id"], "lead": m["lead"]} for m in config["team"]],
        },
        project_id=group.project_id,
    )
    row, _ = await runs.create_run(session, scope, run, kind="group", base_config=config)
    return runs.run_view(row)


# --- members -------------------------------------------------------------------------


@router.get("/groups/{group_id}/members")
async def list_members(group_id: str, scope: ScopeDep, session: SessionDep) -> Page[api.GroupMember]:
    group = await groups.get_group(session, scope, group_id)
    seated = (await groups.members(session, [group.id]))[group.id]
    return Page(items=[groups.member_view(m, r) for m, r in seated])


@router.post("/groups/{group_id}/members", status_code=status.HTTP_201_CREATED)
async def add_member(
    group_id: str, body: api.GroupMemberCreate, scope: ScopeDep, session: SessionDep
) -> api.GroupMember:
    return groups.member_view(*await groups.add_member(session, scope, group_id, body))


@router.put("/groups/{group_id}/members/{member_id}")
async def update_member(
    group_id: str, member_id: str, body: api.GroupMemberUpdate, scope: ScopeDep, session: SessionDep
) -> api.GroupMember:
    return groups.member_view(*await groups.update_member(session, scope, group_id, member_id, body))


@router.delete("/groups/{group_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(group_id: str, member_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    await groups.remove_member(session, scope, group_id, member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- blackboard ----------------------------------------------------------------------


@router.get("/groups/{group_id}/blackboard")
async def list_blackboard(
    group_id: str,
    scope: ScopeDep,
    session: SessionDep,
    platform: PlatformDep,
    q: SearchText | None = None,
    limit: Limit = 50,
    cursor: Cursor | None = None,
) -> Page[api.BlackboardEntry]:
    """Newest first; with ``q``, hybrid search within the group's entries (best first)."""
    group = await groups.get_group(session, scope, group_id)
    memory = platform.services.memory
    items = await blackboard.list_entries(memory, session, scope, group.id, q=q, limit=limit, cursor=cursor)
    more = not q and len(items) == limit
    return Page(items=items, next_cursor=items[-1].id if more else None)


@router.post("/groups/{group_id}/blackboard", status_code=status.HTTP_201_CREATED)
async def post_blackboard(
    group_id: str, body: api.BlackboardCreate, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> api.BlackboardEntry:
    group = await groups.get_group(session, scope, group_id)
    scope.require("member", "write on a blackboard")
    row = await blackboard.post_entry(platform.services.memory, session, scope, group.id, body)
    return blackboard.entry_view(row)


@router.get("/groups/{group_id}/blackboard/{memory_id}")
async def get_blackboard_entry(
    group_id: str, memory_id: str, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> api.BlackboardEntry:
    group = await groups.get_group(session, scope, group_id)
    row = await blackboard.get_entry(platform.services.memory, session, scope, group.id, memory_id)
    return blackboard.entry_view(row)
