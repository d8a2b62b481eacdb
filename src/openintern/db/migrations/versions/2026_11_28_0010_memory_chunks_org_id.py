"""memory: the org b-tree on memory_chunks is (org_id) alone, no longer (org_id, tier)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 13:40:00
Deploy: runs before or after the code (no statement names the index). CREATE INDEX: writes
to memory_chunks wait for the build (~1 s at 400k chunks).

Why: PostgreSQL 18 can skip-scan a b-tree on a condition of its second column alone. The
full-text half (memory_text_top()) compares the org in a form no index serves, as its
org-scoped GIN entries already confine it to the org (0009), but it must name the tier for
the tier's partial GIN index to be proven; the planner then sometimes ANDed the GIN bitmap
with a skip scan of (org_id, tier) for that tier: every chunk of the tier in every org
(120,000 at M2), ~10 ms of a call that otherwise takes ~0.6 ms. It picked that for 13 of
246 text calls of the M2 queries, ~0.3 ms per search on average and the slowest searches
(bench/RESULTS.md, M2 "Sixth session"). The vector half's use of the b-tree, reading a small
org's few chunks (0006), needs the org only: a small org's rows of other tiers are few too.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_memory_chunks_org_id", "memory_chunks", ["org_id"], unique=False)
    op.drop_index("ix_memory_chunks_org_id_tier", table_name="memory_chunks")


def downgrade() -> None:
    op.create_index("ix_memory_chunks_org_id_tier", "memory_chunks", ["org_id", "tier"], unique=False)
    op.drop_index("ix_memory_chunks_org_id", table_name="memory_chunks")
