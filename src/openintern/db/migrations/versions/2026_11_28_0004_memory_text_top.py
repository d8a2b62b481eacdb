"""memory: memory_text_top(), the full-text half of search through the GIN index under RLS

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 02:30:00
Deploy: runs before the code that needs it (additive).

Why a function: under row-level security PostgreSQL only uses a condition as an index
condition if its operator is LEAKPROOF, and `tsvector @@ tsquery` is not. In a tenant
transaction the full-text half of memory search therefore scanned the whole table
(130 ms at 400k chunks, seconds under load). This SECURITY DEFINER function runs as the
table owner, so the GIN index is used, and it keeps the tenant wall itself: it answers
only for the org of the calling transaction (`app.org_id`), and nothing otherwise.
"""

from __future__ import annotations

from alembic import op

from openintern.db.session import APP_ROLE

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SIGNATURE = "memory_text_top(text, tsquery, text[], text, text, int, int)"

# The first p_cap matches (org, tier and project filters applied), ranked by cover density
# (ts_rank_cd: terms present and close together); the best p_n of them. Planned per call
# (force_custom_plan): PostgreSQL 18 caches SQL-function plans, and a generic plan cannot
# know how many rows a tsquery matches (measured: 97 ms instead of 30 for a common-term query).
CREATE = """
CREATE FUNCTION memory_text_top(
    p_org text, p_query tsquery, p_tiers text[], p_project text, p_only_project text,
    p_cap int, p_n int
) RETURNS TABLE (id bigint, memory_id text, score real)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET plan_cache_mode = force_custom_plan
AS $$
    SELECT h.id, h.memory_id, ts_rank_cd(h.tsv, p_query) AS score
      FROM (SELECT c.id, c.memory_id, c.tsv FROM public.memory_chunks c
             WHERE p_org = current_setting('app.org_id', true)
               AND c.org_id = p_org
               AND c.tsv @@ p_query
               AND c.tier = ANY(p_tiers)
               AND (p_project IS NULL OR c.project_id IS NULL OR c.project_id = p_project)
               AND (p_only_project IS NULL OR c.project_id = p_only_project)
             LIMIT p_cap) AS h
     ORDER BY score DESC, h.id
     LIMIT p_n
$$
"""


def upgrade() -> None:
    op.execute(CREATE)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
