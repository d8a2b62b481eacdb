"""memory: memories and chunks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:41:43.770685
Deploy: runs before the code that needs it (additive).
"""

from __future__ import annotations

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from openintern.db.rls import GRANT_EXISTING, disable_tenant_rls_v1, enable_tenant_rls_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


TENANT_TABLES = ["memories", "memory_chunks"]


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=100)), server_default="{}", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("importance", sa.Float(), server_default="0.5", nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("group_id", sa.String(length=100), nullable=True),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("session_key", sa.String(length=200), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("tier IN ('core', 'episodic', 'archival')", name=op.f("ck_memories_tier")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_memories_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_memories_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memories")),
    )
    op.create_index("ix_memories_org_id_tier_id", "memories", ["org_id", "tier", "id"], unique=False)
    op.create_index("ix_memories_tags", "memories", ["tags"], unique=False, postgresql_using="gin")
    op.create_index(
        "uq_memories_org_id_project_key_source",
        "memories",
        ["org_id", sa.literal_column("coalesce(project_id, '')"), "source"],
        unique=True,
        postgresql_where=sa.text("source IS NOT NULL"),
    )
    op.create_table(
        "memory_chunks",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("memory_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.vector.VECTOR(dim=384), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("embedding_dim", sa.Integer(), nullable=True),
        sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["memory_id"],
            ["memories.id"],
            name=op.f("fk_memory_chunks_memory_id_memories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_chunks")),
    )
    op.create_index(
        "ix_memory_chunks_embedding",
        "memory_chunks",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(op.f("ix_memory_chunks_memory_id"), "memory_chunks", ["memory_id"], unique=False)
    op.create_index("ix_memory_chunks_tsv", "memory_chunks", ["tsv"], unique=False, postgresql_using="gin")
    op.execute(GRANT_EXISTING)
    for table in TENANT_TABLES:
        enable_tenant_rls_v1(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls_v1(table)
    op.drop_index("ix_memory_chunks_tsv", table_name="memory_chunks", postgresql_using="gin")
    op.drop_index(op.f("ix_memory_chunks_memory_id"), table_name="memory_chunks")
    op.drop_index(
        "ix_memory_chunks_embedding",
        table_name="memory_chunks",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_table("memory_chunks")
    op.drop_index(
        "uq_memories_org_id_project_key_source",
        table_name="memories",
        postgresql_where=sa.text("source IS NOT NULL"),
    )
    op.drop_index("ix_memories_tags", table_name="memories", postgresql_using="gin")
    op.drop_index("ix_memories_org_id_tier_id", table_name="memories")
    op.drop_table("memories")
