"""The SQL of memory: chunk writes and the two halves of hybrid search, named and commented.

Both searches filter inside the scan: the chunk rows carry org, project and tier (copied
from their memory), and pgvector's iterative scan (``hnsw.iterative_scan =
relaxed_order``) keeps walking the HNSW graph until ``:n`` rows pass the filters, so a
filtered query still returns its top-n instead of the few survivors of an unfiltered
top-``ef_search``. Every statement also filters by ``org_id`` (RLS is the second wall).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import psycopg
from pgvector import Vector
from psycopg import sql as pgsql
from psycopg.rows import namedtuple_row
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm.memory import PARTIAL_INDEX_TIERS, TIERS
from openintern.db.session import driver_connection
from openintern.memory.cjk import TextQuery

Row = Any  # a psycopg named tuple

# insert_chunks -- one statement for all chunks of a memory. The tsvector is computed here
# from the CJK-aware token string (memory.cjk.tokenize_for_index): the `simple` parser then
# keeps each token as it is. A NULL embedding means "not embedded yet" (full-text only).
INSERT_CHUNKS = text(
    """
    INSERT INTO memory_chunks (memory_id, org_id, project_id, tier, position, text, tsv,
                               embedding, embedding_model, embedding_dim, embedded_at)
    SELECT c.memory_id, c.org_id, c.project_id, c.tier, c.position, c.text,
           to_tsvector('simple', c.tokens),
           CAST(c.embedding AS vector), c.embedding_model, c.embedding_dim,
           CASE WHEN c.embedding IS NULL THEN NULL ELSE now() END
      FROM jsonb_to_recordset(CAST(:chunks AS jsonb))
           AS c(memory_id text, org_id text, project_id text, tier text, position int, text text,
                tokens text, embedding text, embedding_model text, embedding_dim int)
    """
)

# set_chunk_embeddings -- the background finisher of a write whose embedding outlasted the
# bounded wait. Matches by (memory, position, text) so vectors of an edited memory's old
# chunks never land on its new ones; only fills chunks that still have no vector.
SET_CHUNK_EMBEDDINGS = text(
    """
    UPDATE memory_chunks c
       SET embedding = CAST(u.embedding AS vector), embedding_model = :model,
           embedding_dim = :dim, embedded_at = now()
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(position int, text text, embedding text)
     WHERE c.org_id = :org_id AND c.memory_id = :memory_id AND c.position = u.position
       AND c.text = u.text AND c.embedding IS NULL
    """
)

# pending_embeddings / set_embeddings_by_id -- catch-up for chunks without a vector, or with
# another model's vector (a model change re-embeds instead of mixing vector spaces).
PENDING_EMBEDDINGS = text(
    """
    SELECT id, text FROM memory_chunks
     WHERE org_id = :org_id AND (embedding IS NULL OR embedding_model IS DISTINCT FROM :model)
     ORDER BY id LIMIT :n
    """
)
# pending_by_org -- how many chunks each org has to (re-)embed, for the catch-up's progress.
PENDING_BY_ORG = text(
    """
    SELECT org_id, count(*) AS n FROM memory_chunks
     WHERE embedding IS NULL OR embedding_model IS DISTINCT FROM :model
     GROUP BY org_id ORDER BY org_id
    """
)
SET_EMBEDDINGS_BY_ID = text(
    """
    UPDATE memory_chunks c
       SET embedding = CAST(u.embedding AS vector), embedding_model = :model,
           embedding_dim = :dim, embedded_at = now()
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(id bigint, embedding text)
     WHERE c.org_id = :org_id AND c.id = u.id
    """
)

# --- search -------------------------------------------------------------------------------
# Memory search is the hot read path (an agent searches on every run), so it runs on a raw
# psycopg connection without the ORM, in one round trip: the settings and `search_sql`
# (both halves, the fusion, the hits' memories and snippet texts) in one pipeline; on one
# of memory's own connections (`search_pool.search_on`), or on the session's when the
# search must see the session's uncommitted writes (`search`). The test that checks the
# SQL fusion against its Python reference (tests/memory/test_search_sql.py) runs the two
# halves before fusion from the same SQL (`_half_ctes`).
#
# The statements use psycopg's `%(name)s` placeholders; psycopg prepares a statement after
# its 5th execution on a connection (the engine's prepare_threshold), so it is parsed once
# per connection, and PostgreSQL plans it once too (its plan cache settles on the generic
# plan: nothing in it depends on the org but the two halves, which are functions planned per
# call). Planning the whole statement for every search cost ~0.5 ms of ~4.5 at M2.

# The memory-level filters (tags, group, agent, session, dates) of the text half, written
# into the statement only when one is set (the statement text is cached per shape),
# so the common search's plan carries no dead branch; unset ones are NULL. The vector half
# applies them (and the project filters) inside its walk (`memory_vector_top`).
_MEMORY_FILTER = """
  {col} IN (
        SELECT m.id FROM memories m
         WHERE m.org_id = %(org_id)s
           AND (CAST(%(tags)s AS varchar[]) IS NULL OR m.tags && CAST(%(tags)s AS varchar[]))
           AND (CAST(%(group_id)s AS text) IS NULL OR m.group_id = %(group_id)s)
           AND (CAST(%(agent_id)s AS text) IS NULL OR m.agent_id = %(agent_id)s)
           AND (CAST(%(session_key)s AS text) IS NULL OR m.session_key = %(session_key)s)
           AND (CAST(%(after)s AS timestamptz) IS NULL OR m.created_at >= %(after)s)
           AND (CAST(%(before)s AS timestamptz) IS NULL OR m.created_at < %(before)s))
