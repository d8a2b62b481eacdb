"""Which PostgreSQL to use, and whether it is good enough.

No ``DATABASE_URL`` → the embedded server in ``DATA_DIR/pg``. With one → that server,
refused with a clear message if it is older than PostgreSQL 15 or lacks pgvector ≥ 0.7.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from openintern.config import Settings
from openintern.db.embedded import start_embedded
from openintern.db.engine import MIN_PGVECTOR, MIN_SERVER_VERSION, libpq_conninfo, normalise_url
from openintern.errors import DatabaseError

CONNECT_TIMEOUT_S = 5  # doctor and start-up should fail fast on a wrong host


@dataclass(frozen=True)
class ServerInfo:
    version_num: int
    version: str
    pgvector_available: str | None
    pgvector_installed: str | None


def resolve_database_url(settings: Settings) -> str:
    if settings.database.url:
        return normalise_url(settings.database.url)
    return start_embedded(settings.data_dir)


def inspect_server(url: str) -> ServerInfo:
    try:
        with psycopg.connect(libpq_conninfo(url), connect_timeout=CONNECT_TIMEOUT_S) as conn:
            version_num = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            available = conn.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
            ).fetchone()
            installed = conn.execute(
                "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to PostgreSQL: {str(exc).strip()}") from exc
    return ServerInfo(
        version_num, version, available[0] if available else None, installed[0] if installed else None
    )


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def check_server(info: ServerInfo) -> None:
    if info.version_num < MIN_SERVER_VERSION:
        raise DatabaseError(f"PostgreSQL {info.version} is too old: OpenIntern needs 15 or newer")
    vector = info.pgvector_installed or info.pgvector_available
    if vector is None:
        raise DatabaseError(
            "the pgvector extension is not available on this server: install it "
            "(e.g. the postgresql-NN-pgvector package) or unset DATABASE_URL to use the embedded server"
        )
    if _version_tuple(vector) < MIN_PGVECTOR:
        raise DatabaseError(f"pgvector {vector} is too old: OpenIntern needs 0.7 or newer")


def prepare_database(settings: Settings) -> str:
    """Resolve, check and migrate; returns the SQLAlchemy URL (blocking: call in a thread)."""
    from openintern.db.migrate import upgrade

    url = resolve_database_url(settings)
    check_server(inspect_server(url))
    upgrade(url)
    return url
