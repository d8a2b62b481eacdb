"""The search SQL: tier filters through the partial indexes, and the fusion done in SQL
agreeing with its Python reference (`fuse`, below) on the same candidates."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from openintern.db.session import enter_tenant
from openintern.memory import TIERS, MemoryService, MemoryWrite, PlainScope, store
from openintern.memory.cjk import TextQuery, text_queries
from openintern.memory.search import (
    CANDIDATES,
    MIN_RELEVANCE,
    RRF_K,
    VECTOR_CANDIDATES,
    VECTOR_WEIGHT,
    Hit,
    Snippets,
)

ORG = PlainScope("org_default")

TOPICS = [
    ("Kubernetes rollout", "Rolling updates replace pods one by one; the deployment keeps serving."),
    ("Kubernetes probes", "Readiness probes keep a pod out of the service until it answers."),
    ("Postgres vacuum", "Autovacuum removes dead tuples so that tables and indexes stay small."),
    ("Postgres indexes", "A partial index covers the rows of its predicate only: smaller and faster."),
    ("Release notes", "The rollout of version two replaced the pods behind the service gradually."),
    ("Incident", "During the incident the pods were restarted one by one while the database vacuumed."),
]


@pytest.fixture
def memory(app: Any) -> MemoryService:
    service: MemoryService = app.state.platform.services.memory
    return service


async def _fixture(memory: MemoryService) -> dict[str, str]:
    """Each topic in each tier (core memories are short enough), tagged by tier."""
    tiers: dict[str, str] = {}
    async with memory.db.tenant(ORG.org_id) as session:
        for tier in TIERS:
            for title, content in TOPICS:
                data = MemoryWrite(title=title, content=content, tier=tier, tags=[tier])
                row = await memory.write(session, ORG, data)
                tiers[row.id] = tier
    return tiers


async def _search(memory: MemoryService, query: str, **kw: Any) -> list[Any]:
    async with memory.db.tenant(ORG.org_id) as session:
        return await memory.search(session, ORG, query, **kw)


async def test_tier_filters_return_only_those_tiers_and_fill_top_k(memory: MemoryService) -> None:
    memory.min_relevance = store.NO_FLOOR  # what the walk finds, irrelevant memories too
    tiers = await _fixture(memory)
    for wanted in [("core",), ("episodic",), ("archival",), ("core", "episodic"), ("episodic", "archival")]:
        for mode in ("hybrid", "vector", "text"):
            results = await _search(memory, "rolling pods", tiers=list(wanted), top_k=5, mode=mode)
            assert results, (wanted, mode)
            assert {tiers[r.memory.id] for r in results} <= set(wanted), (wanted, mode)
            if mode == "vector":  # every memory has a vector: the filtered walk still fills top_k
                assert len(results) == 5, (wanted, mode)
        both = await _search(
            memory, "pods rolling service", tiers=list(wanted), top_k=len(TOPICS) * 3, mode="vector"
        )
        assert {tiers[r.memory.id] for r in both} == set(wanted)  # every wanted tier is searched
    assert await _search(memory, "pods", tiers=["nonsense"]) == []


INDEXES = (
    "ix_memory_chunks_embedding",
    "ix_memory_chunks_embedding_core",
    "ix_memory_chunks_embedding_episodic",
    "ix_memory_chunks_org_id",
    "ix_memory_chunks_lexemes",
    "ix_memory_chunks_lexemes_core",
    "ix_memory_chunks_lexemes_episodic",
)


async def _indexes_read(session: Any, sql: str, params: dict[str, Any]) -> set[str]:
    """The indexes a statement scans (the halves run in functions, whose plans EXPLAIN does
    not show): the transaction's own scan counts, before and after."""
    conn = await store.driver_connection(session)
    counts = "SELECT " + ", ".join(  # an index dropped in the transaction counts nothing
        f"coalesce(pg_stat_get_xact_numscans(to_regclass('{i}')), 0)" for i in INDEXES
    )
    before = await (await conn.execute(counts)).fetchone()
    rows = await (await conn.execute(sql, params)).fetchall()
    assert rows, sql
    after = await (await conn.execute(counts)).fetchone()
    assert before is not None and after is not None
    return {i for i, b, a in zip(INDEXES, before, after, strict=True) if a > b}


async def _indexes_walked(session: Any, params: dict[str, Any], tiers: tuple[str, ...]) -> set[str]:
    """The indexes the vector half (memory_vector_top()) scans for ``tiers``."""
    sql = store._literal_limits(store.vector_sql(tiers), 5)
    return await _indexes_read(session, sql, {**params, "tiers": list(tiers), "n": 5})


