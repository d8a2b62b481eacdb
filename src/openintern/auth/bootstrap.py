"""First start: the default org, project and admin, and the JWT signing key.

Idempotent and safe when several processes start at once (a transaction-level advisory
lock serialises them). The admin's one-time password is returned only to the process
that created the admin, which prints it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.passwords import generate_password
from openintern.auth.tenancy import create_org, create_user
from openintern.config import Settings
from openintern.db.orm import Project, Secret, User
from openintern.db.session import Database
from openintern.schemas.actions import OrgCreate

DEFAULT_ORG_ID = "org_default"
DEFAULT_PROJECT_ID = "prj_default"
_BOOTSTRAP_LOCK = 0x6F_6962_6F6F  # "oiboo"


@dataclass(frozen=True)
class Bootstrap:
    jwt_secret: str
    admin_username: str
    admin_password: str | None  # set only when this call created the admin with a generated password
    created: bool


async def ensure_bootstrap(db: Database, settings: Settings) -> Bootstrap:
    async with db.system() as session:
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _BOOTSTRAP_LOCK})
        jwt_secret = await _jwt_secret(session, settings)
        name = settings.auth.admin_username
        if await session.scalar(select(User.id).where(User.username == name)) is not None:
            return Bootstrap(jwt_secret, name, None, created=False)
        configured = settings.auth.admin_password
        password = configured.get_secret_value() if configured else generate_password()
        admin = await create_user(session, name, password, "Administrator")
        await create_org(session, admin.id, OrgCreate(name="Default", slug="default"), org_id=DEFAULT_ORG_ID)
        session.add(Project(id=DEFAULT_PROJECT_ID, org_id=DEFAULT_ORG_ID, name="Default", slug="default"))
        await session.flush()
        return Bootstrap(jwt_secret, name, None if configured else password, created=True)


async def _jwt_secret(session: AsyncSession, settings: Settings) -> str:
    if settings.auth.jwt_secret is not None:
        return settings.auth.jwt_secret.get_secret_value()
    await session.execute(
        insert(Secret).values(key="jwt_secret", value=secrets.token_urlsafe(48)).on_conflict_do_nothing()
    )
    value = await session.scalar(select(Secret.value).where(Secret.key == "jwt_secret"))
    assert value is not None
    return value
