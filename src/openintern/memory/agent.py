"""What the agent loop asks of memory: recall before a run, remember after it, core blocks.

Each helper takes plain ids, so the runtime can call it without sharing a session: recall
needs no transaction (the search runs on the service's search connections, as the org),
remember opens its own tenant transaction.
"""

from __future__ import annotations

import html
import logging

from sqlalchemy import select

from openintern.db.orm import Memory
from openintern.memory.records import MemoryWrite
from openintern.memory.scope import PlainScope
from openintern.memory.service import MemoryService

__all__ = ["RECALL_MAX_CHARS", "recall", "remember_run"]

log = logging.getLogger(__name__)

RECALL_MAX_CHARS = 4_000
"""Upper bound of the recall block put into a prompt."""


async def recall(
    memory: MemoryService, org_id: str, project_id: str | None, query: str, k: int = 5
) -> str | None:
    """A context block of the ``k`` episodic/archival memories most relevant to ``query``,
    or None when nothing matches (or the query is empty)."""
    if not query.strip():
        return None
    results = await memory.search(
        None, PlainScope(org_id, project_id), query, tiers=["episodic", "archival"], top_k=k
    )
    if not results:
        return None
    lines = [f"- [{r.memory.tier}] {r.memory.title} (id {r.memory.id}): {_plain(r.snippet)}" for r in results]
    block = "Relevant memories (call memory_get with an id for the full text):\n" + "\n".join(lines)
    return block[:RECALL_MAX_CHARS]


async def remember_run(
    memory: MemoryService,
    org_id: str,
    project_id: str | None,
    run_id: str,
    session_key: str | None,
    input: str,
    output: str,
) -> None:
    """Store an episodic memory "Run <id>: asked …, answered …" (once per run)."""
    source = f"run:{run_id}"
    asked, answered = input.strip(), output.strip()
    async with memory.db.tenant(org_id) as session:
        exists = await session.scalar(
            select(Memory.id).where(Memory.org_id == org_id, Memory.source == source)
        )
        if exists is not None:
            return
        await memory.write(
            session,
            PlainScope(org_id, project_id),
            MemoryWrite(
                tier="episodic",
                title=f"Run {run_id}: {asked[:120]}",
                content=f'Run {run_id}: asked "{asked[:4_000]}", answered "{answered[:8_000]}"',
                source=source,
                run_id=run_id,
                session_key=session_key,
                fmt="text",
            ),
        )


def _plain(snippet_html: str) -> str:
    return html.unescape(snippet_html.replace("<b>", "").replace("</b>", ""))
