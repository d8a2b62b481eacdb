"""memory: memory_text_top() with a ranking query of its own, returning the chunks' text

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00
Deploy: runs before the code that needs it (additive: the 7-argument function of 0004 stays
for code that still calls it; a later revision may drop it).

Why: the fallback of a keyword query whose chunks with every term are too few is now "all
terms but one" (`(b & c) | (a & c) | (a & b)`), and ranking its matches with that query cost
several times what ranking them with the plain OR of the terms does (`ts_rank_cd` walks the
query for every chunk: 4.5 against 2.7 ms median per fallback on the M2 data). So the
function takes the query that selects the chunks (``p_match``, through the GIN index) and
the one that ranks them (``p_rank``) apart. It also returns each chunk's text, read with the
row it ranks: the search cuts its snippets from it, and getting the text by a second
reference to memory_chunks in the search statement cost ~0.2 ms of PostgreSQL CPU per
search at M2. Otherwise the same as 0004: SECURITY DEFINER (under RLS `@@` cannot use the
index), answers only for the org of the calling transaction (`app.org_id`), planned per
call.
"""

from __future__ import annotations

from alembic import op

from openintern.db.session import APP_ROLE

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SIGNATURE = "memory_text_top(text, tsquery, tsquery, text[], text, text, int, int)"

CREATE = """
CREATE FUNCTION memory_text_top(
    p_org text, p_match tsquery, p_rank tsquery, p_tiers text[], p_project text,
    p_only_project text, p_cap int, p_n int
) RETURNS TABLE (id bigint, memory_id text, score real, text text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET plan_cache_mode = force_custom_plan
AS $$
    SELECT h.id, h.memory_id, ts_rank_cd(h.tsv, p_rank) AS score, h.text
      FROM (SELECT c.id, c.memory_id, c.tsv, c.text FROM public.memory_chunks c
             WHERE p_org = current_setting('app.org_id', true)
               AND c.org_id = p_org
               AND c.tsv @@ p_match
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
