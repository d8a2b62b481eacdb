"""Memory's own connections for search: a `psycopg_pool.AsyncConnectionPool`.

A search that needs no uncommitted write of its caller runs on one of a few connections of
memory's own, not on the caller's: with 20 searches in flight on a 2-core machine, 20
backends time-slicing the cores each have to fault in and cache the index pages they walk;
a few busy backends, the other searches waiting for one in Python, warm up far sooner and,
warm, spend a little less CPU per search (bench M2). The caller's transaction is not
needed for consistency: at READ COMMITTED every statement takes a new snapshot anyway.

The tenant wall is the same as `Database.tenant`'s: the role and ``app.org_id`` are set
with ``set_config(..., true)`` in the statement before the search, in one pipeline with no
Sync between them, so both run in one implicit transaction (one round trip, no BEGIN or
COMMIT) and the settings last exactly as long as the search. Each connection is also the
app role for good (``SET ROLE`` when the pool opens it), so were the settings ever not in
effect, RLS would show nothing (``app.org_id`` unset: fail closed); every part of the
statement filters by org besides.

The pool (`search_pool`) opens one connection when the first search comes and grows to
``size`` while searches wait for one; it closes one idle past ``min_size`` every 10
minutes of no use, and each after about an hour (psycopg_pool's ``max_idle`` and
``max_lifetime``). It replaced a hand-written pool (a semaphore and a list of idle
connections) that served no more searches a second: 2,000 searches each way in
alternating blocks, in-process, 300 memories, 8 in flight on 5 connections, 5.49 against
5.49 and 5.51 against 5.43 ms a search; the pool's hand-off to a waiting search costs
~0.1 ms more of Python per search (1.14 against 1.04 ms), about half of it in
`pool.connection()`'s commit-or-rollback on the way out, which `search_on` skips.

Every wait is bounded. One attempt to connect gives up after `SEARCH_CONNECT_TIMEOUT_S`
(psycopg's own default in async mode is 130 s), a search waits `SEARCH_WAIT_S` for a
connection and then fails with an error that says why the last attempt failed, and the
pool stops retrying in the background after `SEARCH_RECONNECT_TIMEOUT_S`. Whoever opens
the pool closes it (`MemoryService.close`) before its event loop ends: psycopg_pool's
worker swallows the cancellation of a connect in flight ("error connecting in …: " with
nothing after the colon, `str(CancelledError())` being empty) and waits for its next
task, so ``asyncio.run`` cancelling every task at its end waited for it forever. That was
the hang of ``openintern memory search`` under load; `SearchPool` now hands such a worker
a stop, and the CLI closes the pool.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import psycopg
from pgvector.psycopg import register_vector_async
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from psycopg_pool.pool_async import StopWorker
from sqlalchemy import exc as sa_exc

from openintern.db.engine import connect_args
from openintern.db.session import APP_ROLE
from openintern.memory.store import HNSW_CONFIG, Row, SearchArgs

log = logging.getLogger(__name__)

SEARCH_APPLICATION_NAME = "openintern-memory-search"
"""How the search connections show in ``pg_stat_activity``."""

SEARCH_SETTINGS = (
    "SELECT set_config('role', %(role)s, true) AS role,"
    " set_config('app.org_id', %(org_id)s, true) AS org_id, " + HNSW_CONFIG
)

SEARCH_WAIT_S = 10.0
"""How long a search waits for a connection before it fails (a 503 from the API). A
queue that long means the database is unreachable or far behind: at the default size a
search holds a connection for a few milliseconds."""

SEARCH_CONNECT_TIMEOUT_S = 5
"""How long one attempt to open a search connection may take (libpq's ``connect_timeout``,
whole seconds, at least 2). Half of `SEARCH_WAIT_S`: a search that gives up has seen an
attempt fail and can say why. A server that accepts and never answers (overloaded, or
stopped with SIGSTOP) otherwise held the attempt for psycopg's default of 130 s."""

SEARCH_RECONNECT_TIMEOUT_S = 30.0
"""How long the pool keeps retrying, with back-off, a connection that fails to open before it
gives up that slot (psycopg_pool's default is 5 minutes); the next search to wait tries again."""

SEARCH_CLOSE_TIMEOUT_S = SEARCH_CONNECT_TIMEOUT_S + 1.0
"""How long closing the pool waits for its workers: long enough for an attempt in flight to end."""