"""


# vector_top -- nearest chunks by cosine distance through an HNSW index, from
# memory_vector_top() (migration 0008); only vectors of the current model count (while a
# model change is being caught up, the others are another space). The function is planned
# per call with its arguments as constants, which the statement around it is not (it is
# planned once per connection): so the planner still proves a tier's partial index
# (migration 0005) from a one-tier list, and still reads a small org's few chunks through
# the org's b-tree (0006, 0010) where a big org's search walks the graph. Several tiers that all
# have a partial index are one call (one walk) per tier, merged by distance; any other set
# walks the whole-table index with the tier filter applied during the walk.
_VECTOR_CALL = """
    SELECT * FROM memory_vector_top(%(org_id)s, CAST(%(qvec)s AS vector), %(model)s,
                                    CAST({tiers} AS text[]), %(project_id)s, %(only_project)s,
                                    %(memory_filter)s, CAST(%(tags)s AS varchar[]), %(group_id)s,
                                    %(agent_id)s, %(session_key)s, %(after)s, %(before)s, %(nv)s)
"""

# text_top -- chunks matching one CJK-aware tsquery (:tq), ranked by cover density (terms
# present and close together) for another (:rq; the same one but for the all-but-one
# fallback, `cjk.text_queries`), from memory_text_top() (migrations 0004, 0007, 0009): under
# RLS the `@@` operator cannot use the GIN index (it is not leakproof); the function can, and
# answers only for the transaction's own org, applying the org, tier and project filters
# itself. A one-tier search calls its tier's function, memory_text_top_<tier> (0011), which
# has the tier as a constant and keeps one plan per connection (the tier's partial GIN
# index, if it has one); memory_text_top(), for several tiers, is planned on each call.
# Ranking reads every matching tsvector, so at most :cap matches are ranked: an AND query
# rarely has that many, and a fallback that does is dominated by the vector half and the
# AND results anyway. Memory-level filters apply outside, so with one the function ranks
# all :cap candidates (:pre_n).
_TEXT_BRANCH = """
    SELECT t.id, t.memory_id, t.score, t.text
      FROM {function}(%(org_id)s, to_tsquery('simple', %({tq})s), to_tsquery('simple', %({rq})s),
                           CAST(%(tiers)s AS text[]), %(project_id)s, %(only_project)s, %({cap})s,
                           %({pre_n})s) AS t
     WHERE {filters}
     ORDER BY t.score DESC, t.id
     LIMIT %(n)s
