"""A document into memory, idempotent per source (`ingest/` reads files into `Document`s;
this stores one): the same source with the same content hash is ``unchanged`` (nothing
written), with another hash ``replaced`` (the same memory, new chunks), else ``created``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import Memory
from openintern.memory import records
from openintern.memory.embedding import EmbeddingPipeline
from openintern.memory.ingest import Document
from openintern.memory.scope import ScopeLike


@dataclass
class IngestResult:
    memory_id: str
    status: str  # created | unchanged | replaced
    chunks: int


async def ingest_document(
    session: AsyncSession,
    scope: ScopeLike,
    doc: Document,
    embedding: EmbeddingPipeline,
    *,
    tier: str = "archival",
    source: str | None = None,
    tags: Sequence[str] | None = None,
) -> IngestResult:
    """Store ``doc`` as the memory of ``source`` (default: the document's path) in the scope
    (the scope's project exactly: an org-wide document is not a project's)."""
    source = source or str(doc.source_path)
    query = select(Memory).where(Memory.org_id == scope.org_id, Memory.source == source)
    query = query.where(
        Memory.project_id == scope.project_id if scope.project_id else Memory.project_id.is_(None)
    )
    existing = (await session.execute(query.with_for_update())).scalar_one_or_none()
    if existing is not None and existing.content_hash == doc.content_hash:
        return IngestResult(existing.id, "unchanged", await _chunks(session, scope, existing.id))
    if existing is not None:
        records.note_write(session)
        existing.content, existing.title, existing.content_hash = doc.text, doc.title, doc.content_hash
        existing.updated_at = datetime.now(timezone.utc)
        count = await records.rechunk(session, existing, doc.fmt, embedding)
        return IngestResult(existing.id, "replaced", count)
    data = records.MemoryWrite(
        tier=tier,
        title=doc.title[:500],
        content=doc.text,
        source=source,
        content_hash=doc.content_hash,
        fmt=doc.fmt,
        tags=list(tags or []),
        metadata={"pages": len(doc.pages)} if doc.pages else {},
    )
    row = await records.write(session, scope, data, embedding)
    return IngestResult(row.id, "created", await _chunks(session, scope, row.id))


async def _chunks(session: AsyncSession, scope: ScopeLike, memory_id: str) -> int:
    return (await records.chunk_counts(session, scope, [memory_id])).get(memory_id, 0)
