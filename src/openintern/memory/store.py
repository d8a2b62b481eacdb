"""The SQL of memory: chunk writes and the two halves of hybrid search, named and commented.

Both searches filter inside the scan: the chunk rows carry org, project and tier (copied
from their memory), and pgvector's iterative scan (``hnsw.iterative_scan =
relaxed_order``) keeps walking the HNSW graph until ``:n`` rows pass the filters, so a
filtered query still returns its top-n instead of the few survivors of an unfiltered
top-``ef_search``. Every statement also filters by ``org_id`` (RLS is the second wall).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

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

# Filters shared by both halves. Unused ones are NULL, so one plan shape serves all:
#  - :project_id is the caller's project: its memories plus the org-wide ones (NULL project);
#  - :only_project narrows to exactly one project (the search filter `project_id`);
#  - memory-level filters (tags, group, agent, session, dates) go through a semi-join on
#    memories, evaluated only when one of them is set (:memory_filter).
_FILTERS = """
      c.org_id = :org_id
  AND c.tier = ANY(CAST(:tiers AS text[]))
  AND (CAST(:project_id AS text) IS NULL OR c.project_id IS NULL OR c.project_id = :project_id)
  AND (CAST(:only_project AS text) IS NULL OR c.project_id = :only_project)
  AND (CAST(:memory_filter AS boolean) IS NOT TRUE OR c.memory_id IN (
        SELECT m.id FROM memories m
         WHERE m.org_id = :org_id
           AND (CAST(:tags AS varchar[]) IS NULL OR m.tags && CAST(:tags AS varchar[]))
           AND (CAST(:group_id AS text) IS NULL OR m.group_id = :group_id)
           AND (CAST(:agent_id AS text) IS NULL OR m.agent_id = :agent_id)
           AND (CAST(:session_key AS text) IS NULL OR m.session_key = :session_key)
           AND (CAST(:after AS timestamptz) IS NULL OR m.created_at >= :after)
           AND (CAST(:before AS timestamptz) IS NULL OR m.created_at < :before)))
"""

# vector_top -- nearest chunks by cosine distance through the HNSW index
# (ix_memory_chunks_embedding); score is the cosine similarity. Only vectors of the current
# model count: while a model change is being caught up, the others are another space.
VECTOR_TOP = text(
    f"""
    SELECT c.id, c.memory_id, 1 - (c.embedding <=> CAST(:qvec AS vector)) AS score
      FROM memory_chunks c
     WHERE c.embedding IS NOT NULL AND c.embedding_model = :model AND {_FILTERS}
     ORDER BY c.embedding <=> CAST(:qvec AS vector)
     LIMIT :n
    """
)

# text_top -- chunks matching the CJK-aware tsquery, ranked by cover density (terms present
# and close together), from memory_text_top() (migration 0004): under RLS the `@@` operator
# cannot use the GIN index (it is not leakproof); the function can, and answers only for the
# transaction's own org. Ranking reads every matching tsvector, so at most :cap matches are
# ranked: an AND query rarely has that many, and an any-term query that does is dominated by
# the vector half and the AND results anyway. Memory-level filters apply outside, so with
# one the function ranks all :cap candidates (:pre_n).
TEXT_TOP = text(
    f"""
    SELECT t.id, t.memory_id, t.score
      FROM memory_text_top(:org_id, to_tsquery('simple', :tquery), CAST(:tiers AS text[]),
                           :project_id, :only_project, :cap, :pre_n) AS t
      JOIN memory_chunks c ON c.id = t.id
     WHERE {_FILTERS}
     ORDER BY t.score DESC, t.id
     LIMIT :n
    """
)
TEXT_RANK_CAP = 500

# Iterative scans so that filters do not starve the result; ef_search trades speed for recall.
# set_config(..., true) is SET LOCAL: it lasts until the end of the caller's transaction;
# both in one statement saves a round trip per search.
HNSW_SETTINGS = text(
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),"
    " set_config('hnsw.ef_search', CAST(:ef AS text), true)"
)

# chunk_texts -- the texts of the chunks the snippets are cut from.
CHUNK_TEXTS = text("SELECT id, text FROM memory_chunks WHERE org_id = :org_id AND id = ANY(:ids)")

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
    return "[" + ",".join(f"{x:.6g}" for x in vector) + "]"


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


async def search_halves(
    session: AsyncSession,
    params: dict[str, Any],
    qvec: str | None,
    tqueries: list[str],
    n: int,
    ef_search: int,
    model: str,
) -> tuple[list[Any], list[Any]]:
    """The vector half (when there is a query vector; only ``model``'s vectors) and the
    full-text half: ``tqueries`` strictest first, each filling what the stricter left."""
    vector_rows: list[Any] = []
    text_rows: list[Any] = []
    if qvec:
        await session.execute(HNSW_SETTINGS, {"ef": int(ef_search)})
        vector_rows = list(
            (await session.execute(VECTOR_TOP, {**params, "qvec": qvec, "n": n, "model": model})).all()
        )
    seen: set[int] = set()
    for tquery in tqueries:
        pre_n = TEXT_RANK_CAP if params["memory_filter"] else n
        bind = {**params, "tquery": tquery, "n": n, "cap": TEXT_RANK_CAP, "pre_n": pre_n}
        rows = await session.execute(TEXT_TOP, bind)
        text_rows.extend(r for r in rows.all() if r.id not in seen)
        seen.update(r.id for r in text_rows)
        if len(text_rows) >= n:
            break
    return vector_rows, text_rows[:n]
