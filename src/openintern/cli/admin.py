"""Direct database access for administrative commands (keys, users): the same service
functions as the API, acting as an owner of the org."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth import Role, Scope, ensure_bootstrap
from openintern.cli.context import settings_from
from openintern.cli.output import err_console
from openintern.db.orm import Membership, User
from openintern.db.server import prepare_database
from openintern.db.session import Database, enter_tenant
from openintern.errors import NotFound


@asynccontextmanager
async def open_database(config: Path | None, *, pool_size: int = 2) -> AsyncIterator[Database]:
    settings = settings_from(config)
    url = await asyncio.to_thread(prepare_database, settings)
    db = Database.from_url(url, pool_size=pool_size, max_overflow=0)
    try:
        boot = await ensure_bootstrap(db, settings)
        if boot.admin_password:  # this command made the first admin: the only chance to say it
            err_console.print(
                f"First start: created admin user {boot.admin_username!r}, one-time password "
                f"[bold]{boot.admin_password}[/] (store it now; OPENINTERN_ADMIN_PASSWORD chooses it)",
                highlight=False,
            )
        yield db
    finally:
        await db.dispose()


@asynccontextmanager
async def admin_scope(
    db: Database, org_id: str, username: str | None
) -> AsyncIterator[tuple[AsyncSession, Scope]]:
    async with db.system() as session:
        query = select(User.id, Membership.role).join(Membership, Membership.user_id == User.id)
        query = query.where(Membership.org_id == org_id)
        query = (
            query.where(User.username == username) if username else query.where(Membership.role == "owner")
        )
        row = (await session.execute(query.order_by(Membership.created_at).limit(1))).first()
        if row is None:
            raise NotFound("member" if username else "owner of org", username or org_id)
        await enter_tenant(session, org_id)
        yield session, Scope(org_id, row[0], cast(Role, row[1]))
