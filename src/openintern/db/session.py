"""The unit of work.

A route (or the worker, once per step) opens one transaction with
:meth:`Database.tenant` or :meth:`Database.system`; services take the session, flush, and
never commit. ``tenant`` switches to the ``openintern_app`` role and sets ``app.org_id``
for the transaction, so PostgreSQL's row-level security is a second wall behind the
scoped queries: even a query that forgot its ``org_id`` filter sees one org only.
``system`` is for the few cross-tenant paths (login, API-key lookup, the queue claim).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from openintern.db.engine import create_engine

APP_ROLE = "openintern_app"

_ENTER_TENANT = text(
    "SELECT set_config('role', :role, true), set_config('app.org_id', :org_id, true)"
).bindparams(role=APP_ROLE)


class Database:
    """An engine plus the two ways to open a transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    @classmethod
    def from_url(cls, url: str, **kw: int) -> Database:
        return cls(create_engine(url, **kw))

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @asynccontextmanager
    async def tenant(self, org_id: str) -> AsyncIterator[AsyncSession]:
        """A transaction confined to one org by RLS; commits on success."""
        async with self.sessions() as session, session.begin():
            await session.execute(_ENTER_TENANT, {"org_id": org_id})
            yield session

    @asynccontextmanager
    async def system(self) -> AsyncIterator[AsyncSession]:
        """A transaction that sees every org. Only for paths that must (login, claim)."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def flush_or_conflict(session: AsyncSession, what: str) -> None:
    """Flush; a unique/foreign-key violation becomes a Conflict naming the constraint."""
    from sqlalchemy.exc import IntegrityError

    from openintern.errors import Conflict

    try:
        await session.flush()
    except IntegrityError as exc:
        diag = getattr(exc.orig, "diag", None)
        constraint = getattr(diag, "constraint_name", None)
        raise Conflict(
            f"{what} conflicts with an existing one ({constraint})", constraint=constraint
        ) from exc


async def enter_tenant(session: AsyncSession, org_id: str) -> None:
    """Confine the rest of this transaction to one org (app role + ``app.org_id``)."""
    await session.execute(_ENTER_TENANT, {"org_id": org_id})


async def driver_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under the session's current transaction: for a statement
    written for psycopg (pipelines, ``%(name)s`` parameters) that must run in it."""
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver: psycopg.AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    return driver