class SearchPool(AsyncConnectionPool[psycopg.AsyncConnection[Any]]):
    """psycopg_pool's pool, which also says why a connection could not be opened: the log
    line names the exception's type (psycopg_pool's own prints only ``str(exc)``, empty for
    some), and `last_connect_error` is what a search that waited in vain reports.

    It overrides psycopg_pool's private ``_connect`` (every attempt, initial, growing or
    replacing, goes through it); tests/memory/test_search_connections.py fails if a new
    psycopg_pool stops calling it."""

    last_connect_error: str | None = None
    """``"Type: message"`` of the last failed attempt; None once one succeeds."""

    async def _connect(self, timeout: float | None = None) -> psycopg.AsyncConnection[Any]:
        try:
            conn = await super()._connect(timeout)
        except asyncio.CancelledError:
            # The worker running this attempt catches the cancellation and waits for its
            # next task; cancelled, it was meant to stop, so give it that task.
            log.warning("memory search: a connection attempt was cancelled; stopping its pool worker")
            self.run_task(StopWorker(self))
            raise
        except Exception as exc:
            self.last_connect_error = _describe(exc)
            log.warning("memory search: could not open a connection: %s", self.last_connect_error)
            raise
        self.last_connect_error = None
        return conn


def _describe(exc: BaseException) -> str:
    """``"Type: message"``, never an empty string."""
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else f"{type(exc).__name__} (no message)"


def default_search_concurrency() -> int:
    """Search statements a process runs at once when not configured: two per core and one
    more, so that the cores stay busy while the process handles finished searches and
    sends the next ones. On the 2-core bench machine, once a search cost ~3 ms of database
    CPU, 5 served 9 – 11 % more searches a second than 3, and 6 no more than 5
    (bench/RESULTS.md, M2 "Sixth session")."""
    return 2 * (os.cpu_count() or 1) + 1


def search_pool(
    conninfo: str,
    size: int,
    statement_timeout_ms: int = 30_000,
    *,
    wait_s: float = SEARCH_WAIT_S,
    connect_timeout_s: int = SEARCH_CONNECT_TIMEOUT_S,
) -> SearchPool:
    """At most ``size`` connections, opened as the pool is used (`search_on` opens the pool
    itself), in autocommit with the settings of every platform connection, as the app role,
    with pgvector's types (query vectors go in binary: `SearchArgs.statement`)."""
    return SearchPool(
        conninfo,
        kwargs={
            "autocommit": True,
            "application_name": SEARCH_APPLICATION_NAME,
            "connect_timeout": connect_timeout_s,
            **connect_args(statement_timeout_ms),
        },
        min_size=1,
        max_size=max(1, size),
        open=False,
        configure=_configure,
        name=SEARCH_APPLICATION_NAME,
        timeout=wait_s,
        reconnect_timeout=SEARCH_RECONNECT_TIMEOUT_S,
    )


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    await conn.execute(f"SET ROLE {APP_ROLE}")
    await register_vector_async(conn)


async def search_on(pool: SearchPool, args: SearchArgs) -> list[Row]:
    """`store.search` on one of the pool's connections, as the tenant ``args.params["org_id"]``.
    A connection that turns out broken (the server restarted, or closed it while it was
    idle) is replaced, the pool's idle ones are checked (they most likely went with it),
    and the search, a read, is tried once more. psycopg's errors (a failed connect and a
    wait past `SEARCH_WAIT_S` too) are raised as SQLAlchemy's, as `store.search` does."""
    sql, bind = args.statement(binary_vector=True)
    settings = {"role": APP_ROLE, "org_id": args.params["org_id"], "ef": str(int(args.ef_search))}
    if pool.closed:
        await pool.open()
    for again in (True, False):
        try:
            conn = await pool.getconn()
        except psycopg.Error as exc:  # no connection within SEARCH_WAIT_S, or the pool closed
            raise _no_connection(pool, exc) from exc
        try:
            return await _search(conn, sql, bind, settings)
        except psycopg.Error as exc:
            if not (again and conn.broken):
                raise sa_exc.DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
        finally:
            await pool.putconn(conn)  # one closed or left mid-statement (cancelled) is replaced
        await pool.check()  # the others most likely went with it: replace those too
    raise AssertionError("unreachable")


def _no_connection(pool: SearchPool, exc: psycopg.Error) -> sa_exc.OperationalError:
    """SQLAlchemy's error (as `store.search` raises: the API answers 503) for a search that
    got no connection, saying why the last attempt to open one failed. psycopg_pool's
    errors here (a wait past `SEARCH_WAIT_S`, a closed pool) are all operational ones. No
    statement ran, so none is named."""
    last = pool.last_connect_error
    why = f"; the last attempt to connect failed with {last}" if last else ""
    clear = type(exc)(f"memory search got no database connection: {exc}{why}")
    return sa_exc.OperationalError(None, None, clear)


async def _search(
    conn: psycopg.AsyncConnection[Any], sql: str, bind: dict[str, Any], settings: dict[str, str]
) -> list[Row]:
    # getconn/putconn rather than `pool.connection()`, whose commit-or-rollback on the way
    # out (nothing to do in autocommit) cost ~50 µs of Python per checkout.
    async with conn.cursor(row_factory=namedtuple_row) as cur:
        async with conn.pipeline():
            await cur.execute(SEARCH_SETTINGS, settings)
            await cur.execute(sql, bind)
        return await cur.fetchall()
