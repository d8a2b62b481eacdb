"""Engines and connection strings.

All access is SQLAlchemy 2 (async) on psycopg 3. LISTEN/NOTIFY and COPY use raw psycopg
connections, for which :func:`libpq_conninfo` turns the SQLAlchemy URL back into libpq form.
"""

from __future__ import annotations

from typing import Any

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


def create_engine(
    url: str, *, pool_size: int = 20, max_overflow: int = 20, statement_timeout_ms: int = 30_000, **kw: Any
) -> AsyncEngine:
    connect_args: dict[str, Any] = {"options": f"-c statement_timeout={statement_timeout_ms}"}
    # Prepared statements pay off for the hot, repeated queries (claim, append events).
    connect_args["prepare_threshold"] = 5
    return create_async_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,  # the pool recycles on error; a ping per checkout costs a round trip
        pool_recycle=1800,
        connect_args=connect_args,
        **kw,
    )
