"""What the agent loop takes from memory and gives back to it.

* Core blocks ride in the prompt as their own system message (right after the run's system
  prompt), so an edit by ``core_memory_*`` replaces just that message on the next step.
* Recall (``recall`` per run, default ``memory.recall``) adds the memories most relevant to
  the run's input as a further system message before the first step. It is part of the
  checkpointed conversation, so a resumed run sees what the first attempt saw.
* When a run has its final answer (``remember`` per run, default ``memory.remember_runs``)
  an episodic summary of it is written, just before the run is marked completed: a client
  that sees ``completed`` can already recall it. It is written once per run (by source),
  so a resumed run does not write it twice.

Memory is an aid: if it fails, the run goes on and the failure is logged.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from openintern.agents.state import AgentState
from openintern.llm import Message
from openintern.memory import CoreRow, MemoryService, PlainScope, core_blocks, render_core
from openintern.memory.agent import recall, remember_run
from openintern.runtime.context import RunContext

log = logging.getLogger(__name__)

CORE_HEADER = "## Core memory"
CORE_TOOLS = frozenset({"core_memory_append", "core_memory_replace"})


def _enabled(ctx: RunContext, key: str, default: bool) -> bool:
    value = ctx.run.config.get(key)
    return default if value is None else bool(value)


async def _core(ctx: RunContext, session: AsyncSession) -> str:
    scope = PlainScope(ctx.run.org_id, ctx.run.project_id)
    return await core_blocks(session, scope, ctx.run.agent_id)


def _set_core(state: AgentState, text: str) -> None:
    """Put ``text`` as the core-memory system message (index 1), replacing an older one."""
    messages = state.messages
    has = len(messages) > 1 and messages[1].role == "system" and messages[1].content.startswith(CORE_HEADER)
    if has and text:
        messages[1] = Message.system(text)
    elif has:
        del messages[1]
    elif text:
        messages.insert(1, Message.system(text))


def prime(ctx: RunContext, memory: MemoryService | None, state: AgentState, core: list[CoreRow]) -> None:
    """Core blocks into a fresh conversation (``core``: its org's core rows, read at start)."""
    if memory is None:
        return
    _set_core(state, render_core(core, PlainScope(ctx.run.org_id, ctx.run.project_id), ctx.run.agent_id))


async def add_recall(ctx: RunContext, memory: MemoryService | None, state: AgentState) -> None:
    """Relevant memories before the first step, when recall is on for this run."""
    if memory is None or not _enabled(ctx, "recall", ctx.settings.memory.recall):
        return
    query = str(ctx.run.input.get("text", ""))
    try:
        block = await recall(
            memory, ctx.run.org_id, ctx.run.project_id, query, k=ctx.settings.memory.recall_top_k
        )
    except Exception:
        log.exception("recall failed for run %s; continuing without it", ctx.run.id)
        return
    if block:
        state.messages.insert(len(state.messages) - 1, Message.system(block))


async def refresh_core(
    ctx: RunContext, memory: MemoryService | None, state: AgentState, tool_names: list[str]
) -> None:
    """After a step that edited core memory, show the agent its blocks as they are now."""
    if memory is None or not CORE_TOOLS.intersection(tool_names):
        return
    async with ctx.db.tenant(ctx.run.org_id) as session:
        _set_core(state, await _core(ctx, session))


async def remember(ctx: RunContext, memory: MemoryService | None, output: str) -> None:
    """Write the run's episodic summary, when remembering is on for this run."""
    if memory is None or not _enabled(ctx, "remember", ctx.settings.memory.remember_runs):
        return
    run = ctx.run
    try:
        await remember_run(
            memory,
            run.org_id,
            run.project_id,
            run.id,
            run.session_key,
            str(run.input.get("text", "")),
            output,
        )
    except Exception:
        log.exception("could not write the episodic summary of run %s", run.id)
