"""Memories as rows: write, read, change and delete them, in the caller's transaction.

Every function takes ``session`` (a tenant transaction: RLS on) and ``scope``, flushes
and never commits. A write and a change of title or content (re-)chunk the memory through
the `EmbeddingPipeline`.

What a write or a change carries is typed here (`MemoryWrite`, `MemoryPatch`) rather than
taken from the API's `schemas.memory.MemoryCreate` / `MemoryUpdate`: ingestion, the agent
loop and the tools write fields no client may send (``source``, ``content_hash``,
``run_id``, ``fmt``), the tools and the CLI have no API body to pass, and memory must not
depend on the shape of one HTTP contract. The API route maps its body onto them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import Memory, MemoryChunk
from openintern.db.orm.memory import TIERS
from openintern.errors import NotFound, ValidationFailed, field_error
from openintern.memory import store
from openintern.memory.chunking import ChunkFormat
from openintern.memory.core import check_block, check_total
from openintern.memory.embedding import EmbeddingPipeline
from openintern.memory.scope import ScopeLike, scoped
from openintern.schemas.ids import new_id

_WROTE = "openintern.memory.wrote"
"""session.info key: the transaction in which memories were written (see `wrote_in`)."""


@dataclass(frozen=True, kw_only=True)
class MemoryWrite:
    """A new memory. ``source`` and ``content_hash`` make ingestion idempotent, ``run_id``
    records the run that wrote it, ``fmt`` says how to chunk ``content``."""

    title: str
    content: str
    tier: str = "archival"
    tags: Sequence[str] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    importance: float | None = None
    """0..1; 0.5 when None."""
    group_id: str | None = None
    agent_id: str | None = None
    session_key: str | None = None
    source: str | None = None
    content_hash: str | None = None
    """The content's SHA-256 (`content_hash`) when None."""
    run_id: str | None = None
    fmt: ChunkFormat = "markdown"


@dataclass(frozen=True, kw_only=True)
class MemoryPatch:
    """A change: each field that is not None replaces the memory's. None leaves a field as
    it is (PATCH has always read a null as "not sent": no field can be cleared)."""

    tier: str | None = None
    title: str | None = None
    content: str | None = None
    tags: Sequence[str] | None = None
    metadata: Mapping[str, Any] | None = None
    importance: float | None = None
    group_id: str | None = None
    agent_id: str | None = None
    session_key: str | None = None


_PATCHED_COLUMNS = ("tier", "title", "content", "importance", "group_id", "agent_id", "session_key")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def note_write(session: AsyncSession) -> None:
    """Note that this transaction writes memories (a search in it must see them)."""
    session.info[_WROTE] = session.sync_session.get_transaction()


def wrote_in(session: AsyncSession) -> bool:
    """Whether memories were written in the session's current transaction."""
    transaction = session.sync_session.get_transaction()
    return transaction is not None and session.info.get(_WROTE) is transaction


def check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise ValidationFailed(
            f"unknown memory tier {tier!r}; use one of {', '.join(TIERS)}",
            errors=[field_error(["body", "tier"], "unknown tier", "memory_tier")],
        )


async def write(
    session: AsyncSession, scope: ScopeLike, data: MemoryWrite, embedding: EmbeddingPipeline
) -> Memory:
    """Create a memory in the scope (its project, if it has one) and its chunks."""
    check_tier(data.tier)
    check_block(data.tier, data.content)
    note_write(session)
    row = Memory(
        id=new_id("mem"),
        org_id=scope.org_id,
        project_id=scope.project_id,
        tier=data.tier,
        title=data.title,
        content=data.content,
        tags=list(data.tags),
        meta=dict(data.metadata),
        importance=0.5 if data.importance is None else data.importance,
        source=data.source,
        content_hash=data.content_hash or content_hash(data.content),
        group_id=data.group_id,
        agent_id=data.agent_id,
        session_key=data.session_key,
        run_id=data.run_id,
    )
    if row.tier == "core":
        await check_total(session, scope, row.agent_id, extra=len(row.content))
    session.add(row)
    await session.flush()
    await embedding.write_chunks(session, row, data.fmt)
    await session.refresh(row)
    return row