"""
TEXT_RANK_CAP = 200
FALLBACK_RANK_CAP = 200
"""At scale, a common word is in thousands of chunks, and common words match tens of
thousands with any of them (at M2, up to 26,000 with all of five but one); the first :cap
of those are an arbitrary sample anyway, and ranking costs ~5 µs a chunk (500 any-term
matches cost 8 ms a query at M2, 200: 4 ms; the AND query went 500 -> 200 with M1 and the
known-item check at M2 unchanged)."""

# Iterative scans so that filters do not starve the result; ef_search trades speed for
# recall. set_config(..., true) is SET LOCAL: it lasts until the end of the caller's
# transaction. Sent in the same pipeline as the search, so it costs no round trip.
HNSW_CONFIG = (
    "set_config('hnsw.iterative_scan', 'relaxed_order', true) AS iterative_scan,"
    " set_config('hnsw.ef_search', %(ef)s, true) AS ef_search"
)
HNSW_SETTINGS = "SELECT " + HNSW_CONFIG


# chunk_counts -- chunks per memory, for the API's `chunks` field.
CHUNK_COUNTS = text(
    """
    SELECT memory_id, count(*) FROM memory_chunks
     WHERE org_id = :org_id AND memory_id = ANY(:ids)
     GROUP BY memory_id
    """
)

# retier_chunks -- keep the copied tier in step when a memory moves tier.
RETIER_CHUNKS = text(
    "UPDATE memory_chunks SET tier = :tier WHERE org_id = :org_id AND memory_id = :memory_id"
)

MEMORY_KEYS = ("tags", "group_id", "agent_id", "session_key", "after", "before")


def vector_literal(vector: list[float] | None) -> str | None:
    """pgvector's text form; None for no vector (or an all-zero one, which has no direction)."""
    if vector is None or not any(vector):
        return None
    return "[" + ",".join(map(_FLOAT6, vector)) + "]"


_FLOAT6 = "{:.6g}".format


def query_vector_text(vector: list[float]) -> str:
    """A query vector's text form with its exact float32 values, as its binary form carries
    them (`SearchArgs.statement`), so a search on either kind of connection scores alike."""
    return str(Vector(vector).to_text())


def filter_params(
    org_id: str, project_id: str | None, tiers: list[str], filters: dict[str, Any]
) -> dict[str, Any]:
    """Bind parameters of the search filters (`memory_vector_top`'s, `_MEMORY_FILTER`; a missing
    filter is NULL, ``memory_filter`` says whether any memory-level one is set)."""
    params: dict[str, Any] = {
        "org_id": org_id,
        "project_id": project_id,
        "tiers": tiers,
        "only_project": filters.get("project_id") or None,
    }
    for key in MEMORY_KEYS:
        params[key] = filters.get(key) or None
    params["memory_filter"] = any(params[k] is not None for k in MEMORY_KEYS)
    return params


def _check_known(tiers: tuple[str, ...]) -> None:
    if any(t not in TIERS for t in tiers):  # tier names go into SQL: only the known ones
        raise ValueError(f"unknown memory tiers {tiers!r}")


def vector_sql(tiers: tuple[str, ...]) -> str:
    """The vector half for a set of tiers (known names, in `TIERS` order)."""
    _check_known(tiers)
    if len(tiers) > 1 and all(t in PARTIAL_INDEX_TIERS for t in tiers):
        calls = " UNION ALL ".join(_VECTOR_CALL.format(tiers=f"ARRAY['{t}']") for t in tiers)
        return f"SELECT * FROM ({calls}) AS b ORDER BY distance LIMIT %(nv)s"
    return _VECTOR_CALL.format(tiers="%(tiers)s")


def text_function(tiers: tuple[str, ...]) -> str:
    """The text half's function for a set of tiers (known names): a tier's own for one tier,
    else the general one."""
    _check_known(tiers)
    return f"memory_text_top_{tiers[0]}" if len(tiers) == 1 else "memory_text_top"


