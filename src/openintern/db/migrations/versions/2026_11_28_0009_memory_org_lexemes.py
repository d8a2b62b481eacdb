"""memory: full-text index entries scoped to the org (memory_org_lexemes)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 12:40:00
Deploy: runs before the code (the code does not change: memory_text_top() keeps its
signature and its results, and searches through the new indexes). CREATE INDEX reads the
table (~6 s per 120,000 chunks); writes to memory_chunks wait for it.

Why: the GIN indexes on memory_chunks.tsv were shared by every org, so a word's posting list
held every org's chunks with it, and a search read all of it (the org was a filter on the
heap, or a second bitmap of every chunk of the org from the (org_id, tier) b-tree, ANDed
in). Reading posting lists was ~75 % of the full-text half's database time at M2. Here each
lexeme of a chunk is indexed prefixed with a tag of its org (8 hex digits of the md5 of the
org id): a search reads its own org's posting lists only, however many orgs share the
table. Two orgs whose tags collide only share posting lists; every match is still checked
against the org id. The stored `tsv` is unchanged (ranking reads its positions); the index
is on the expression `memory_org_lexemes(org_id, tsv)` (the tagged lexemes, without
positions: GIN stores none). memory_text_top() tags the matching query the same way
(`memory_org_query`) and writes the org check so that the planner cannot AND in the org
b-tree, which at M2 cost ~3 ms for each common word. M2, text calls of the 400 queries: 2.36
-> 2.05 ms of database CPU per search (bench/RESULTS.md).

The old tsv GIN indexes go: only memory_text_top() used them. (The 7-argument
memory_text_top of 0004, for code older than 0007, stays; without its index it scans.)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

from openintern.db.session import APP_ROLE

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PARTIAL_TIERS = ("core", "episodic")

LEXEMES = """
CREATE FUNCTION memory_org_lexemes(p_org text, p_tsv tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_to_tsvector(array_agg(t.tag || l)), ''::tsvector)
      FROM (SELECT substr(md5(p_org), 1, 8) || '_' AS tag) AS t,
           unnest(tsvector_to_array(p_tsv)) AS l
$$
"""
# Each quoted lexeme of the query's text form gets the org's tag; operators, prefix marks
# (`:*`) and parentheses stay as they are.
QUERY = r"""
CREATE FUNCTION memory_org_query(p_org text, p_query tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT regexp_replace(p_query::text, '''((?:[^'']|'''')*)''',
                          '''' || substr(md5(p_org), 1, 8) || '_\1''', 'g')::tsquery
$$
"""
FUNCTIONS = ("memory_org_lexemes(text, tsvector)", "memory_org_query(text, tsquery)")

# The search itself is 0007's, but for the match: through the org's own index entries, and
# the org compared in a form the (org_id, tier) b-tree cannot serve (the matches are all in
# the org already; a bitmap of the org's every chunk ANDed in only costs).
TEXT_TOP = """
CREATE OR REPLACE FUNCTION memory_text_top(
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
               AND public.memory_org_lexemes(c.org_id, c.tsv) @@ public.memory_org_query(p_org, p_match)
               AND (c.org_id || '') = p_org
               AND c.tier = ANY(p_tiers)
               AND (p_project IS NULL OR c.project_id IS NULL OR c.project_id = p_project)
               AND (p_only_project IS NULL OR c.project_id = p_only_project)
             LIMIT p_cap) AS h
     ORDER BY score DESC, h.id
     LIMIT p_n
$$
"""


def _gin(prefix: str, expression: str, tier: str | None) -> tuple[str, str]:
    """Name and CREATE statement of a GIN index: whole-table, or the tier's partial one."""
    name = prefix + (f"_{tier}" if tier else "")
    where = f" WHERE tier = '{tier}'" if tier else ""
    return name, f"CREATE INDEX {name} ON memory_chunks USING gin ({expression}){where}"


def _index(tier: str | None) -> tuple[str, str]:
    return _gin("ix_memory_chunks_lexemes", "memory_org_lexemes(org_id, tsv)", tier)


def _old_index(tier: str | None) -> tuple[str, str]:
    return _gin("ix_memory_chunks_tsv", "tsv", tier)


def upgrade() -> None:
    op.execute(LEXEMES)
    op.execute(QUERY)
    for signature in FUNCTIONS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {APP_ROLE}")  # index expressions
    for tier in (None, *PARTIAL_TIERS):
        op.execute(_index(tier)[1])
    op.execute(TEXT_TOP)
    for tier in (None, *PARTIAL_TIERS):
        op.execute(f"DROP INDEX {_old_index(tier)[0]}")


def downgrade() -> None:
    for tier in (None, *PARTIAL_TIERS):
        op.execute(_old_index(tier)[1])
    op.execute(_revision_0007().CREATE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    for tier in (None, *PARTIAL_TIERS):
        op.execute(f"DROP INDEX {_index(tier)[0]}")
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")


def _revision_0007() -> ModuleType:
    """0007's module, for the function body it created (a migration is history: its SQL is
    not copied here)."""
    path = Path(__file__).with_name("2026_11_28_0007_memory_text_top_rank_query.py")
    spec = importlib.util.spec_from_file_location("openintern_migration_0007", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