async def update(
    session: AsyncSession, scope: ScopeLike, memory_id: str, patch: MemoryPatch, embedding: EmbeddingPipeline
) -> Memory:
    """Change fields; a new title or content re-chunks (and re-embeds) the memory."""
    row = await get(session, scope, memory_id)
    note_write(session)
    old_tier, old_title, old_content = row.tier, row.title, row.content
    _apply(row, patch)
    check_tier(row.tier)
    check_block(row.tier, row.content)
    if row.tier == "core" and (old_tier != "core" or old_content != row.content):
        extra = len(row.content) - (len(old_content) if old_tier == "core" else 0)
        await check_total(session, scope, row.agent_id, extra=extra)
    row.updated_at = datetime.now(timezone.utc)
    if (row.title, row.content) != (old_title, old_content):
        row.content_hash = content_hash(row.content)
        await rechunk(session, row, "markdown", embedding)
    elif row.tier != old_tier:
        await session.execute(
            store.RETIER_CHUNKS, {"tier": row.tier, "org_id": row.org_id, "memory_id": row.id}
        )
    await session.flush()
    await session.refresh(row)
    return row


def _apply(row: Memory, patch: MemoryPatch) -> None:
    for name in _PATCHED_COLUMNS:
        if (value := getattr(patch, name)) is not None:
            setattr(row, name, value)
    if patch.tags is not None:
        row.tags = list(patch.tags)
    if patch.metadata is not None:
        row.meta = dict(patch.metadata)


async def rechunk(session: AsyncSession, row: Memory, fmt: ChunkFormat, embedding: EmbeddingPipeline) -> int:
    """Replace the chunks of ``row`` (its content changed); returns how many it has now."""
    await session.execute(sql_delete(MemoryChunk).where(MemoryChunk.memory_id == row.id))
    await session.flush()
    return await embedding.write_chunks(session, row, fmt)


async def delete(session: AsyncSession, scope: ScopeLike, memory_id: str) -> None:
    """Delete a memory; its chunks go with it (ON DELETE CASCADE)."""
    row = await get(session, scope, memory_id)
    note_write(session)
    await session.delete(row)
    await session.flush()


async def get(session: AsyncSession, scope: ScopeLike, memory_id: str) -> Memory:
    query = scoped(select(Memory).where(Memory.id == memory_id), scope)
    row: Memory | None = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("memory", memory_id)
    return row


async def list_memories(
    session: AsyncSession,
    scope: ScopeLike,
    *,
    tier: str | None = None,
    q: str | None = None,
    tags: Sequence[str] | None = None,
    agent_id: str | None = None,
    session_key: str | None = None,
    group_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> list[Memory]:
    """Newest first (ids are time-ordered); ``cursor`` is the last id of the previous page."""
    query = scoped(select(Memory), scope)
    if tier:
        query = query.where(Memory.tier == tier)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Memory.title.ilike(like) | Memory.content.ilike(like))
    if tags:
        query = query.where(Memory.tags.overlap(list(tags)))
    if agent_id:
        query = query.where(Memory.agent_id == agent_id)
    if session_key:
        query = query.where(Memory.session_key == session_key)
    if group_id:
        query = query.where(Memory.group_id == group_id)
    if cursor:
        query = query.where(Memory.id < cursor)
    return list((await session.execute(query.order_by(Memory.id.desc()).limit(limit))).scalars())


async def chunk_counts(session: AsyncSession, scope: ScopeLike, ids: Sequence[str]) -> dict[str, int]:
    """How many chunks each of these memories has (the API's ``chunks``)."""
    if not ids:
        return {}
    rows = await session.execute(store.CHUNK_COUNTS, {"org_id": scope.org_id, "ids": list(ids)})
    return {m: int(n) for m, n in rows.all()}
