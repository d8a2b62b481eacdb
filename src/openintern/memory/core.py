"""The core tier: small blocks that are in every prompt of an agent, and their limits.

Writes check the limits (`check_block`, `check_total`; `records.write` / `records.update`
call them), so what `render_core` puts into a prompt is bounded by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import Memory
from openintern.errors import ValidationFailed, field_error
from openintern.memory.scope import ScopeLike, scoped

CORE_BLOCK_MAX_CHARS = 2_000
"""One core memory: it is in every prompt of the agent, so it must stay small."""

CORE_TOTAL_MAX_CHARS = 8_000
"""All core memories an agent sees, together."""


def check_block(tier: str, content: str) -> None:
    """Refuse a core block over `CORE_BLOCK_MAX_CHARS` (other tiers pass)."""
    if tier == "core" and len(content) > CORE_BLOCK_MAX_CHARS:
        raise ValidationFailed(
            f"a core memory block holds at most {CORE_BLOCK_MAX_CHARS} characters (it is in every "
            f"prompt); this one has {len(content)}: shorten it or store it as archival",
            errors=[field_error(["body", "content"], "too long for a core block", "core_block_too_long")],
        )


async def check_total(session: AsyncSession, scope: ScopeLike, agent_id: str | None, *, extra: int) -> None:
    """Refuse a change that adds ``extra`` characters to the core blocks the agent
    ``agent_id`` sees (its own and the agent-less ones) past `CORE_TOTAL_MAX_CHARS`."""
    query = scoped(select(func.coalesce(func.sum(func.length(Memory.content)), 0)), scope)
    query = query.where(Memory.tier == "core")
    if agent_id is not None:
        query = query.where((Memory.agent_id == agent_id) | Memory.agent_id.is_(None))
    total = int(await session.scalar(query) or 0) + extra
    if total > CORE_TOTAL_MAX_CHARS:
        raise ValidationFailed(
            f"core memory holds at most {CORE_TOTAL_MAX_CHARS} characters in all (it is in every "
            f"prompt); this would make {total}: shorten or delete a core block, or use archival",
            errors=[field_error(["body", "content"], "core memory is full", "core_memory_full")],
        )


# Core blocks of whole orgs in one statement: a worker reads them for every org of a claim
# batch at once (agents/startup.py), and each run picks its own with `render_core`.
_CORE_ROWS = text(
    """
    SELECT org_id, project_id, agent_id, title, content FROM memories
     WHERE org_id = ANY(:org_ids) AND tier = 'core'
     ORDER BY id
    """
)


@dataclass(frozen=True)
class CoreRow:
    org_id: str
    project_id: str | None
    agent_id: str | None
    title: str
    content: str


async def core_rows(session: AsyncSession, org_ids: Sequence[str]) -> list[CoreRow]:
    """Every core memory of these orgs, oldest first (the tier is small: every block is in
    a prompt, so writes keep each agent's blocks under CORE_TOTAL_MAX_CHARS)."""
    rows = await session.execute(_CORE_ROWS, {"org_ids": list(org_ids)})
    return [CoreRow(*r) for r in rows.all()]


def render_core(rows: Sequence[CoreRow], scope: ScopeLike, agent_id: str | None = None) -> str:
    """The core tier of ``scope`` rendered for a system prompt: ``## Core memory`` then one
    block per memory (oldest first). The scope's project's blocks and org-wide ones (all
    projects' when the scope has none); the agent's and agent-less ones (all agents' when
    ``agent_id`` is None). Empty string when there are none. Bounded by the write-time
    limits (CORE_BLOCK_MAX_CHARS each, CORE_TOTAL_MAX_CHARS in all); cut defensively."""
    project = scope.project_id
    mine = [
        r
        for r in rows
        if r.org_id == scope.org_id
        and (project is None or r.project_id in (None, project))
        and (agent_id is None or r.agent_id in (None, agent_id))
    ][:200]
    if not mine:
        return ""
    blocks = [f"### {r.title}\n{r.content[:CORE_BLOCK_MAX_CHARS]}" for r in mine]
    return ("## Core memory\n\n" + "\n\n".join(blocks))[: CORE_TOTAL_MAX_CHARS + 1_000]


async def core_blocks(session: AsyncSession, scope: ScopeLike, agent_id: str | None = None) -> str:
    """`render_core` of the scope's org, read now."""
    return render_core(await core_rows(session, [scope.org_id]), scope, agent_id)
