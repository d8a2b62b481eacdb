"""The tools members of a group run use: the blackboard, and the lead's ``assign_tasks``.

They act in the run's org and group (from the context, never from the model's
arguments); outside a group run they answer that there is no group.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from openintern.errors import ToolRetry
from openintern.memory import PlainScope
from openintern.schemas import teams as api
from openintern.teams.blackboard import list_entries, post_entry
from openintern.tools import Tool, ToolContext, ToolOutcome

ASSIGN_TASKS = "assign_tasks"


def _group(ctx: ToolContext) -> str:
    if not ctx.group_id:
        raise ToolRetry("this run is not part of a group run; there is no blackboard")
    return ctx.group_id


async def blackboard_read(
    ctx: ToolContext,
    query: Annotated[
        str | None,
        Field(None, max_length=2_000, description="Search words; the newest entries when omitted."),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=20, description="How many entries.")] = 5,
) -> ToolOutcome:
    """Read your team's blackboard: what members and earlier runs noted and decided."""
    group_id = _group(ctx)
    memory = ctx.memory()
    async with memory.db.tenant(ctx.org_id) as session:
        entries = await list_entries(
            memory, session, PlainScope(ctx.org_id, ctx.project_id), group_id, q=query, limit=limit
        )
    if not entries:
        return ToolOutcome("the blackboard has no entries" + (" matching that" if query else ""), data=[])
    lines = [f"- [{e.kind}] {e.title} ({e.agent_id or 'someone'}): {e.content[:800]}" for e in entries]
    return ToolOutcome("\n".join(lines), data=[e.id for e in entries])


async def blackboard_write(
    ctx: ToolContext,
    title: Annotated[str, Field(min_length=1, max_length=500, description="A short title.")],
    content: Annotated[str, Field(min_length=1, max_length=20_000, description="What to note.")],
    kind: Annotated[
        Literal["note", "evidence", "decision", "question"], Field(description="What sort of entry.")
    ] = "note",
) -> ToolOutcome:
    """Note something on your team's blackboard for the other members and later runs."""
    group_id = _group(ctx)
    memory = ctx.memory()
    body = api.BlackboardCreate(title=title, content=content, kind=kind, agent_id=ctx.agent_id)
    async with memory.db.tenant(ctx.org_id) as session:
        row = await post_entry(
            memory, session, PlainScope(ctx.org_id, ctx.project_id), group_id, body, run_id=ctx.run_id
        )
    return ToolOutcome(f"noted on the blackboard (entry {row.id})", data={"memory_id": row.id})


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: str = Field(min_length=1, max_length=100, description="The member's name (agent id).")
    task: str = Field(min_length=1, max_length=20_000, description="What it should do.")


async def assign_tasks(
    ctx: ToolContext,
    assignments: Annotated[
        list[Assignment], Field(min_length=1, max_length=20, description="Who does what next.")
    ],
) -> ToolOutcome:
    """Give members their next tasks. They work after your turn ends and you read their
    reports on your next turn; answer without calling this tool when you have decided."""
    unknown = [a.member for a in assignments if a.member not in ctx.team]
    if unknown:
        raise ToolRetry(f"no member named {', '.join(unknown)}; the members are: {', '.join(ctx.team)}")
    names = ", ".join(a.member for a in assignments)
    return ToolOutcome(f"assigned to {names}; end your turn now and they will report back")


def team_tools() -> list[Tool]:
    return [
        Tool.from_function(blackboard_read),
        Tool.from_function(blackboard_write, risk="low", idempotent=False),
        Tool.from_function(assign_tasks, idempotent=True),
    ]
