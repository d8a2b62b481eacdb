"""The SQL of memory: chunk writes and the two halves of hybrid search, named and commented.

Both searches filter inside the scan: the chunk rows carry org, project and tier (copied
from their memory), and pgvector's iterative scan (``hnsw.iterative_scan =
relaxed_order``) keeps walking the HNSW graph until ``:n`` rows pass the filters, so a
filtered query still returns its top-n instead of the few survivors of an unfiltered
top-``ef_search``. Every statement also filters by ``org_id`` (RLS is the second wall).
"""

from __future__ import annotations

import functools
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm.memory import PARTIAL_INDEX_TIERS, TIERS

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
# Memory search is the hot read path (an agent searches on every run), so it runs on the
# session's psycopg connection without the ORM, in as few round trips as it can:
#
#   1. `search_candidates`: one statement for both halves (the HNSW settings go in the same
#      pipeline), returning each half's top-n chunks;
#   2. fusion in Python (memory.search.fuse);
#   3. `search_details`: one statement for the fused hits' memories and snippet texts.
#
# The statements below use psycopg's `%(name)s` placeholders. psycopg prepares a statement
# after its 5th execution (the engine's prepare_threshold), so the hot ones are planned
# once per connection, not per search.

# Filters shared by both halves. Unused ones are NULL, so one plan shape serves all:
#  - :project_id is the caller's project: its memories plus the org-wide ones (NULL project);
#  - :only_project narrows to exactly one project (the search filter `project_id`);
#  - memory-level filters (tags, group, agent, session, dates) go through a semi-join on
#    memories, evaluated only when one of them is set (:memory_filter).
# The tier filter is not here: it is written into each statement as a literal (below).
_MEMORY_FILTER = """
  (CAST(%(memory_filter)s AS boolean) IS NOT TRUE OR {col} IN (
        SELECT m.id FROM memories m
         WHERE m.org_id = %(org_id)s
           AND (CAST(%(tags)s AS varchar[]) IS NULL OR m.tags && CAST(%(tags)s AS varchar[]))
           AND (CAST(%(group_id)s AS text) IS NULL OR m.group_id = %(group_id)s)
           AND (CAST(%(agent_id)s AS text) IS NULL OR m.agent_id = %(agent_id)s)
           AND (CAST(%(session_key)s AS text) IS NULL OR m.session_key = %(session_key)s)
           AND (CAST(%(after)s AS timestamptz) IS NULL OR m.created_at >= %(after)s)
           AND (CAST(%(before)s AS timestamptz) IS NULL OR m.created_at < %(before)s)))
"""
_CHUNK_FILTERS = """
      c.org_id = %(org_id)s
  AND (CAST(%(project_id)s AS text) IS NULL OR c.project_id IS NULL OR c.project_id = %(project_id)s)
  AND (CAST(%(only_project)s AS text) IS NULL OR c.project_id = %(only_project)s)
  AND """ + _MEMORY_FILTER.format(col="c.memory_id")

# vector_top -- nearest chunks by cosine distance through an HNSW index; only vectors of the
# current model count (while a model change is being caught up, the others are another
# space). The tier is a literal in the statement so that the planner can prove the
# predicate of a tier's partial index (migration 0005; a bound parameter cannot be proven
# in a generic plan): one tier with its own index walks that tier's graph only; several
# tiers that all have one are one walk per tier, merged by distance; any other set walks
# the whole-table index with the tier filter applied during the walk.
_VECTOR_BRANCH = """
    SELECT c.id, c.memory_id, c.embedding <=> CAST(%(qvec)s AS vector) AS distance
      FROM memory_chunks c
     WHERE c.embedding IS NOT NULL AND c.embedding_model = %(model)s AND {tier} AND {filters}
     ORDER BY c.embedding <=> CAST(%(qvec)s AS vector)
     LIMIT %(n)s
"""

