"""Engines and connection strings.

All access is SQLAlchemy 2 (async) on psycopg 3. LISTEN/NOTIFY and COPY use raw psycopg
connections, for which :func:`libpq_conninfo` turns the SQLAlchemy URL back into libpq form.
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from openintern.errors import ConfigError

MIN_SERVER_VERSION = 150000  # PostgreSQL 15: MERGE, NULLS NOT DISTINCT, faster sorts
MIN_PGVECTOR = (0, 7)  # 0.7: halfvec and the HNSW build speed-ups we rely on


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` / ``postgresql://`` and use the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ConfigError(f"DATABASE_URL must point at PostgreSQL, not {parsed.get_backend_name()!r}")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def libpq_conninfo(url: str) -> str:
    """The same URL as libpq understands it (for raw psycopg connections)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect_args(statement_timeout_ms: int) -> dict[str, Any]:
    """psycopg settings of every connection the platform opens, pooled or its own."""
    return {
        "options": f"-c statement_timeout={int(statement_timeout_ms)}",
        # Prepared statements pay off for the hot, repeated queries (claim, append events).
        "prepare_threshold": 5,
    }


def create_engine(
    url: str, *, pool_size: int = 20, max_overflow: int = 20, statement_timeout_ms: int = 30_000, **kw: Any
) -> AsyncEngine:
    return create_async_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,  # the pool recycles on error; a ping per checkout costs a round trip
        pool_recycle=1800,
        connect_args=connect_args(statement_timeout_ms),
        **kw,
    )


async def connect_own(
    conninfo: str, *, application_name: str, statement_timeout_ms: int
) -> psycopg.AsyncConnection[Any]:
    """A connection beside the pool, in autocommit (a statement is its own transaction: one
    round trip), set up as the pool's are; for the hot paths that keep one (the event
    writer, memory searches). ``application_name`` shows it in ``pg_stat_activity``."""
    return await psycopg.AsyncConnection.connect(
        conninfo, autocommit=True, application_name=application_name, **connect_args(statement_timeout_ms)
    )
