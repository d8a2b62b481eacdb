"""Turning credentials into a :class:`Principal`: passwords, JWTs and API keys."""

from __future__ import annotations

import hashlib
from typing import cast

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.passwords import verify_password
from openintern.auth.scope import Principal, Role
from openintern.auth.tokens import IssuedToken, issue_token, read_token
from openintern.db.orm import ApiKey, Membership, User
from openintern.errors import Unauthenticated

API_KEY_PREFIX = "oi_"

# last_used_at is written at most once a minute per key, so a busy key does not turn every
# read request into a row update.
_TOUCH_KEY = text(
    "UPDATE api_keys SET last_used_at = now() WHERE id = :id "
    "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def login(session: AsyncSession, username: str, password: str, secret: str, ttl_s: int) -> IssuedToken:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise Unauthenticated("wrong username or password")
    return issue_token(user.id, secret, ttl_s)


async def authenticate(session: AsyncSession, bearer: str, secret: str) -> Principal:
    """A principal for an ``Authorization: Bearer`` value (a JWT or an API key)."""
    if bearer.startswith(API_KEY_PREFIX):
        return await _from_api_key(session, bearer)
    return await _from_user(session, read_token(bearer, secret))


async def _memberships(session: AsyncSession, user_id: str) -> dict[str, Role]:
    rows = await session.execute(
        select(Membership.org_id, Membership.role)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.org_id)
    )
    return {org_id: cast(Role, role) for org_id, role in rows.all()}


# The user and their memberships in one round trip (every authenticated request runs it).
_USER_WITH_MEMBERSHIPS = text(
    """
    SELECT u.username, u.is_active, m.org_id, m.role
      FROM users u LEFT JOIN memberships m ON m.user_id = u.id
     WHERE u.id = :user_id
     ORDER BY m.created_at, m.org_id
    """
)


async def _from_user(session: AsyncSession, user_id: str) -> Principal:
    rows = (await session.execute(_USER_WITH_MEMBERSHIPS, {"user_id": user_id})).all()
    if not rows or not rows[0].is_active:
        raise Unauthenticated("the access token's user no longer exists or is disabled")
    memberships = {r.org_id: cast(Role, r.role) for r in rows if r.org_id is not None}
    return Principal(user_id, rows[0].username, memberships)


async def _from_api_key(session: AsyncSession, key: str) -> Principal:
    row = (
        await session.execute(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key)))
    ).scalar_one_or_none()
    if row is None:
        raise Unauthenticated("unknown API key")
    if row.status != "active":
        raise Unauthenticated(f"this API key is {row.status}")
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("the API key's user is disabled")
    await session.execute(_TOUCH_KEY, {"id": row.id})
    return Principal(
        user.id,
        user.username,
        await _memberships(session, user.id),
        api_key_id=row.id,
        key_org_id=row.org_id,
        key_project_id=row.project_id,
        key_role=row.role,  # type: ignore[arg-type]
    )


async def deactivate_user_sessions(session: AsyncSession, user_id: str) -> None:
    await session.execute(update(User).where(User.id == user_id).values(is_active=False))
