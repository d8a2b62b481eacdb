"""A group's blackboard: memories with the group's ``group_id``, searchable like any memory.

Entries are what members note during runs (``blackboard_write``), what people post
(`POST /api/groups/{id}/blackboard`), and, after every group run, one episodic entry
with the task, the decision and the key evidence. ``metadata.blackboard`` holds the
entry's kind (note | evidence | decision | question | run); ``run_id`` links an entry
to the run that wrote it.

The run entry is written once per run: its ``source`` (``run:<id>/blackboard``) is
unique within an org and project (the memories' index), it is looked up before it is
written, and the group run writes it before it commits ``completed`` — a run resumed
after a crash between the two finds it and does not write a second.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import Memory
from openintern.errors import NotFound
from openintern.memory import MemoryService, MemoryWrite, ScopeLike
from openintern.memory.search import MemoryRef
from openintern.schemas import teams as api

EVIDENCE_CHARS = 1_500  # of each member's contribution in the run entry


def entry_view(
    row: Memory | MemoryRef, content: str | None = None, score: float | None = None
) -> api.BlackboardEntry:
    """``content``: a search result's snippet (search returns no whole memory)."""
    return api.BlackboardEntry(
        id=row.id,
        group_id=row.group_id or "",
        tier=row.tier,
        kind=_kind((row.meta or {}).get("blackboard")),
        title=row.title,
        content=content if content is not None else getattr(row, "content", ""),
        tags=list(row.tags or []),
        agent_id=row.agent_id,
        run_id=row.run_id,
        created_at=row.created_at,
        score=score,
    )


async def list_entries(
    memory: MemoryService,
    session: AsyncSession,
    scope: ScopeLike,
    group_id: str,
    *,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> list[api.BlackboardEntry]:
    """Newest first; with ``q``, the best matches first (hybrid search within the group)."""
    if q:
        found = await memory.search(session, scope, q, filters={"group_id": group_id}, top_k=limit)
        return [entry_view(r.memory, _plain(r.snippet), r.scores.get("rrf")) for r in found]
    rows = await memory.list_memories(session, scope, group_id=group_id, limit=limit, cursor=cursor)
    return [entry_view(r) for r in rows]


async def get_entry(
    memory: MemoryService, session: AsyncSession, scope: ScopeLike, group_id: str, memory_id: str
) -> Memory:
    row = await memory.get(session, scope, memory_id)
    if row.group_id != group_id:
        raise NotFound("blackboard entry", memory_id)
    return row


async def post_entry(
    memory: MemoryService,
    session: AsyncSession,
    scope: ScopeLike,
    group_id: str,
    body: api.BlackboardCreate,
    *,
    run_id: str | None = None,
) -> Memory:
    return await memory.write(
        session,
        scope,
        MemoryWrite(
            tier="archival",
            title=body.title,
            content=body.content,
            tags=body.tags or (),
            metadata={"blackboard": body.kind},
            group_id=group_id,
            agent_id=body.agent_id,
            run_id=run_id,
            fmt="text",
        ),
    )


@dataclass(frozen=True)
class RunRecord:
    """What a finished group run leaves on its group's blackboard."""

    run_id: str
    group_id: str
    task: str
    decision: str
    lead: str
    contributions: Sequence[tuple[str, str, str]]  # (agent_id, status, what it said)
    session_key: str | None = None


async def write_run_entry(memory: MemoryService, scope: ScopeLike, record: RunRecord) -> str:
    """The run's episodic entry (once per run); returns its id."""
    source = f"run:{record.run_id}/blackboard"
    async with memory.db.tenant(scope.org_id) as session:
        found = await session.scalar(
            select(Memory.id).where(Memory.org_id == scope.org_id, Memory.source == source)
        )
        if found is not None:
            return str(found)
        row = await memory.write(
            session,
            scope,
            MemoryWrite(
                tier="episodic",
                title=f"Team run {record.run_id}: {record.task.strip()[:120]}",
                content=_render(record),
                tags=("team-run",),
                metadata=_meta(record),
                group_id=record.group_id,
                agent_id=record.lead,
                session_key=record.session_key,
                source=source,
                run_id=record.run_id,
                fmt="markdown",
            ),
        )
        return row.id


def _kind(value: Any) -> api.BlackboardKind:
    kinds: tuple[api.BlackboardKind, ...] = ("note", "evidence", "decision", "question", "run")
    return next((k for k in kinds if k == value), "note")  # a memory edited elsewhere reads as a note


def _plain(snippet: str) -> str:
    return html.unescape(snippet.replace("<b>", "").replace("</b>", ""))


def _meta(record: RunRecord) -> dict[str, Any]:
    return {"blackboard": "run", "members": [agent for agent, _, _ in record.contributions]}


def _render(record: RunRecord) -> str:
    lines = [
        f"# Task\n\n{record.task.strip()[:4_000]}",
        f"# Decision ({record.lead})\n\n{record.decision.strip()[:8_000]}",
        "# Key evidence",
    ]
    for agent, status, said in record.contributions:
        text = said.strip()
        if len(text) > EVIDENCE_CHARS:
            text = text[:EVIDENCE_CHARS] + "…"
        lines.append(f"- **{agent}** ({status}): {text}")
    lines.append(f"\nRun: {record.run_id}")
    return "\n\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:])
