"""Searches on memory's own connections (`search_pool`, a psycopg_pool pool), against the real
PostgreSQL: how many there are, the tenant wall on them, a transaction's own writes, errors."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from openintern.config import load_settings
from openintern.errors import ConfigError
from openintern.memory import MemoryService, MemoryWrite, PlainScope, store
from openintern.memory.cjk import TextQuery, text_queries
from openintern.memory.search_pool import (
    SEARCH_APPLICATION_NAME,
    SEARCH_CLOSE_TIMEOUT_S,
    SearchPool,
    default_search_concurrency,
    search_on,
    search_pool,
)

ORG = PlainScope("org_default")
OTHER = PlainScope("org_search_other")


@pytest.fixture
def memory(app: Any) -> MemoryService:
    service: MemoryService = app.state.platform.services.memory
    return service


async def _write(memory: MemoryService, scope: PlainScope, **data: Any) -> str:
    async with memory.db.tenant(scope.org_id) as session:
        row = await memory.write(session, scope, MemoryWrite(**{"title": "t", "content": "c", **data}))
    return row.id


async def _other_org(memory: MemoryService) -> None:
    async with memory.db.system() as session:
        await session.execute(
            text("INSERT INTO orgs (id, name, slug) VALUES (:id, :id, :id) ON CONFLICT DO NOTHING"),
            {"id": OTHER.org_id},
        )


async def _on_search_backends(memory: MemoryService, select: str) -> Any:
    """``select`` (an aggregate) over this database's search-connection backends."""
    async with memory.db.system() as session:
        return await session.scalar(
            text(
                f"SELECT {select} FROM pg_stat_activity"
                " WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": SEARCH_APPLICATION_NAME},
        )


def _opened(pool: SearchPool) -> int:
    """The pool's idle connections."""
    return int(pool.get_stats()["pool_available"])


async def _settled(pool: SearchPool) -> int:
    """The pool's idle connections once none is still being opened: the first search makes
    the pool grow by one while it waits, and that connection may arrive after the search."""
    for _ in range(100):
        stats = pool.get_stats()
        if stats["pool_available"] == stats["pool_size"]:
            break
        await asyncio.sleep(0.05)
    return _opened(pool)


async def test_at_most_search_concurrency_connections_and_the_same_results(memory: MemoryService) -> None:
    for i in range(6):
        await _write(memory, ORG, title=f"note {i}", content=f"rolling update number {i} of the pods")
    gated = MemoryService(memory.db, memory.embedder, search_concurrency=2)
    pool = gated.search_pool
    try:
        queries = [f"rolling update {i} pods" for i in range(6)] * 3
        results = await asyncio.gather(*(gated.search(None, ORG, q, top_k=3) for q in queries))
        assert pool.get_stats()["connections_num"] == 2 and _opened(pool) == 2
        backends = await _on_search_backends(memory, "count(*)")
        assert backends is not None and 2 <= backends <= 2 + _opened(memory.search_pool)
        # The same hits as the search in the caller's transaction.
        for query, got in zip(queries, results, strict=True):
            async with memory.db.tenant(ORG.org_id) as session:
                params = store.filter_params(ORG.org_id, None, ["core", "episodic", "archival"], {})
                qvec = memory.embedder.embed_sync([query])[0]  # type: ignore[attr-defined]
                args = store.SearchArgs(
                    params,
                    ("core", "episodic", "archival"),
                    qvec,
                    text_queries(query),
                    n=25,
                    top_k=3,
                    rrf_k=gated.rrf_k,
                    vector_weight=gated.vector_weight,
                    ef_search=gated.ef_search,
                    model=gated.embedder.model,
                    min_relevance=gated.min_relevance,
                )
                want = await store.search(session, args)
            assert [(r.memory.id, r.hit.rrf) for r in got] == [(w.memory_id, w.rrf) for w in want]
            assert got
    finally:
        await gated.close()
    assert pool.closed and _opened(pool) == 0


