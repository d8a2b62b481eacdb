"""``spawn_agent``: an agent starts one sub-agent (a role, or an ad-hoc instruction) as a
child run and gets its answer back.

Like ``delegate`` the loop runs it (the engine starts child runs and parks the parent).
Its limits are the model's to hear about, not the run's to die of: a spawn past
``runtime.max_child_depth``, ``runtime.max_children_per_run`` or
``runtime.max_spawn_cost_usd`` (the run's cost with its children's), of a role its own
role may not spawn (``spawn_roles``), or of a role already up the chain (a cycle) is a
tool error the agent reads, and the run goes on.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openintern.agents.delegate import DELEGATE, INHERITED, collect_call
from openintern.agents.state import AgentState
from openintern.errors import QuotaExceeded, ToolFailed
from openintern.llm import ToolCall
from openintern.runtime.children import ChildSpec, start_children
from openintern.runtime.context import RunContext
from openintern.teams.roles import find_role, role_config
from openintern.tools import MAX_OUTPUT_CHARS, Tool, ToolContext, ToolOutcome

SPAWN_AGENT = "spawn_agent"


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(min_length=1, max_length=200_000)
    role: str | None = Field(None, max_length=100)
    instruction: str | None = Field(None, max_length=50_000)
    agent_id: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")

    @model_validator(mode="after")
    def _one_kind(self) -> _Args:
        if (self.role is None) == (self.instruction is None):
            raise ValueError("give either a role or an instruction")
        return self


async def spawn_agent(
    ctx: ToolContext,
    input: Annotated[str, Field(min_length=1, max_length=200_000, description="The sub-agent's task.")],
    role: Annotated[str | None, Field(max_length=100, description="A role (id or name) to start.")] = None,
    instruction: Annotated[
        str | None, Field(max_length=50_000, description="Or: ad-hoc instructions for a new sub-agent.")
    ] = None,
    agent_id: Annotated[str | None, Field(max_length=100, description="Its name in the trace.")] = None,
) -> ToolOutcome:
    """Start a sub-agent (a role, or one with your instructions) on a task and get its answer."""
    raise ToolFailed("spawn_agent is run by the agent loop; this runtime called it directly")


def spawn_agent_tool() -> Tool:
    return Tool.from_function(spawn_agent, risk="medium", idempotent=False)


async def run_spawn(ctx: RunContext, state: AgentState, call: ToolCall, offered: list[str]) -> str | None:
    """Start the child (``"waiting"``), or, resumed, record its answer (None)."""
    pending = state.pending
    assert pending is not None
    if call.id in pending.children:
        results = await collect_call(ctx, state, call)
        if results is None:
            return "waiting"
        child = results[0]
        answer = child.output if child.ok else f"the sub-agent {child.status}: {child.error}"
        _result(ctx, state, call, (answer or "")[:MAX_OUTPUT_CHARS], is_error=not child.ok)
        return None
    try:
        args = _Args.model_validate(json.loads(call.arguments or "{}"))
        spec = await _spec(ctx, state, args, offered)
    except (ValueError, ValidationError, ToolFailed) as exc:
        _result(ctx, state, call, f"spawn_agent refused: {exc}", is_error=True)
        return None
    start = sum(count for _, count in pending.children.values())
    pending.children[call.id] = [start, 1]
    state.phase = "children"
    ctx.emit(
        "tool.called",
        {"tool_call_id": call.id, "name": call.name, "arguments": args.model_dump(exclude_none=True)},
        step=pending.step, span_id=call.id, parent_span_id=f"step-{pending.step}",
    )  # fmt: skip
    try:
        await start_children(ctx, pending.step, [spec], checkpoint=state.dump(), start=start)
    except QuotaExceeded as exc:  # depth or count: nothing was written; the model hears why
        del pending.children[call.id]
        state.phase = "tools"
        _result(ctx, state, call, f"spawn_agent refused: {exc.message}", is_error=True)
        return None
    return "waiting"


async def _spec(ctx: RunContext, state: AgentState, args: _Args, offered: list[str]) -> ChildSpec:
    config: dict[str, Any] = {k: ctx.run.config[k] for k in INHERITED if k in ctx.run.config}
    limit = ctx.settings.runtime.max_spawn_cost_usd
    if limit and float(state.usage.get("cost_usd") or 0) >= limit:
        raise ToolFailed(
            f"this run has spent ${state.usage['cost_usd']:.4f}; runtime.max_spawn_cost_usd is ${limit}"
        )
    chain = [
        *ctx.run.config.get("spawn_chain", []),
        *([ctx.run.config["role_id"]] if "role_id" in ctx.run.config else []),
    ]
    if args.role is None:
        config["system_prompt"] = args.instruction
        config["tools"] = [t for t in offered if t not in (SPAWN_AGENT, DELEGATE)]
        return ChildSpec(
            "agent", {"text": args.input}, {**config, "spawn_chain": chain}, args.agent_id or "spawned"
        )
    async with ctx.db.tenant(ctx.run.org_id) as session:
        role = await find_role(session, ctx.run.org_id, args.role)
    if role is None:
        raise ToolFailed(f"no role {args.role!r} in this org")
    allowed = ctx.run.config.get("spawn_roles")
    if "role_id" in ctx.run.config and role.id not in (allowed or []):
        raise ToolFailed(f"your role may not spawn {role.name!r} (its spawn_roles: {allowed or 'none'})")
    if role.id in chain:
        raise ToolFailed(f"role {role.name!r} is already in this chain of sub-agents (a cycle)")
    config.update(role_config(role))
    config["spawn_chain"] = chain
    return ChildSpec(
        "agent", {"text": args.input}, config, args.agent_id or role.name.lower().replace(" ", "-")[:60]
    )


def _result(ctx: RunContext, state: AgentState, call: ToolCall, content: str, *, is_error: bool) -> None:
    assert state.pending is not None
    step = state.pending.step
    ctx.emit(
        "tool.result",
        {"tool_call_id": call.id, "name": call.name, "result": content, "is_error": is_error},
        step=step, span_id=call.id, parent_span_id=f"step-{step}",
    )  # fmt: skip
    state.record_result(call, content, is_error=is_error)
