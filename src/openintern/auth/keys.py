"""API keys: random, shown once, stored as SHA-256, ``active | disabled | revoked``."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.principals import API_KEY_PREFIX, hash_api_key
from openintern.auth.scope import Scope
from openintern.auth.tenancy import get_project
from openintern.db.orm import ApiKey
from openintern.db.session import flush_or_conflict
from openintern.errors import Forbidden, InvalidTransition, NotFound
from openintern.schemas import actions
from openintern.schemas.ids import new_id

KEY_BYTES = 32  # 256 bits of entropy: not guessable, so a fast hash (SHA-256) is enough


async def create_key(session: AsyncSession, scope: Scope, body: actions.ApiKeyCreate) -> tuple[ApiKey, str]:
    scope.require("member", "create API keys")
    if not scope.at_least(body.role):
        raise Forbidden(f"a key cannot have a higher role ({body.role}) than yours ({scope.role})")
    project_id = body.project_id or scope.project_id
    if project_id is not None:
        await get_project(session, scope, project_id)
    key = API_KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    row = ApiKey(
        id=new_id("key"),
        org_id=scope.org_id,
        project_id=project_id,
        user_id=scope.user_id,
        name=body.name,
        prefix=key[:10],
        key_hash=hash_api_key(key),
        role=body.role,
        status="active",
    )
    session.add(row)
    await flush_or_conflict(session, "API key")
    await session.refresh(row)
    return row, key


async def list_keys(session: AsyncSession, scope: Scope, limit: int, cursor: str | None) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.org_id == scope.org_id)
    if not scope.at_least("admin"):
        query = query.where(ApiKey.user_id == scope.user_id)
    if cursor:
        query = query.where(ApiKey.id < cursor)
    return list((await session.execute(query.order_by(ApiKey.id.desc()).limit(limit))).scalars())


async def get_key(session: AsyncSession, scope: Scope, key_id: str) -> ApiKey:
    row = await session.get(ApiKey, key_id)
    if row is None or row.org_id != scope.org_id:
        raise NotFound("api_key", key_id)
    if row.user_id != scope.user_id and not scope.at_least("admin"):
        raise NotFound("api_key", key_id)
    return row


async def set_key_status(session: AsyncSession, scope: Scope, key_id: str, status: str) -> ApiKey:
    row = await get_key(session, scope, key_id)
    if row.status == "revoked":
        raise InvalidTransition(f"API key {key_id} is revoked; a revoked key cannot change", id=key_id)
    row.status = status
    if status == "revoked":
        row.revoked_at = datetime.now(timezone.utc)
    await session.flush()
    return row
