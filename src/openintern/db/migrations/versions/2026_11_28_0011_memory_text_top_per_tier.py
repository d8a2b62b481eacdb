"""memory: memory_text_top_core / _episodic / _archival, the full-text half of a one-tier
search, planned once per connection

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 14:10:00
Deploy: runs before the code that needs it (additive: memory_text_top() stays, and the code
still calls it for a search of several tiers).

Why: memory_text_top() is planned on every call (``force_custom_plan``) so that a one-tier
search proves that tier's partial GIN index from its tier list. A search makes one or two
such calls (the strict query and its fallback), and planning them was ~0.1 ms of ~1.1 each at
M2. With the org-scoped index entries (0009) and no b-tree that serves the tier (0010), the
text half's plan depends on nothing but the tier, so a function per tier, with its tier
written as a constant, can keep one plan for every call (``force_generic_plan``): its
tier's partial GIN index where it has one, else the whole-table one. Same results as
memory_text_top() (bench/RESULTS.md, M2 "Sixth session").
"""

from __future__ import annotations

from alembic import op

from openintern.db.session import APP_ROLE

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TIERS = ("core", "episodic", "archival")


def _signature(tier: str) -> str:
    return f"memory_text_top_{tier}(text, tsquery, tsquery, text[], text, text, int, int)"


# 0009's memory_text_top() but for the tier, a constant here (``p_tiers`` is still checked,
# so a call with another tier list finds nothing rather than the wrong tier's chunks).
def _create(tier: str) -> str:
    return f"""
CREATE FUNCTION memory_text_top_{tier}(
    p_org text, p_match tsquery, p_rank tsquery, p_tiers text[], p_project text,
    p_only_project text, p_cap int, p_n int
) RETURNS TABLE (id bigint, memory_id text, score real, text text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET plan_cache_mode = force_generic_plan
AS $$
    SELECT h.id, h.memory_id, ts_rank_cd(h.tsv, p_rank) AS score, h.text
      FROM (SELECT c.id, c.memory_id, c.tsv, c.text FROM public.memory_chunks c
             WHERE p_org = current_setting('app.org_id', true)
               AND public.memory_org_lexemes(c.org_id, c.tsv) @@ public.memory_org_query(p_org, p_match)
               AND (c.org_id || '') = p_org
               AND c.tier = '{tier}' AND c.tier = ANY(p_tiers)
               AND (p_project IS NULL OR c.project_id IS NULL OR c.project_id = p_project)
               AND (p_only_project IS NULL OR c.project_id = p_only_project)
             LIMIT p_cap) AS h
     ORDER BY score DESC, h.id
     LIMIT p_n
$$
"""


def upgrade() -> None:
    for tier in TIERS:
        op.execute(_create(tier))
        op.execute(f"REVOKE ALL ON FUNCTION {_signature(tier)} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {_signature(tier)} TO {APP_ROLE}")


def downgrade() -> None:
    for tier in TIERS:
        op.execute(f"DROP FUNCTION IF EXISTS {_signature(tier)}")