async def test_the_tenant_lasts_one_search_and_other_orgs_stay_invisible(memory: MemoryService) -> None:
    await _other_org(memory)
    theirs = await _write(memory, OTHER, title="B secret", content="the vault code is pineapple")
    mine = await _write(memory, ORG, title="A note", content="our vault code is mango")
    for mode in ("hybrid", "vector", "text"):
        for session_org in (None, ORG.org_id):
            if session_org is None:
                found = await memory.search(None, ORG, "vault code pineapple", top_k=50, mode=mode)
            else:
                async with memory.db.tenant(session_org) as session:
                    found = await memory.search(session, ORG, "vault code pineapple", top_k=50, mode=mode)
            ids = {r.memory.id for r in found}
            assert theirs not in ids and (mine in ids or mode == "text"), (mode, session_org)
    assert {r.memory.id for r in await memory.search(None, OTHER, "vault code", top_k=50)} == {theirs}
    # Between searches an idle connection is the app role with no org: RLS shows nothing.
    async with memory.search_pool.connection() as conn:
        cur = await conn.execute(
            "SELECT current_user, current_setting('app.org_id', true), current_setting('hnsw.ef_search'),"
            " (SELECT count(*) FROM memories)"
        )
        user, org, ef, visible = await cur.fetchone()  # type: ignore[misc]
    assert user == "openintern_app" and not org and ef == "40" and visible == 0


async def test_a_search_in_a_writing_transaction_finds_its_uncommitted_writes(memory: MemoryService) -> None:
    async with memory.db.tenant(ORG.org_id) as session:
        row = await memory.write(
            session, ORG, MemoryWrite(title="Fresh", content="an uncommitted okapi sighting")
        )
        found = await memory.search(session, ORG, "okapi sighting")
        assert [r.memory.id for r in found] == [row.id]
    async with memory.db.tenant(ORG.org_id) as session:  # a new transaction: the own connections
        assert [r.memory.id for r in await memory.search(session, ORG, "okapi sighting")] == [row.id]
        await memory.delete(session, ORG, row.id)
        assert await memory.search(session, ORG, "okapi sighting") == []  # its own delete too
    assert await memory.search(None, ORG, "okapi sighting") == []


