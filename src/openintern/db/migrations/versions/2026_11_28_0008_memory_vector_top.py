"""memory: memory_vector_top(), the vector half of a search as a function planned per call

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 12:00:00
Deploy: runs before the code that needs it (additive: the code before it does not call it).

Why: the search statement (both halves, the fusion, the hits' memories) was planned afresh
for every search, ~0.5 ms of PostgreSQL CPU of ~4.5 at M2, because its one choice that
depends on the org is the vector half's: walk the HNSW graph (an org with many chunks) or
read the org's few chunks through the (org_id, tier) b-tree and sort them (a small org).
A plan made once for every org (a generic plan) could pick the sort for a big org, or the
walk for a small one. In this function the vector half keeps being planned per call with
its arguments as constants (so a one-tier search still proves that tier's partial HNSW
index, and the org's size still picks the walk or the b-tree), while the statement around
it has no org-dependent choice left and is planned once per connection (PostgreSQL's plan
cache picks the generic plan by itself). Serial, prepared, the same 400 M2 queries in
alternating blocks: 5.77 -> 5.25 ms of PostgreSQL CPU per hybrid search (bench/RESULTS.md).

SECURITY INVOKER (unlike memory_text_top): row-level security applies inside as it does to
the statement that calls it. Unset filters are NULL (``p_memory_filter`` false) and fold
away when the call is planned.
"""

from __future__ import annotations

from alembic import op

from openintern.db.session import APP_ROLE

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SIGNATURE = (
    "memory_vector_top(text, vector, text, text[], text, text, boolean, varchar[], text, text, text,"
    " timestamptz, timestamptz, int)"
)

CREATE = """
CREATE FUNCTION memory_vector_top(
    p_org text, p_qvec vector, p_model text, p_tiers text[], p_project text, p_only_project text,
    p_memory_filter boolean, p_tags varchar[], p_group text, p_agent text, p_session text,
    p_after timestamptz, p_before timestamptz, p_n int
) RETURNS TABLE (id bigint, memory_id text, distance float8, text text)
LANGUAGE sql STABLE
SET plan_cache_mode = force_custom_plan
AS $$
    SELECT c.id, c.memory_id, c.embedding <=> p_qvec AS distance, c.text
      FROM public.memory_chunks c
     WHERE c.tier = ANY(p_tiers)
       AND c.org_id = p_org
       AND c.embedding IS NOT NULL AND c.embedding_model = p_model
       AND (p_project IS NULL OR c.project_id IS NULL OR c.project_id = p_project)
       AND (p_only_project IS NULL OR c.project_id = p_only_project)
       AND (NOT p_memory_filter OR c.memory_id IN (
             SELECT m.id FROM public.memories m
              WHERE m.org_id = p_org
                AND (p_tags IS NULL OR m.tags && p_tags)
                AND (p_group IS NULL OR m.group_id = p_group)
                AND (p_agent IS NULL OR m.agent_id = p_agent)
                AND (p_session IS NULL OR m.session_key = p_session)
                AND (p_after IS NULL OR m.created_at >= p_after)
                AND (p_before IS NULL OR m.created_at < p_before)))
     ORDER BY c.embedding <=> p_qvec
     LIMIT p_n
$$
"""


def upgrade() -> None:
    op.execute(CREATE)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
