"""memory: a b-tree on memory_chunks (org_id, tier)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:10:00
Deploy: runs before the code (additive; the code does not depend on it). CREATE INDEX: writes
to memory_chunks wait for the build (seconds at 400k chunks).

Why: every search is confined to one org, but memory_chunks had no index that starts with
the org. An org with few chunks in a large shared table was estimated at ~1 row, and the
planner's exact path for it was a sequential scan of the whole table: 131 ms per hybrid
search on the M2 data (400k chunks) for an org with none, against ~20 ms for the org that
holds half of them. With this index a small org's search reads only its own chunks; a big
org's keeps walking the HNSW and GIN indexes (bench/RESULTS.md, M2).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_memory_chunks_org_id_tier", "memory_chunks", ["org_id", "tier"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_memory_chunks_org_id_tier", table_name="memory_chunks")