# text_top -- chunks matching the CJK-aware tsquery, ranked by cover density (terms present
# and close together), from memory_text_top() (migration 0004): under RLS the `@@` operator
# cannot use the GIN index (it is not leakproof); the function can, and answers only for the
# transaction's own org, applying the org, tier and project filters itself (it plans each
# call, so a one-tier search uses that tier's partial GIN index). Ranking reads every
# matching tsvector, so at most :cap matches are ranked: an AND query rarely has that many,
# and an any-term query that does is dominated by the vector half and the AND results
# anyway. Memory-level filters apply outside, so with one the function ranks all :cap
# candidates (:pre_n).
_TEXT_BRANCH = """
    SELECT t.id, t.memory_id, t.score
      FROM memory_text_top(%(org_id)s, to_tsquery('simple', %({tq})s), CAST(%(tiers)s AS text[]),
                           %(project_id)s, %(only_project)s, %({cap})s, %({pre_n})s) AS t
     WHERE {filters}
     ORDER BY t.score DESC, t.id
     LIMIT %(n)s
"""
TEXT_RANK_CAP = 500
ANY_TERM_RANK_CAP = 200
"""The any-term query (the fallback of a long query whose AND found too few) ranks fewer:
its common terms match tens of thousands of chunks at scale, the first :cap of them are an
arbitrary sample anyway, and ranking 500 cost 8 ms a query at M2 (200: 4 ms)."""

# Iterative scans so that filters do not starve the result; ef_search trades speed for
# recall. set_config(..., true) is SET LOCAL: it lasts until the end of the caller's
# transaction. Sent in the same pipeline as the search, so it costs no round trip.
HNSW_SETTINGS = (
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true) AS iterative_scan,"
    " set_config('hnsw.ef_search', %(ef)s, true) AS ef_search"
)

# search_details -- the fused hits' memories (not their content: search returns snippets)
# and the text of the chunk each snippet is cut from, in the hits' order.
SEARCH_DETAILS = """
    SELECT m.id, m.org_id, m.project_id, m.tier, m.title, m.tags, m.metadata, m.importance,
           m.source, m.content_hash, m.group_id, m.agent_id, m.session_key, m.run_id,
           m.created_at, m.updated_at, c.text
      FROM unnest(CAST(%(memory_ids)s AS text[]), CAST(%(chunk_ids)s AS bigint[]))
           WITH ORDINALITY AS h(memory_id, chunk_id, ord)
      JOIN memories m ON m.id = h.memory_id AND m.org_id = %(org_id)s
      LEFT JOIN memory_chunks c ON c.id = h.chunk_id AND c.org_id = %(org_id)s
     ORDER BY h.ord
"""

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


def filter_params(
    org_id: str, project_id: str | None, tiers: list[str], filters: dict[str, Any]
) -> dict[str, Any]:
    """Bind parameters for ``_FILTERS`` (missing filters are NULL)."""
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


def _tier_literal(tiers: tuple[str, ...]) -> str:
    if any(t not in TIERS for t in tiers):  # literals in SQL: only the known names
        raise ValueError(f"unknown memory tiers {tiers!r}")
    if len(tiers) == 1:
        return f"c.tier = '{tiers[0]}'"
    return "c.tier IN (" + ", ".join(f"'{t}'" for t in tiers) + ")"


@functools.cache
def vector_sql(tiers: tuple[str, ...]) -> str:
    """The vector half for a set of tiers (known names, in `TIERS` order)."""
    if len(tiers) > 1 and all(t in PARTIAL_INDEX_TIERS for t in tiers):
        branches = " UNION ALL ".join(
            "(" + _VECTOR_BRANCH.format(tier=_tier_literal((t,)), filters=_CHUNK_FILTERS) + ")" for t in tiers
        )
        return f"SELECT * FROM ({branches}) AS b ORDER BY distance LIMIT %(n)s"
    return _VECTOR_BRANCH.format(tier=_tier_literal(tiers), filters=_CHUNK_FILTERS)


