"""Memory tools: search, read and write the org's memory; edit core blocks; ingest PDFs.

They use the platform's memory service (``ctx.memory()``, a `MemoryService`) and always
act in the run's org and project (from the context, never from the model): another
tenant's memory reads as not found.
"""

from __future__ import annotations

import html
from typing import Annotated, Any, Literal

from pydantic import Field

from openintern.errors import NotFound, ToolRetry, ValidationFailed
from openintern.memory import CORE_BLOCK_MAX_CHARS, MemoryPatch, MemoryService, MemoryWrite, PlainScope
from openintern.tools.context import ToolContext, ToolOutcome
from openintern.tools.registry import tool

Tier = Literal["core", "episodic", "archival"]


def _memory(ctx: ToolContext) -> MemoryService:
    return ctx.memory()


def _scope(ctx: ToolContext) -> PlainScope:
    return PlainScope(ctx.org_id, ctx.project_id)


@tool
async def memory_search(
    ctx: ToolContext,
    query: Annotated[str, Field(min_length=1, max_length=2_000, description="Keywords or a question.")],
    tiers: Annotated[
        list[Tier] | None, Field(description="Only these tiers (core, episodic, archival); all when omitted.")
    ] = None,
    top_k: Annotated[int, Field(ge=1, le=20, description="How many results.")] = 5,
) -> ToolOutcome:
    """Search memory by keywords and meaning (any language): ids, titles, snippets; memory_get reads one."""
    memory = _memory(ctx)
    async with memory.db.tenant(ctx.org_id) as session:
        results = await memory.search(session, _scope(ctx), query, tiers=tiers, top_k=top_k)
    data = [
        {
            "memory_id": r.memory.id,
            "title": r.memory.title,
            "tier": r.memory.tier,
            "snippet": _plain(r.snippet),
            "score": r.scores["rrf"],
        }
        for r in results
    ]
    if not data:
        return ToolOutcome("no memory matches that query", data=[])
    lines = [
        f"{i}. [{d['tier']}] {d['title']} (id {d['memory_id']})\n   {d['snippet']}"
        for i, d in enumerate(data, 1)
    ]
    return ToolOutcome("\n".join(lines), data=data)


@tool
async def memory_get(
    ctx: ToolContext,
    memory_id: Annotated[str, Field(min_length=1, max_length=100, description="An id from memory_search.")],
) -> ToolOutcome:
    """Read one memory in full."""
    memory = _memory(ctx)
    try:
        async with memory.db.tenant(ctx.org_id) as session:
            row = await memory.get(session, _scope(ctx), memory_id)
    except NotFound:
        raise ToolRetry(f"no memory {memory_id!r}; use an id that memory_search returned") from None
    text = f"# {row.title}\n[{row.tier}] tags: {', '.join(row.tags) or '-'}\n\n{row.content}"
    return ToolOutcome(text, data={"memory_id": row.id, "title": row.title, "tier": row.tier})


@tool(risk="low", idempotent=False)
async def memory_write(
    ctx: ToolContext,
    title: Annotated[str, Field(min_length=1, max_length=500, description="A short, searchable title.")],
    content: Annotated[str, Field(min_length=1, max_length=100_000)],
    tier: Annotated[
        Tier, Field(description="archival: knowledge; episodic: what happened; core: always-in-prompt notes.")
    ] = "archival",
    tags: Annotated[list[str] | None, Field(max_length=50, description="Labels to filter by later.")] = None,
) -> ToolOutcome:
    """Remember something for later runs; returns the new memory's id."""
    memory = _memory(ctx)
    data = MemoryWrite(
        tier=tier,
        title=title,
        content=content,
        tags=tags or (),
        run_id=ctx.run_id,
        agent_id=ctx.agent_id if tier == "core" else None,
    )
    try:
        async with memory.db.tenant(ctx.org_id) as session:
            row = await memory.write(session, _scope(ctx), data)
    except ValidationFailed as exc:
        raise ToolRetry(exc.message) from None
    return ToolOutcome(f"stored as {row.id} ({row.tier})", data={"memory_id": row.id})


async def _core_block(memory: MemoryService, session: Any, ctx: ToolContext, title: str) -> Any:
    rows = await memory.list_memories(session, _scope(ctx), tier="core", limit=200)
    mine = [r for r in rows if r.title == title and r.agent_id in (None, ctx.agent_id)]
    return mine[0] if mine else None


@tool(risk="low", idempotent=False)
async def core_memory_append(
    ctx: ToolContext,
    title: Annotated[
        str, Field(min_length=1, max_length=200, description="The core block, e.g. 'User preferences'.")
    ],
    text: Annotated[str, Field(min_length=1, max_length=CORE_BLOCK_MAX_CHARS)],
) -> str:
    """Append a line to a core memory block (always in your prompt: keep it short); creates the block."""
    memory = _memory(ctx)
    try:
        async with memory.db.tenant(ctx.org_id) as session:
            block = await _core_block(memory, session, ctx, title)
            if block is None:
                data = MemoryWrite(
                    tier="core", title=title, content=text, agent_id=ctx.agent_id, run_id=ctx.run_id
                )
                await memory.write(session, _scope(ctx), data)
            else:
                patch = MemoryPatch(content=f"{block.content}\n{text}")
                await memory.update(session, _scope(ctx), block.id, patch)
    except ValidationFailed as exc:
        raise ToolRetry(exc.message) from None
    return f"core block {title!r} updated"


@tool(risk="low", idempotent=True)
async def core_memory_replace(
    ctx: ToolContext,
    title: Annotated[str, Field(min_length=1, max_length=200, description="The core block to edit.")],
    old: Annotated[str, Field(min_length=1, description="Exact text to replace (its first occurrence).")],
    new: Annotated[str, Field(max_length=CORE_BLOCK_MAX_CHARS, description="Replacement; empty deletes.")],
) -> str:
    """Replace text inside a core memory block."""
    memory = _memory(ctx)
    try:
        async with memory.db.tenant(ctx.org_id) as session:
            block = await _core_block(memory, session, ctx, title)
            if block is None:
                raise ToolRetry(f"there is no core block titled {title!r}; core_memory_append creates one")
            if old not in block.content:
                raise ToolRetry(f"core block {title!r} does not contain that text; copy it exactly")
            content = block.content.replace(old, new, 1).strip()
            if not content:
                await memory.delete(session, _scope(ctx), block.id)
                return f"core block {title!r} is now empty and was removed"
            await memory.update(session, _scope(ctx), block.id, MemoryPatch(content=content))
    except ValidationFailed as exc:
        raise ToolRetry(exc.message) from None
    return f"core block {title!r} updated"


@tool(risk="medium", idempotent=True, timeout_s=900)
async def mineru_ingest_pdf(
    ctx: ToolContext,
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2_000, description="URL of a PDF.")],
) -> ToolOutcome:
    """Extract a PDF with MinerU and store it in archival memory (idempotent per URL)."""
    from openintern.connectors.ingest import extract_url

    memory = _memory(ctx)
    try:
        doc = await extract_url(memory.mineru, url)
        async with memory.db.tenant(ctx.org_id) as session:
            result = await memory.ingest_document(session, _scope(ctx), doc, source=url)
    except ValidationFailed as exc:
        raise ToolRetry(exc.message) from None
    text = f"{result.status}: memory {result.memory_id} ({result.chunks} chunks); find it with memory_search"
    return ToolOutcome(
        text, data={"memory_id": result.memory_id, "status": result.status, "chunks": result.chunks}
    )


def _plain(snippet_html: str) -> str:
    return html.unescape(snippet_html.replace("<b>", "").replace("</b>", ""))
