"""`GET /api/me`: who the credentials are, and the scope this request acts in."""

from __future__ import annotations

from fastapi import APIRouter

from openintern.api.deps import PrincipalDep, ScopeDep, SessionDep
from openintern.auth import get_org, get_project, orgs_of
from openintern.db.orm import User
from openintern.schemas import core
from openintern.schemas.responses import Me

router = APIRouter(prefix="/api", tags=["me"])


@router.get("/me")
async def me(scope: ScopeDep, principal: PrincipalDep, session: SessionDep) -> Me:
    user = await session.get(User, scope.user_id)
    assert user is not None
    project = await get_project(session, scope, scope.project_id) if scope.project_id else None
    return Me(
        user=core.UserPublic.model_validate(user),
        org=core.Org.model_validate(await get_org(session, scope)),
        role=scope.role,
        project=core.Project.model_validate(project) if project else None,
        orgs=await orgs_of(session, principal),
        api_key_id=scope.api_key_id,
    )
