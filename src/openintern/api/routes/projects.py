"""Projects of the caller's org."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openintern.api.deps import ScopeDep, SessionDep
from openintern.auth import tenancy
from openintern.schemas import actions, core
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.responses import Page

router = APIRouter(prefix="/api/projects", tags=["projects"])


@router.get("")
async def list_projects(
    scope: ScopeDep, session: SessionDep, limit: Limit = 100, cursor: Cursor | None = None
) -> Page[core.Project]:
    rows = await tenancy.list_projects(session, scope, limit, cursor)
    nxt = rows[-1].id if len(rows) == limit else None
    return Page(items=[core.Project.model_validate(r) for r in rows], next_cursor=nxt)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_project(body: actions.ProjectCreate, scope: ScopeDep, session: SessionDep) -> core.Project:
    return core.Project.model_validate(await tenancy.create_project(session, scope, body))


@router.get("/{project_id}")
async def get_project(project_id: str, scope: ScopeDep, session: SessionDep) -> core.Project:
    return core.Project.model_validate(await tenancy.get_project(session, scope, project_id))


@router.patch("/{project_id}")
async def update_project(
    project_id: str, body: actions.ProjectUpdate, scope: ScopeDep, session: SessionDep
) -> core.Project:
    return core.Project.model_validate(await tenancy.update_project(session, scope, project_id, body))


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(project_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    await tenancy.delete_project(session, scope, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