async def test_one_tier_uses_its_partial_indexes(memory: MemoryService) -> None:
    """memory_vector_top() is planned with its tier list as a constant, so the planner
    proves a partial index's predicate (tiny test tables would be scanned instead:
    sequential scans are off here)."""
    await _fixture(memory)
    qvec = store.vector_literal(memory.embedder.embed_sync(["pods"])[0])  # type: ignore[attr-defined]
    params = {
        **store.filter_params(ORG.org_id, None, ["episodic"], {}),
        "qvec": qvec,
        "model": memory.embedder.model,
    }
    async with memory.db.sessions() as session, session.begin():
        # Without the org b-tree (dropped in this transaction, rolled back below): tiny test
        # tables are rightly read through it (next test), which would hide what this checks.
        await session.execute(text("DROP INDEX ix_memory_chunks_org_id"))
        await enter_tenant(session, ORG.org_id)
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        for tiers, index in [
            (("episodic",), "ix_memory_chunks_embedding_episodic"),
            (("core",), "ix_memory_chunks_embedding_core"),
            (("archival",), "ix_memory_chunks_embedding"),
        ]:
            assert await _indexes_walked(session, params, tiers) == {index}, tiers
        assert await _indexes_walked(session, params, ("core", "episodic")) == {
            "ix_memory_chunks_embedding_core",
            "ix_memory_chunks_embedding_episodic",
        }
        assert await _indexes_walked(session, params, ("episodic", "archival")) == {
            "ix_memory_chunks_embedding"
        }
        # The text half: a tier's own function (migration 0011) has its tier as a constant and
        # keeps one plan, which reads the org's own entries (0009) of the tier's full-text
        # index; memory_text_top(), for several tiers, reads the whole-table one. Both find
        # the same chunks.
        call = (
            "SELECT * FROM {}(%(org)s, to_tsquery('simple', 'pod | rolling'),"
            " to_tsquery('simple', 'pod | rolling'), %(tiers)s, NULL, NULL, 200, 5)"
        )
        for tiers, index in [
            (("episodic",), "ix_memory_chunks_lexemes_episodic"),
            (("core",), "ix_memory_chunks_lexemes_core"),
            (("archival",), "ix_memory_chunks_lexemes"),
            (("core", "episodic", "archival"), "ix_memory_chunks_lexemes"),
        ]:
            bind = {"org": ORG.org_id, "tiers": list(tiers)}
            assert await _indexes_read(session, call.format(store.text_function(tiers)), bind) == {index}, (
                tiers
            )
            conn = await store.driver_connection(session)
            own = await (await conn.execute(call.format(store.text_function(tiers)), bind)).fetchall()
            general = await (await conn.execute(call.format("memory_text_top"), bind)).fetchall()
            assert own == general and own, tiers
        await session.rollback()


async def test_a_small_org_reads_only_its_own_chunks(memory: MemoryService) -> None:
    """An org with few chunks is searched through the org's b-tree, exactly, rather
    than by a scan of the whole shared table (131 ms at 400k chunks before migration 0006;
    sequential scans are off here, as a table this tiny would rightly be scanned), also
    now that the search statement around the vector half is planned once per connection."""
    await _fixture(memory)
    qvec = store.vector_literal(memory.embedder.embed_sync(["pods"])[0])  # type: ignore[attr-defined]
    params = {
        **store.filter_params(ORG.org_id, None, ["archival"], {}),
        "qvec": qvec,
        "model": memory.embedder.model,
    }
    async with memory.db.tenant(ORG.org_id) as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        walked = await _indexes_walked(session, params, ("archival",))
    assert walked == {"ix_memory_chunks_org_id"}, walked


async def test_no_btree_on_chunks_can_serve_the_tier_alone(memory: MemoryService) -> None:
    """The full-text half names the tier (so that the tier's partial GIN index is proven) and
    leaves the org to its org-scoped GIN entries. A b-tree holding the tier can be skip-scanned
    for it (PostgreSQL 18), and the planner ANDed that into big orgs' full-text searches at
    M2: every org's chunks of the tier, ~10 ms a call (migration 0010). Test tables are too
    small for that plan, so this checks the schema that rules it out."""
    async with memory.db.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT c.relname, a.attname FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
                " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = 'memory_chunks'::regclass AND am.amname = 'btree'"
            )
        )
        columns = {(index, column) for index, column in rows}
    assert ("ix_memory_chunks_org_id", "org_id") in columns
    assert not [index for index, column in columns if column == "tier"], columns


