"""Which PostgreSQL to use, and whether it is good enough.

No ``DATABASE_URL`` → the embedded server in ``DATA_DIR/pg``. With one → that server,
refused with a clear message if it is older than PostgreSQL 15 or lacks pgvector ≥ 0.7,
and advised (`openintern doctor`; a log line once per data directory) when it runs without
huge pages it could use and its shared memory is big enough for them to matter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from openintern.config import Settings
from openintern.db.embedded import start_embedded
from openintern.db.engine import MIN_PGVECTOR, MIN_SERVER_VERSION, libpq_conninfo, normalise_url
from openintern.errors import DatabaseError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5  # doctor and start-up should fail fast on a wrong host


@dataclass(frozen=True)
class ServerInfo:
    version_num: int
    version: str
    pgvector_available: str | None
    pgvector_installed: str | None
    memory: SharedMemory | None = None


HUGE_PAGES_WORTH_MB = 1024
"""From this shared_buffers up, a server without huge pages is worth a warning: memory
search reads its HNSW graph at random through shared_buffers, and with 4 kB pages those
reads miss the TLB (−8 – 15 % database CPU per search with them at M2, bench/RESULTS.md)."""


@dataclass(frozen=True)
class SharedMemory:
    """The server's shared memory and whether it sits in huge pages (``doctor`` and the
    start-up log report it; why it matters: `HUGE_PAGES_WORTH_MB`)."""

    shared_buffers_mb: int
    huge_pages: str  # the setting: try / on / off
    status: str | None  # on / off / unknown (PostgreSQL 17+; None before)
    pages_needed: int | None  # huge pages the server's shared memory takes (-1: unsupported here)

    def worth_huge_pages(self) -> bool:
        """The server runs without huge pages that it could use (the setting allows them, the
        platform has them) and its shared memory is big enough for them to matter."""
        return (
            self.status == "off"
            and self.huge_pages != "off"
            and (self.pages_needed or 0) > 0
            and self.shared_buffers_mb >= HUGE_PAGES_WORTH_MB
        )


def resolve_database_url(settings: Settings) -> str:
    if settings.database.url:
        return normalise_url(settings.database.url)
    return start_embedded(settings.data_dir, shared_buffers_mb=settings.database.embedded_shared_buffers_mb)


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
            memory = _shared_memory(conn)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to PostgreSQL: {str(exc).strip()}") from exc
    return ServerInfo(
        version_num, version, available[0] if available else None, installed[0] if installed else None, memory
    )


def _shared_memory(conn: psycopg.Connection[Any]) -> SharedMemory | None:
    # pg_settings rather than SHOW: huge_pages_status (17) and shared_memory_size_in_huge_pages
    # (15) are missing on older servers, where SHOW would fail.
    rows = conn.execute(
        "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
        (
            [
                "shared_buffers",
                "block_size",
                "huge_pages",
                "huge_pages_status",
                "shared_memory_size_in_huge_pages",
            ],
        ),
    ).fetchall()
    values = {str(name): str(setting) for name, setting in rows}
    if "shared_buffers" not in values or "huge_pages" not in values:
        return None
    block = int(values.get("block_size", "8192"))
    needed = values.get("shared_memory_size_in_huge_pages")
    return SharedMemory(
        shared_buffers_mb=int(values["shared_buffers"]) * block // 2**20,
        huge_pages=values["huge_pages"],
        status=values.get("huge_pages_status"),
        pages_needed=int(needed) if needed is not None else None,
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


def prepare_database(settings: Settings, *, advise: bool = True) -> str:
    """Resolve, check and migrate; returns the SQLAlchemy URL (blocking: call in a thread).
    ``advise``: log what would make the server faster (huge pages); serve's worker children
    do not, their parent has."""
    from openintern.db.migrate import upgrade

    url = resolve_database_url(settings)
    info = inspect_server(url)
    check_server(info)
    if advise and info.memory is not None:
        advise_huge_pages(info.memory, settings.data_dir / HUGE_PAGES_MARKER)
    upgrade(url)
    return url


HUGE_PAGES_MARKER = ".huge-pages-advised"
"""In the data directory: the start-up advice was given (`doctor` gives it every time)."""


def advise_huge_pages(memory: SharedMemory, marker: Path) -> bool:
    """Log the huge-pages advice once per data directory, and only for a server that could
    use them and whose shared memory is big enough to matter (`HUGE_PAGES_WORTH_MB`); True
    if it was logged. Every start of every process said it before, on every laptop."""
    if not memory.worth_huge_pages() or marker.exists():
        return False
    log.info(
        "PostgreSQL's shared memory (%s MB) is not in huge pages: reserving the %s it needs"
        " (vm.nr_hugepages) saves memory search 8 - 15 %% of its database CPU; see"
        " `openintern doctor` and docs/deploy.md (said once per data directory)",
        memory.shared_buffers_mb,
        memory.pages_needed,
    )
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"shared_buffers {memory.shared_buffers_mb} MB, {memory.pages_needed} huge pages\n")
    except OSError:  # a read-only data directory: the advice comes again, no harm
        pass
    return True
