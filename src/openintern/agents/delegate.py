"""``delegate``: an agent hands tasks to sub-agents, each a child run, and reads their answers.

The tool is in the registry like any other (so `/api/tools` lists it, a run asks for it
in ``tools`` and tool policies apply to it), but the agent loop runs it, because it is
the engine that starts child runs and parks the parent (`runtime.children`):

* the call's tasks become child ``agent`` runs (numbered on within the step, so two
  delegate calls in one step name different children), and the run waits;
* when the last child ends the run resumes, the children's answers (or errors) become the
  call's result, and their usage is added to the run's.

A sub-agent gets the parent's provider and (unless its task names another) model, and the
tools its task names among the parent's own (never ``delegate`` unless the parent has it; the depth limit bounds that).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openintern.agents.state import AgentState
from openintern.errors import ToolFailed
from openintern.llm import ToolCall
from openintern.runtime.children import ChildResult, ChildSpec, collect_children, rolled_up, start_children
from openintern.runtime.context import RunContext
from openintern.tools import MAX_OUTPUT_CHARS, Tool, ToolContext, ToolOutcome

DELEGATE = "delegate"
MAX_TASKS = 8  # per call: a fan-out the model can reason about (runtime.max_children_per_run bounds the run)
INHERITED = ("model", "provider", "max_steps", "model_settings", "stream")


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(min_length=1, max_length=200_000, description="What the sub-agent should do.")
    system_prompt: str | None = Field(
        None, max_length=50_000, description="Its instructions (a default if omitted)."
    )
    tools: list[str] | None = Field(None, max_length=64, description="Tools it may use, among yours.")
    agent_id: str | None = Field(None, max_length=100, description="A name for it in the trace.")
    model: str | None = Field(None, max_length=200, description="Its model (yours if omitted).")


async def delegate(
    ctx: ToolContext,
    tasks: Annotated[
        list[Task], Field(min_length=1, max_length=MAX_TASKS, description="The tasks, one per sub-agent.")
    ],
) -> ToolOutcome:
    """Hand tasks to sub-agents that work in parallel; returns each one's answer."""
    raise ToolFailed("delegate is run by the agent loop; this runtime called it directly")


def delegate_tool() -> Tool:
    """The registry's entry (schema, risk, policy); the loop runs the call."""
    return Tool.from_function(delegate, risk="medium", idempotent=False)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tasks: list[Task] = Field(min_length=1, max_length=MAX_TASKS)


async def collect_call(ctx: RunContext, state: AgentState, call: ToolCall) -> list[ChildResult] | None:
    """A resumed loop tool's children (``delegate``, ``spawn_agent``), their usage added to
    the run's; None when one is still running (the run has parked again)."""
    assert state.pending is not None
    start, count = state.pending.children[call.id]
    results = await collect_children(ctx, state.pending.step, count, start)
    if results is not None:
        state.usage = rolled_up(state.usage, results)
    return results


async def run_delegate(ctx: RunContext, state: AgentState, call: ToolCall, offered: list[str]) -> str | None:
    """Start the call's children (returns ``"waiting"``) or, resumed, collect them:
    None once the result is recorded, ``"waiting"`` if one is still running."""
    pending = state.pending
    assert pending is not None
    if call.id in pending.children:
        results = await collect_call(ctx, state, call)
        if results is None:
            return "waiting"
        _record(ctx, state, call, results)
        return None
    try:
        args = _Args.model_validate(json.loads(call.arguments or "{}"))
    except (ValueError, ValidationError) as exc:
        state.record_result(call, f"invalid delegate arguments: {exc}", is_error=True)
        return None
    specs = [_spec(ctx, task, i, offered) for i, task in enumerate(args.tasks)]
    start = sum(count for _, count in pending.children.values())
    pending.children[call.id] = [start, len(specs)]
    state.phase = "children"
    ctx.emit(
        "tool.called",
        {"tool_call_id": call.id, "name": call.name, "arguments": args.model_dump(exclude_none=True)},
        step=pending.step,
        span_id=call.id,
        parent_span_id=f"step-{pending.step}",
    )
    await start_children(ctx, pending.step, specs, checkpoint=state.dump(), start=start)
    return "waiting"


def _spec(ctx: RunContext, task: Task, index: int, offered: list[str]) -> ChildSpec:
    config: dict[str, Any] = {k: ctx.run.config[k] for k in INHERITED if k in ctx.run.config}
    mine = [t for t in offered if t != DELEGATE]
    config["tools"] = [t for t in task.tools if t in offered] if task.tools is not None else mine
    if task.system_prompt:
        config["system_prompt"] = task.system_prompt
    if task.model:
        config["model"] = task.model
    return ChildSpec("agent", {"text": task.input}, config, task.agent_id or f"sub-{index + 1}")


def _record(ctx: RunContext, state: AgentState, call: ToolCall, results: list[ChildResult]) -> None:
    assert state.pending is not None
    answers = [
        {"agent_id": r.agent_id, "run_id": r.run_id, "status": r.status, "answer": r.output, "error": r.error}
        for r in results
    ]
    content = json.dumps(answers, ensure_ascii=False)
    if len(content) > MAX_OUTPUT_CHARS:  # the model reads it; the children's runs keep it all
        ids = ", ".join(r.run_id for r in results)
        content = content[:MAX_OUTPUT_CHARS] + f"… [truncated; the full answers are in runs {ids}]"
    failed = all(not r.ok for r in results)
    ctx.emit(
        "tool.result",
        {"tool_call_id": call.id, "name": call.name, "result": content, "is_error": failed},
        step=state.pending.step,
        span_id=call.id,
        parent_span_id=f"step-{state.pending.step}",
    )
    state.record_result(call, content, is_error=failed)