@pytest.mark.parametrize("mode", ["hybrid", "vector", "text"])
async def test_sql_fusion_equals_the_python_reference(memory: MemoryService, mode: str) -> None:
    """Same hits, order, scores, chunks and snippets as fusing the two halves in Python."""
    await _fixture(memory)
    queries = [
        "pods rolling service",  # short: one AND query
        "the pods were replaced one by one during the rollout of the service",  # AND, then any-term
        "vacuum indexes",
        "partial index predicate rows",
        "zebra",  # matches nothing in the text half
    ]
    tier_sets: list[tuple[str, ...]] = [TIERS, ("episodic",), ("core", "episodic"), ("archival",)]
    for query in queries:
        for tiers in tier_sets:
            for filters in ({}, {"tags": ["core", "archival"]}):
                for top_k in (3, 10):
                    got = await _search(
                        memory, query, tiers=list(tiers), filters=filters, top_k=top_k, mode=mode
                    )
                    want = await _reference(memory, query, tiers, filters, top_k, mode)
                    assert [(r.memory.id, r.hit, r.snippet) for r in got] == want, (
                        query,
                        tiers,
                        filters,
                        top_k,
                    )


async def _reference(
    memory: MemoryService, query: str, tiers: tuple[str, ...], filters: dict[str, Any], top_k: int, mode: str
) -> list[Any]:
    """The search as it was: both halves, `fuse`, then each hit's snippet chunk."""
    params = store.filter_params(ORG.org_id, None, list(tiers), filters)
    qvec = (
        store.query_vector_text(memory.embedder.embed_sync([query])[0])  # type: ignore[attr-defined]
        if mode != "text"
        else None
    )
    tqueries = text_queries(query) if mode != "vector" else []
    async with memory.db.tenant(ORG.org_id) as session:
        vec, txt = await search_candidates(
            session,
            params,
            tiers,
            qvec,
            tqueries,
            max(CANDIDATES, top_k),
            max(memory.ef_search, VECTOR_CANDIDATES, top_k),
            memory.embedder.model,
            n_vector=max(VECTOR_CANDIDATES, top_k),
        )
        hits = fuse(
            vec, txt, k=memory.rrf_k, vector_weight=memory.vector_weight, min_relevance=memory.min_relevance
        )[:top_k]
        rows = await session.execute(
            text("SELECT id, text FROM memory_chunks WHERE id = ANY(:ids)"),
            {"ids": [h.text_chunk_id or h.chunk_id for h in hits]},
        )
        texts = {int(i): str(t) for i, t in rows.all()}
    cut = Snippets(query)
    return [(h.memory_id, h, cut(texts[h.text_chunk_id or h.chunk_id or 0])) for h in hits]


# --- the reference: the two halves before fusion, fused in Python ---------------------------


def fuse(
    vector_rows: list[Any],
    text_rows: list[Any],
    *,
    k: int = RRF_K,
    vector_weight: float = VECTOR_WEIGHT,
    min_relevance: float = MIN_RELEVANCE,
) -> list[Hit]:
    """Weighted reciprocal-rank fusion per memory: each memory counts with its best chunk per
    list, ``weight / (k + rank)``; a memory without a text match needs a vector score of at
    least ``min_relevance``. The specification of the fusion that search runs in SQL
    (`store.search_sql`)."""
    hits: dict[str, Hit] = {}
    for source, rows, weight in (("vector", vector_rows, vector_weight), ("text", text_rows, 1.0)):
        rank = 0
        for row in rows:
            hit = hits.setdefault(row.memory_id, Hit(row.memory_id))
            if source in hit.matched:
                continue  # a later chunk of a memory already counted in this list
            rank += 1
            hit.matched.append(source)
            hit.rrf += weight / (k + rank)
            if source == "vector":
                hit.vector, hit.chunk_id = round(float(row.score), 6), hit.chunk_id or row.id
            else:
                hit.text, hit.text_chunk_id = round(float(row.score), 6), row.id
    relevant = [h for h in hits.values() if h.text is not None or (h.vector or 0.0) >= min_relevance]
    return sorted(relevant, key=lambda h: (-h.rrf, h.memory_id))


def candidates_sql(
    tiers: tuple[str, ...], memory_filter: bool, vector: bool, text_queries: int, n: int, n_vector: int
) -> str:
    """Both halves before fusion, from the search's own SQL (`store._half_ctes`): rows
    ``(half, id, memory_id, score)``, half 0 the vector half (score: cosine similarity), 1
    and 2 the strict text query and its fallback (score: ts_rank_cd); each half in its order."""
    parts = ["SELECT 0, v.id, v.memory_id, 1 - v.distance FROM v"] if vector else []
    for i in range(text_queries):
        gate = f" WHERE {store._FALLBACK_GATE}" if i else ""
        parts.append(f"SELECT {i + 1}, t{i}.id, t{i}.memory_id, t{i}.score FROM t{i}{gate}")
    body = " UNION ALL ".join(f"({p})" for p in parts)
    ctes = ", ".join(store._half_ctes(tiers, memory_filter, vector, text_queries))
    return store._literal_limits(
        f"WITH {ctes} SELECT half, id, memory_id, score"
        f" FROM ({body}) AS r(half, id, memory_id, score) ORDER BY half, score DESC, id",
        n,
        n_vector=n_vector,
    )


