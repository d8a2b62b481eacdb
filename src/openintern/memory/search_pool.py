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
"""

from __future__ import annotations

import os
from typing import Any

import psycopg
from pgvector.psycopg import register_vector_async
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import exc as sa_exc

from openintern.db.engine import connect_args
from openintern.db.session import APP_ROLE
from openintern.memory.store import HNSW_CONFIG, Row, SearchArgs

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

SearchPool = AsyncConnectionPool[psycopg.AsyncConnection[Any]]


def default_search_concurrency() -> int:
    """Search statements a process runs at once when not configured: two per core and one
    more, so that the cores stay busy while the process handles finished searches and
    sends the next ones. On the 2-core bench machine, once a search cost ~3 ms of database
    CPU, 5 served 9 – 11 % more searches a second than 3, and 6 no more than 5
    (bench/RESULTS.md, M2 "Sixth session")."""
    return 2 * (os.cpu_count() or 1) + 1


def search_pool(
    conninfo: str, size: int, statement_timeout_ms: int = 30_000, *, wait_s: float = SEARCH_WAIT_S
) -> SearchPool:
    """At most ``size`` connections, opened as the pool is used (`search_on` opens the pool
    itself), in autocommit with the settings of every platform connection, as the app role,
    with pgvector's types (query vectors go in binary: `SearchArgs.statement`)."""
    return AsyncConnectionPool(
        conninfo,
        kwargs={
            "autocommit": True,
            "application_name": SEARCH_APPLICATION_NAME,
            **connect_args(statement_timeout_ms),
        },
        min_size=1,
        max_size=max(1, size),
        open=False,
        configure=_configure,
        name=SEARCH_APPLICATION_NAME,
        timeout=wait_s,
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
        except psycopg.Error as exc:  # no connection within SEARCH_WAIT_S
            raise sa_exc.DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
        try:
            return await _search(conn, sql, bind, settings)
        except psycopg.Error as exc:
            if not (again and conn.broken):
                raise sa_exc.DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
        finally:
            await pool.putconn(conn)  # one closed or left mid-statement (cancelled) is replaced
        await pool.check()  # the others most likely went with it: replace those too
    raise AssertionError("unreachable")


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
