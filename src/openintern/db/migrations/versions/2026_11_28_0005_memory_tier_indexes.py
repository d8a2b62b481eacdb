"""memory: partial HNSW and GIN indexes for the core and episodic tiers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:30:00
Deploy: runs before the code that needs it (additive). Builds two HNSW and two GIN indexes
over the core and episodic chunks (CREATE INDEX: writes to memory_chunks wait for the
build; at 400k chunks, 120k of them core or episodic, about a minute).

Why: a tier filter on the whole-table indexes is applied row by row after the index has
found a candidate. pgvector's HNSW walk then visits every chunk of the other tiers too
(a 15 %-selective filter: ~4,000 buffer visits and 6 ms per query at 400k chunks), and a
GIN match reads the posting lists and heap rows of every tier. A partial index per tier
holds only that tier's chunks: the graph is a fraction of the size, the filter costs
nothing, and the search layer (memory.store) names the tier in the query so that the
planner can prove the index predicate. Archival, the bulk of the chunks and the default of
ingestion, keeps using the whole-table indexes (a filter that passes 60 % costs little),
so its writes maintain one HNSW index as before; core and episodic writes maintain two.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PARTIAL_TIERS = ("core", "episodic")


def upgrade() -> None:
    for tier in PARTIAL_TIERS:
        op.create_index(
            f"ix_memory_chunks_embedding_{tier}",
            "memory_chunks",
            ["embedding"],
            unique=False,
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
            postgresql_where=sa.text(f"tier = '{tier}'"),
        )
        op.create_index(
            f"ix_memory_chunks_tsv_{tier}",
            "memory_chunks",
            ["tsv"],
            unique=False,
            postgresql_using="gin",
            postgresql_where=sa.text(f"tier = '{tier}'"),
        )


def downgrade() -> None:
    for tier in PARTIAL_TIERS:
        op.drop_index(f"ix_memory_chunks_tsv_{tier}", table_name="memory_chunks")
        op.drop_index(f"ix_memory_chunks_embedding_{tier}", table_name="memory_chunks")