async def search_candidates(
    session: Any,
    params: dict[str, Any],
    tiers: tuple[str, ...],
    qvec: str | None,
    tqueries: list[TextQuery],
    n: int,
    ef_search: int,
    model: str,
    n_vector: int,
) -> tuple[list[Any], list[Any]]:
    """The vector half (when there is a query vector; only ``model``'s vectors) and the
    full-text half (``tqueries`` strictest first, each filling what the stricter left),
    their top ``n_vector`` and top ``n`` chunks, in one round trip."""
    tqueries = tqueries[:2]
    sql = candidates_sql(tiers, params["memory_filter"], qvec is not None, len(tqueries), n, n_vector)
    bind = store._bind(params, tiers, qvec, tqueries, n, model)
    rows = await store._run(session, sql, bind, ef_search if qvec is not None else None)
    vector_rows = [r for r in rows if r.half == 0]
    text_rows: list[Any] = []
    seen: set[int] = set()
    for r in rows:
        if r.half and r.id not in seen:
            seen.add(r.id)
            text_rows.append(r)
    return vector_rows, text_rows[:n]


async def test_database_errors_surface_as_sqlalchemy_errors(memory: MemoryService) -> None:
    """The search runs on the raw psycopg connection, but a timeout (or a lost connection)
    still reaches the API's and the run engine's handlers as SQLAlchemy's OperationalError."""
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError):
        async with memory.db.tenant(ORG.org_id) as session:
            await session.execute(text("SET LOCAL statement_timeout = 20"))
            await store._run(session, "SELECT pg_sleep(1)", {}, ef_search=100)


def test_each_half_takes_its_own_number_of_rows() -> None:
    """The vector half asks its function for `VECTOR_CANDIDATES` rows, the text half ranks
    `CANDIDATES` (both written into the statement, so that its plan is costed for them)."""
    sql = store.search_sql(("episodic",), False, True, 2, CANDIDATES, 10, VECTOR_CANDIDATES)
    assert f"%(after)s, %(before)s, {VECTOR_CANDIDATES})" in " ".join(sql.split())
    assert sql.count(f"LIMIT {CANDIDATES}\n") == 2  # the strict text query and its fallback
    assert "%(n" not in sql
    both = store.search_sql(("core", "episodic"), False, True, 1, 30, 30, 30)
    assert "ORDER BY distance LIMIT 30" in both and "%(n" not in both


def _args(
    model: str, filters: dict[str, Any], query: str = "the rollout replaced pods behind the service"
) -> store.SearchArgs:
    return store.SearchArgs(
        store.filter_params(ORG.org_id, None, ["episodic"], filters),
        ("episodic",),
        [0.1] * 384,
        text_queries(query),
        n=CANDIDATES,
        top_k=10,
        rrf_k=10,
        vector_weight=0.7,
        ef_search=60,
        model=model,
        n_vector=VECTOR_CANDIDATES,
    )


def test_a_search_binds_only_what_differs_between_searches() -> None:
    """The shape's and the service's constants are literals in the statement; a search
    binds its org, project, query vector and text queries (and memory-level filters, when
    it has them)."""
    sql, bind = _args("local-hash-v1", {}).statement()
    used = {key for key in bind if f"%({key})s" in sql}
    assert used == {"org_id", "project_id", "only_project", "qvec", "tq0", "rq0", "tq1", "rq1"}, used
    assert "'local-hash-v1'" in sql and "CAST(0.7 AS float8)" in sql and "ARRAY['episodic']" in sql
    sql, bind = _args("local-hash-v1", {"tags": ["a"]}).statement()
    assert {"tags", "group_id", "after"} <= {key for key in bind if f"%({key})s" in sql}


async def test_constants_are_quoted_literals(memory: MemoryService) -> None:
    """A model name with a quote and a backslash is a literal, not SQL; the search runs and
    finds no vector of that model."""
    await _fixture(memory)
    async with memory.db.tenant(ORG.org_id) as session:
        rows = await store.search(session, _args("it's\\x'); DROP TABLE memories; --", {}))
        assert rows and all(r.vector_score is None for r in rows)
        assert await session.scalar(text("SELECT count(*) FROM memories")) > 0
