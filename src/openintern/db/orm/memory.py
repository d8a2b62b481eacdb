"""Memories (core / episodic / archival) and their chunks (text, tsvector, embedding)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from openintern.db.orm.base import ID, Base, created_at, tenant_table

TIERS = ("core", "episodic", "archival")
PARTIAL_INDEX_TIERS = ("core", "episodic")
"""Tiers with their own HNSW and GIN indexes (migration 0005): a search filtered to one of
them walks a graph of that tier only. Archival (most chunks) uses the whole-table ones."""
ORG_LEXEMES = "memory_org_lexemes(org_id, tsv)"
"""What the full-text (GIN) indexes index: each lexeme tagged with its org (migration 0009)."""
EMBEDDING_DIM = 384  # the column's dimension; another dimension needs a migration (docs/memory.md)


@tenant_table
class Memory(Base):
    __tablename__ = "memories"
    __table_args__ = (
        CheckConstraint("tier IN ('core', 'episodic', 'archival')", name="tier"),
        Index("ix_memories_org_id_tier_id", "org_id", "tier", "id"),
        Index("ix_memories_tags", "tags", postgresql_using="gin"),
        # Ingestion is idempotent per source (a file path or URL) within an org and project.
        Index(
            "uq_memories_org_id_project_key_source",
            "org_id",
            text("coalesce(project_id, '')"),
            "source",
            unique=True,
            postgresql_where=text("source IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}")
    importance: Mapped[float] = mapped_column(Float, server_default="0.5")
    source: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(100))
    agent_id: Mapped[str | None] = mapped_column(String(100))
    session_key: Mapped[str | None] = mapped_column(String(200))
    run_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@tenant_table
class MemoryChunk(Base):
    """Tier and project are copied from the memory so that filters apply inside the index scans."""

    __tablename__ = "memory_chunks"
    __table_args__ = (
        # Full text: each lexeme indexed with its org's tag, so that a search reads only its
        # own org's posting lists (migration 0009, memory_text_top()).
        Index("ix_memory_chunks_lexemes", text(ORG_LEXEMES), postgresql_using="gin"),
        # A search reads one org: a small org in a big shared table reads only its own chunks.
        # The org alone (migration 0010): with the tier too, a skip scan of it on the tier
        # would be ANDed into full-text searches of a big org, reading every org's chunks.
        Index("ix_memory_chunks_org_id", "org_id"),
        Index(
            "ix_memory_chunks_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        *(
            index
            for tier in PARTIAL_INDEX_TIERS
            for index in (
                Index(
                    f"ix_memory_chunks_embedding_{tier}",
                    "embedding",
                    postgresql_using="hnsw",
                    postgresql_with={"m": 16, "ef_construction": 64},
                    postgresql_ops={"embedding": "vector_cosine_ops"},
                    postgresql_where=text(f"tier = '{tier}'"),
                ),
                Index(
                    f"ix_memory_chunks_lexemes_{tier}",
                    text(ORG_LEXEMES),
                    postgresql_using="gin",
                    postgresql_where=text(f"tier = '{tier}'"),
                ),
            )
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    memory_id: Mapped[str] = mapped_column(ID, ForeignKey("memories.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[str] = mapped_column(ID)
    project_id: Mapped[str | None] = mapped_column(ID)
    tier: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tsv: Mapped[Any] = mapped_column(TSVECTOR)
    embedding: Mapped[Any | None] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    embedding_dim: Mapped[int | None] = mapped_column(Integer)
    embedded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