async def test_connection_errors_surface_as_sqlalchemy_errors(memory: MemoryService) -> None:
    broken = search_pool("host=/nonexistent/socket/dir dbname=nothing user=nobody", 2, wait_s=1.0)
    try:
        with pytest.raises(OperationalError):
            await search_on(broken, _args())
        assert _opened(broken) == 0
    finally:
        await broken.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections (the kernel completes the handshake of a
    listening socket's backlog) and never answers: a server stopped, or too loaded to speak."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"host=127.0.0.1 port={listener.getsockname()[1]} dbname=nothing user=nobody"


def _args() -> store.SearchArgs:
    return store.SearchArgs(
        store.filter_params(ORG.org_id, None, ["archival"], {}),
        ("archival",),
        None,
        [TextQuery("okapi", "okapi")],
        n=25,
        top_k=5,
        rrf_k=10,
        vector_weight=0.7,
        ef_search=100,
        model="m",
    )


async def test_a_server_that_never_answers_fails_the_search_in_bounded_time_saying_why(
    silent_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The hang of `openintern memory search` under load: each attempt to connect ends after
    its connect timeout, the search after its wait, with the cause in the error and the log
    (psycopg_pool's own line printed an empty message)."""
    pool = search_pool(silent_server, 2, wait_s=3.0, connect_timeout_s=2)
    started = time.monotonic()
    try:
        caplog.set_level(logging.WARNING, logger="openintern.memory.search_pool")
        with pytest.raises(OperationalError) as failed:
            await search_on(pool, _args())
        assert 3.0 <= time.monotonic() - started < 4.5
        message = str(failed.value)
        assert "memory search got no database connection: couldn't get a connection after 3.00 sec" in message
        assert (
            "the last attempt to connect failed with ConnectionTimeout: connection timeout expired" in message
        )
        assert "could not open a connection: ConnectionTimeout: connection timeout expired" in caplog.text
    finally:
        closing = time.monotonic()
        await pool.close(timeout=SEARCH_CLOSE_TIMEOUT_S)
        assert time.monotonic() - closing < 2 + 1.0  # the attempt in flight ends by its timeout


_LEFT_OPEN = """
import asyncio, sys
from openintern.memory.search_pool import search_on, search_pool
from tests.memory.test_search_connections import _args

async def main():
    pool = search_pool(sys.argv[1], 2, wait_s=0.5)
    try:
        await search_on(pool, _args())
    except Exception as exc:
        print(type(exc).__name__, flush=True)
    # returns with the pool open and its attempts to connect in flight

asyncio.run(main())
print("ended", flush=True)
"""


def test_an_event_loop_ending_with_the_pool_open_still_ends(silent_server: str, tmp_path: Path) -> None:
    """psycopg_pool's worker swallowed the cancellation of its connect at the loop's end and
    waited forever for its next task: the process never exited (now `SearchPool` stops it)."""
    script = tmp_path / "left_open.py"
    script.write_text(_LEFT_OPEN)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script), silent_server], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.stdout.split() == ["OperationalError", "ended"], done.stdout + done.stderr
    assert time.monotonic() - started < 15
    assert "a connection attempt was cancelled; stopping its pool worker" in done.stderr


async def test_a_failed_or_cancelled_statement_leaves_no_busy_connection(
    memory: MemoryService,
) -> None:
    await _write(memory, ORG, title="Kept", content="the connection survives")
    conns = memory.search_pool
    assert await memory.search(None, ORG, "connection survives")
    idle = await _settled(conns)
    with pytest.raises(psycopg.errors.DivisionByZero):
        async with conns.connection() as conn:
            await conn.execute("SELECT 1 / 0")
    assert _opened(conns) == idle  # an error leaves it idle: kept

    async def sleeping() -> None:
        async with conns.connection() as conn:
            await conn.execute("SELECT pg_sleep(5)")

    task = asyncio.ensure_future(sleeping())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # psycopg cancels the statement on the server and waits until the connection is idle
    # again; one left mid-statement would be closed. Either way no busy one is reused.
    assert _opened(conns) <= idle
    assert await _on_search_backends(memory, "count(*) FILTER (WHERE state <> 'idle')") == 0
    assert [r.memory.title for r in await memory.search(None, ORG, "connection survives")] == ["Kept"]


async def test_a_connection_the_server_closed_is_replaced(memory: MemoryService) -> None:
    """An idle search connection whose backend went away (a restart, an idle timeout): the
    next search finds it broken, opens another and succeeds."""
    await _write(memory, ORG, title="Kept", content="the server closed the connection")
    assert await memory.search(None, ORG, "server closed connection")
    killed = await _on_search_backends(memory, "count(pg_terminate_backend(pid))")
    assert killed
    await asyncio.sleep(0.1)
    for _ in range(memory.search_concurrency + 1):
        found = await memory.search(None, ORG, "server closed connection")
        assert [r.memory.title for r in found] == ["Kept"]


def test_search_concurrency_setting() -> None:
    assert load_settings({}, environ={}).memory.search_concurrency is None
    assert default_search_concurrency() >= 2
    settings = load_settings({}, environ={"OPENINTERN_MEMORY__SEARCH_CONCURRENCY": "3"})
    assert settings.memory.search_concurrency == 3


def test_ef_search_setting(memory: MemoryService) -> None:
    """`memory.ef_search` (default 60, bench M2) reaches the service; below 10 it is refused."""
    assert load_settings({}, environ={}).memory.ef_search == 60 == MemoryService.ef_search
    settings = load_settings({}, environ={"OPENINTERN_MEMORY__EF_SEARCH": "120"})
    assert MemoryService.from_settings(memory.db, settings).ef_search == 120
    with pytest.raises(ConfigError, match="ef_search"):
        load_settings({}, environ={"OPENINTERN_MEMORY__EF_SEARCH": "5"})
