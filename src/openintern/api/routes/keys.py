"""API keys: create (the key is shown once), list, disable/enable, revoke."""

from __future__ import annotations

from fastapi import APIRouter, status

from openintern.api.deps import ScopeDep, SessionDep
from openintern.auth import keys
from openintern.schemas import actions, core
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.responses import ApiKeyCreated, Page

router = APIRouter(prefix="/api/keys", tags=["keys"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_key(body: actions.ApiKeyCreate, scope: ScopeDep, session: SessionDep) -> ApiKeyCreated:
    row, secret = await keys.create_key(session, scope, body)
    return ApiKeyCreated(**core.ApiKey.model_validate(row).model_dump(), key=secret)


@router.get("")
async def list_keys(
    scope: ScopeDep, session: SessionDep, limit: Limit = 100, cursor: Cursor | None = None
) -> Page[core.ApiKey]:
    rows = await keys.list_keys(session, scope, limit, cursor)
    return Page(
        items=[core.ApiKey.model_validate(r) for r in rows],
        next_cursor=rows[-1].id if len(rows) == limit else None,
    )


@router.get("/{key_id}")
async def get_key(key_id: str, scope: ScopeDep, session: SessionDep) -> core.ApiKey:
    return core.ApiKey.model_validate(await keys.get_key(session, scope, key_id))


@router.patch("/{key_id}")
async def update_key(
    key_id: str, body: actions.ApiKeyUpdate, scope: ScopeDep, session: SessionDep
) -> core.ApiKey:
    return core.ApiKey.model_validate(await keys.set_key_status(session, scope, key_id, body.status))


@router.post("/{key_id}/revoke")
async def revoke_key(key_id: str, scope: ScopeDep, session: SessionDep) -> core.ApiKey:
    return core.ApiKey.model_validate(await keys.set_key_status(session, scope, key_id, "revoked"))