def _half_ctes(tiers: tuple[str, ...], memory_filter: bool, vector: bool, text_queries: int) -> list[str]:
    """CTEs ``v`` (the vector half: id, memory_id, distance, text) and ``t0``, ``t1`` (the
    strict text query and its fallback: id, memory_id, score, text), each its top :n."""
    ctes = [f"v AS ({vector_sql(tiers)})"] if vector else []
    text_filter = _MEMORY_FILTER.format(col="t.memory_id") if memory_filter else "true"
    for i in range(text_queries):
        branch = _TEXT_BRANCH.format(
            function=text_function(tiers),
            tq=f"tq{i}",
            rq=f"rq{i}",
            cap=f"cap{i}",
            pre_n=f"pre_n{i}",
            filters=text_filter,
        )
        ctes.append(f"t{i} AS ({branch})")
    return ctes


# The fallback query runs only when the strict one found fewer than :n chunks: a one-time
# filter, so otherwise it is not executed at all.
_FALLBACK_GATE = "(SELECT count(*) FROM t0) < %(n)s"


def _literal_limits(sql: str, n: int, top_k: int | None = None, n_vector: int | None = None) -> str:
    """The row counts written into the statement (``n`` the text half's, ``n_vector`` the
    vector half's, ``n`` too unless given), so that any plan of it (psycopg prepares it after
    5 executions) is costed for the real LIMIT: with a parameter, a generic plan assumes
    10 % of the rows, and a plan that sorted the table would be a disaster here."""
    sql = sql.replace("%(n)s", str(int(n))).replace("%(nv)s", str(int(n_vector or n)))
    return sql if top_k is None else sql.replace("%(top_k)s", str(int(top_k)))


# search -- both halves, fused, with the hits' memories and snippet texts: one statement.
# The fusion, in SQL (tests/memory/test_search_sql.py checks it against a Python reference, `fuse`):
#  - each half's list in order (vector: similarity; text: the strict query's chunks, then
#    the fallback query's new ones, the first :n), positions `pos`;
#  - per list, each memory counts once, with its first chunk; its rank is its place among
#    the memories of that list;
#  - rrf = vector_weight / (rrf_k + vector rank) + 1 / (rrf_k + text rank), in float8 and in
#    that order (so the sums equal Python's), best first, ties by memory id (bytewise, as
#    Python compares strings), the first :top_k;
#  - of those that pass the relevance floor: a text match, or a vector score (cosine
#    similarity) of at least :min_relevance. Without it, a search that few memories match
#    filled its top_k with whatever the vector half ranked next, similarity below zero
#    included ("Team lunch preferences" for a deployment question). It filters the <= 40
#    fused rows, after the halves (one comparison a row, against the thousands of index
#    pages the halves read), and a relevant memory that ranks below a left-out one still
#    gets the place;
#  - then each hit's memory (not its content: search returns snippets) and the text of the
#    chunk its snippet is cut from (the text half's chunk, else the vector half's), which
#    each half carries along from the row it read (a join to memory_chunks for it cost
#    ~0.2 ms of PostgreSQL CPU per search at M2, planning and executing a second reference
#    to the table; bench/RESULTS.md).
_NO_ROWS = (
    "SELECT CAST(NULL AS bigint) AS id, CAST(NULL AS text) AS memory_id, CAST(NULL AS float8) AS score,"
    " CAST(NULL AS text) AS text"
)
_FUSE = """
, vl AS ({vl}),
  tl AS ({tl}),
  vm AS (SELECT DISTINCT ON (memory_id) memory_id, id, score, pos, text FROM vl ORDER BY memory_id, pos),
  tm AS (SELECT DISTINCT ON (memory_id) memory_id, id, score, pos, text FROM tl WHERE pos <= %(n)s
          ORDER BY memory_id, pos),
  vr AS (SELECT vm.*, row_number() OVER (ORDER BY pos) AS rank FROM vm),
  tr AS (SELECT tm.*, row_number() OVER (ORDER BY pos) AS rank FROM tm),
  fused AS (
    SELECT coalesce(vr.memory_id, tr.memory_id) AS memory_id,
           coalesce(CAST(%(vector_weight)s AS float8) / (%(rrf_k)s + vr.rank), 0)
             + coalesce(CAST(1 AS float8) / (%(rrf_k)s + tr.rank), 0) AS rrf,
           vr.score AS vector_score, vr.id AS vector_chunk, tr.score AS text_score, tr.id AS text_chunk,
           CASE WHEN tr.id IS NOT NULL THEN tr.text ELSE vr.text END AS snippet_text
      FROM vr FULL JOIN tr ON tr.memory_id = vr.memory_id),
  hits AS (SELECT * FROM fused WHERE text_score IS NOT NULL OR vector_score >= %(min_relevance)s
            ORDER BY rrf DESC, memory_id COLLATE "C" LIMIT %(top_k)s)
SELECT h.memory_id, h.rrf, h.vector_score, h.vector_chunk, h.text_score, h.text_chunk,
       m.org_id, m.project_id, m.tier, m.title, m.tags, m.metadata, m.importance, m.source,
       m.content_hash, m.group_id, m.agent_id, m.session_key, m.run_id, m.created_at, m.updated_at,
       h.snippet_text AS text
  FROM hits h
  JOIN memories m ON m.id = h.memory_id AND m.org_id = %(org_id)s
 ORDER BY h.rrf DESC, h.memory_id COLLATE "C"
"""