@functools.cache
def candidates_sql(tiers: tuple[str, ...], vector: bool, text_queries: int) -> str:
    """One statement for both halves: rows ``(half, id, memory_id, score)``, half 0 the
    vector half (score: cosine similarity), 1 and 2 the strict and the any-term text query
    (score: ts_rank_cd); each half in its order. The any-term query runs only when the
    strict one found fewer than :n chunks (a one-time filter: otherwise it is not executed)."""
    ctes, parts = [], []
    if vector:
        ctes.append(f"v AS ({vector_sql(tiers)})")
        parts.append("SELECT 0, v.id, v.memory_id, 1 - v.distance FROM v")
    text_filter = _MEMORY_FILTER.format(col="t.memory_id")
    for i in range(text_queries):
        branch = _TEXT_BRANCH.format(tq=f"tq{i}", cap=f"cap{i}", pre_n=f"pre_n{i}", filters=text_filter)
        ctes.append(f"t{i} AS ({branch})")
        gate = " WHERE (SELECT count(*) FROM t0) < %(n)s" if i else ""
        parts.append(f"SELECT {i + 1}, t{i}.id, t{i}.memory_id, t{i}.score FROM t{i}{gate}")
    if not parts:
        raise ValueError("a search needs at least one half")
    body = " UNION ALL ".join(f"({p})" for p in parts)
    return (
        f"WITH {', '.join(ctes)} SELECT half, id, memory_id, score"
        f" FROM ({body}) AS r(half, id, memory_id, score) ORDER BY half, score DESC, id"
    )


async def driver_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under the session's current transaction."""
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver: psycopg.AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    return driver


async def search_candidates(
    session: AsyncSession,
    params: dict[str, Any],
    tiers: tuple[str, ...],
    qvec: str | None,
    tqueries: list[str],
    n: int,
    ef_search: int,
    model: str,
) -> tuple[list[Row], list[Row]]:
    """The vector half (when there is a query vector; only ``model``'s vectors) and the
    full-text half (``tqueries`` strictest first, each filling what the stricter left),
    each its top ``n`` chunks, in one round trip."""
    tqueries = tqueries[:2]
    sql = candidates_sql(tiers, qvec is not None, len(tqueries))
    bind = {
        **params,
        "tiers": list(tiers),
        "qvec": qvec,
        "model": model,
        "n": n,
    }
    for i, tquery in enumerate(tqueries):
        cap = TEXT_RANK_CAP if i == 0 else ANY_TERM_RANK_CAP
        bind.update({f"tq{i}": tquery, f"cap{i}": cap, f"pre_n{i}": cap if params["memory_filter"] else n})
    conn = await driver_connection(session)
    async with conn.cursor(row_factory=namedtuple_row) as cur:
        if qvec is not None:
            async with conn.pipeline():
                await cur.execute(HNSW_SETTINGS, {"ef": str(int(ef_search))})
                await cur.execute(sql, bind)
        else:
            await cur.execute(sql, bind)
        rows: list[Row] = await cur.fetchall()
    vector_rows = [r for r in rows if r.half == 0]
    text_rows: list[Row] = []
    seen: set[int] = set()
    for r in rows:
        if r.half and r.id not in seen:
            seen.add(r.id)
            text_rows.append(r)
    return vector_rows, text_rows[:n]


async def search_details(
    session: AsyncSession, org_id: str, memory_ids: list[str], chunk_ids: list[int | None]
) -> list[tuple[Any, ...]]:
    """Rows of `SEARCH_DETAILS`, in the order of ``memory_ids``."""
    conn = await driver_connection(session)
    async with conn.cursor() as cur:
        await cur.execute(
            SEARCH_DETAILS, {"org_id": org_id, "memory_ids": memory_ids, "chunk_ids": chunk_ids}
        )
        return await cur.fetchall()