def search_sql(
    tiers: tuple[str, ...],
    memory_filter: bool,
    vector: bool,
    text_queries: int,
    n: int,
    top_k: int,
    n_vector: int | None = None,
) -> str:
    """The whole search in one statement (see above), its constants still placeholders;
    `statement_sql`, cached per shape, is what searches run."""
    if not vector and not text_queries:
        raise ValueError("a search needs at least one half")
    vl = (
        "SELECT v.id, v.memory_id, 1 - v.distance AS score,"
        " row_number() OVER (ORDER BY 1 - v.distance DESC, v.id) AS pos, v.text FROM v"
        if vector
        else f"SELECT *, CAST(NULL AS bigint) AS pos FROM ({_NO_ROWS}) AS e WHERE false"
    )
    if text_queries:
        parts = ["SELECT 0 AS q, t0.id, t0.memory_id, t0.score, t0.text FROM t0"]
        if text_queries > 1:
            parts.append(
                f"SELECT 1, t1.id, t1.memory_id, t1.score, t1.text FROM t1"
                f" WHERE {_FALLBACK_GATE} AND t1.id NOT IN (SELECT id FROM t0)"
            )
        tl = (
            "SELECT x.id, x.memory_id, x.score,"
            " row_number() OVER (ORDER BY x.q, x.score DESC, x.id) AS pos, x.text"
            f" FROM ({' UNION ALL '.join(parts)}) AS x"
        )
    else:
        tl = f"SELECT *, CAST(NULL AS bigint) AS pos FROM ({_NO_ROWS}) AS e WHERE false"
    ctes = _half_ctes(tiers, memory_filter, vector, text_queries)
    return _literal_limits(f"WITH {', '.join(ctes)}" + _FUSE.format(vl=vl, tl=tl), n, top_k, n_vector)


NO_FLOOR = -1.0
"""A relevance floor that keeps every hit (cosine similarity is at least -1)."""


class SearchArgs(NamedTuple):
    """One search (`search.search` works them out): the filters' bind parameters
    (`filter_params`), the tiers (known names, `TIERS` order), the query vector (None: no
    vector half) and text queries (none: no text half), the rows of the text half (and of
    the vector half, ``n_vector``; default the same), the fusion's, and the relevance floor
    of a hit without a text match (``min_relevance``, see `search_sql`)."""

    params: dict[str, Any]
    tiers: tuple[str, ...]
    qvec: list[float] | None
    tqueries: list[TextQuery]
    n: int
    top_k: int
    rrf_k: int
    vector_weight: float
    ef_search: int
    model: str
    n_vector: int | None = None
    min_relevance: float = NO_FLOOR

    def statement(self, binary_vector: bool = False) -> tuple[str, dict[str, Any]]:
        """The statement and its parameters; the query vector in pgvector's binary form
        (``binary_vector``: for a connection with pgvector's types registered, 4 bytes a
        dimension and no float formatting or parsing) or its text form."""
        tqueries = self.tqueries[:2]
        sql = statement_sql(
            self.tiers,
            self.params["memory_filter"],
            self.qvec is not None,
            len(tqueries),
            self.n,
            self.top_k,
            self.n_vector,
            self.model,
            self.rrf_k,
            float(self.vector_weight),
            float(self.min_relevance),
        )
        qvec: str | Vector | None = None
        if self.qvec is not None:
            qvec = Vector(self.qvec) if binary_vector else query_vector_text(self.qvec)
        # Holds the constants too; psycopg sends only the values the statement names.
        return sql, _bind(self.params, self.tiers, qvec, tqueries, self.n, self.model)


@functools.lru_cache(maxsize=1024)
def statement_sql(
    tiers: tuple[str, ...],
    memory_filter: bool,
    vector: bool,
    text_queries: int,
    n: int,
    top_k: int,
    n_vector: int | None,
    model: str,
    rrf_k: int,
    vector_weight: float,
    min_relevance: float = NO_FLOOR,
) -> str:
    """`search_sql` with what is the same for every search of its shape written in as
    quoted literals: the tiers and the memory-level filters' absence (part of the shape
    anyway), the model, the text half's caps, the fusion's constants and the relevance
    floor (a service's settings). A search then binds only what differs between searches of one shape (the
    org, the project, the query): psycopg spent ~0.15 ms of Python per search at M2 on the
    21 parameters it had bound before (6 now)."""
    literals: dict[str, Any] = {"model": model, "memory_filter": memory_filter}
    if not memory_filter:
        literals.update(dict.fromkeys(MEMORY_KEYS))
    for i in range(text_queries):
        literals.update(_text_caps(i, memory_filter, n))
    literals.update(
        {"rrf_k": int(rrf_k), "vector_weight": float(vector_weight), "min_relevance": float(min_relevance)}
    )
    sql = search_sql(tiers, memory_filter, vector, text_queries, n, top_k, n_vector)
    sql = sql.replace("%(tiers)s", "ARRAY[" + ", ".join(pgsql.quote(t) for t in tiers) + "]")
    for key, value in literals.items():
        sql = sql.replace(f"%({key})s", pgsql.quote(value))
    return sql


async def search(session: AsyncSession, args: SearchArgs) -> list[Row]:
    """The fused hits with their memories and snippet texts (`search_sql`), best first, in
    the session's transaction (so they include its own uncommitted writes)."""
    sql, bind = args.statement()
    return await _run(session, sql, bind, args.ef_search if args.qvec is not None else None)


def _bind(
    params: dict[str, Any],
    tiers: tuple[str, ...],
    qvec: str | Vector | None,
    tqueries: list[TextQuery],
    n: int,
    model: str,
) -> dict[str, Any]:
    bind = {**params, "tiers": list(tiers), "qvec": qvec, "model": model, "n": n}
    for i, tquery in enumerate(tqueries):
        bind.update(
            {f"tq{i}": tquery.match, f"rq{i}": tquery.rank, **_text_caps(i, params["memory_filter"], n)}
        )
    return bind


def _text_caps(i: int, memory_filter: bool, n: int) -> dict[str, int]:
    """Text query ``i``'s rank cap, and the rows its function returns (all it ranks when
    memory-level filters apply outside it, else ``n``)."""
    cap = TEXT_RANK_CAP if i == 0 else FALLBACK_RANK_CAP
    return {f"cap{i}": cap, f"pre_n{i}": cap if memory_filter else n}


async def _run(session: AsyncSession, sql: str, bind: dict[str, Any], ef_search: int | None) -> list[Row]:
    """Run ``sql`` on the session's connection; with ``ef_search``, the HNSW settings go
    first in the same pipeline (one round trip for both). psycopg's errors are raised as
    SQLAlchemy's (as the ORM path raised them), so the API's handlers (503 when the database
    is unavailable or a statement times out) and the run engine's retry see them."""
    conn = await driver_connection(session)
    try:
        async with conn.cursor(row_factory=namedtuple_row) as cur:
            if ef_search is not None:
                async with conn.pipeline():
                    await cur.execute(HNSW_SETTINGS, {"ef": str(int(ef_search))})
                    await cur.execute(sql, bind)
            else:
                await cur.execute(sql, bind)
            return await cur.fetchall()
    except psycopg.Error as exc:
        raise sa_exc.DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
