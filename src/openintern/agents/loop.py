"""The agent loop (the ``agent`` run kind): a few named steps with typed hand-offs.

    prepare → [ step.started → call_model → run_tools → step.completed + checkpoint ]* → finish

The checkpoint after each step commits in the same transaction as the step's events.
Durability rules (see docs/runtime.md):

* A completed step is never executed again: resume starts after the last checkpoint.
* Before a tool that is *not* idempotent runs, the intent (``tool.called`` + a checkpoint
  in phase ``tools``) is committed. If the worker dies before the result is committed,
  the resumed run does not repeat the call: the model is told it was interrupted.
  Idempotent tools are simply run again.
* ``require_approval`` commits the pending call with the run in ``waiting`` and returns:
  no memory is held, so approval works across restarts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from openintern.agents import memory_context
from openintern.agents.delegate import DELEGATE, run_delegate
from openintern.agents.spawn import SPAWN_AGENT, run_spawn
from openintern.agents.startup import StartReads, read_starts
from openintern.agents.state import AgentState, fresh_state, load_state
from openintern.agents.toolbox import Toolbox, load_toolbox
from openintern.approvals import approval_decision, insert_approval_statement, park_again_statement
from openintern.errors import OpenInternError
from openintern.llm import ChatModel, Message, ModelResponse, ModelSettings, TextDelta, ToolSpec
from openintern.runtime.context import RunContext
from openintern.schemas.ids import new_id

if TYPE_CHECKING:
    from openintern.agents.kind import AgentKind

LOOP_TOOLS = {DELEGATE: run_delegate, SPAWN_AGENT: run_spawn}
"""Tools the loop runs itself, since they start child runs and park the run."""

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Use the tools when they help; answer concisely."


async def run_agent(ctx: RunContext, deps: AgentKind) -> None:
    reads: StartReads | None = ctx.prefetched  # read with the claim (runtime/startup.py)
    run = ctx.run
    if reads is None or run.attempt > 1 or run.session_key or run.config.get("continues"):
        async with ctx.db.system() as session:
            state = await load_state(ctx, DEFAULT_SYSTEM_PROMPT, session)
            if reads is None:
                reads = await read_starts(session, [run.org_id])
    else:  # a first attempt outside a session: nothing more to read
        state = fresh_state(ctx, DEFAULT_SYSTEM_PROMPT, [])
    fresh = state.step == 0 and state.phase == "model"
    if fresh:
        memory_context.prime(ctx, deps.memory, state, reads.core)
    toolbox = load_toolbox(ctx, deps.tools, deps.lent, reads.rules)
    model = deps.models.for_run(ctx.run.org_id, ctx.run.config, reads.providers)
    if fresh:
        await memory_context.add_recall(ctx, deps.memory, state)
    max_steps = int(ctx.run.config.get("max_steps") or ctx.settings.runtime.default_max_steps)
    if state.phase in ("tools", "approval", "children"):
        assert state.pending is not None
        names = [c.name for c in state.pending.calls]
        if await run_tools(ctx, state, toolbox) == "waiting":
            return
        await memory_context.refresh_core(ctx, deps.memory, state, names)
        await _complete_step(ctx, state)
    while True:
        if state.step >= max_steps:
            raise _max_steps(max_steps)
        step = state.step + 1
        ctx.emit("step.started", {"step": step}, step=step, span_id=f"step-{step}")
        response = await call_model(ctx, model, state, toolbox.specs, step)
        state.messages.append(response.to_message())
        if not response.tool_calls:
            await memory_context.remember(ctx, deps.memory, response.text)  # before: done means remembered
            await finish(ctx, state, step, response.text)
            return
        state.begin_tools(step, response)
        if await run_tools(ctx, state, toolbox) == "waiting":
            return
        await memory_context.refresh_core(ctx, deps.memory, state, [c.name for c in response.tool_calls])
        await _complete_step(ctx, state)


def _max_steps(max_steps: int) -> Exception:
    """Say which setting to raise, and where: the run's own, its role's, or the platform's default."""
    return OpenInternError(
        f"the agent reached max_steps ({max_steps}) without a final answer (a step is one model call and"
        " its tool calls). Raise it for this run with `max_steps` in the run request (or"
        " `agent.max_steps`; `openintern run --max-steps N`), for a role's runs with the role's"
        " `max_steps` (PUT /api/roles/{id}), or for every run with the setting"
        " `runtime.default_max_steps` (env OPENINTERN_RUNTIME__DEFAULT_MAX_STEPS); or simplify the task"
    )


async def call_model(
    ctx: RunContext, model: ChatModel, state: AgentState, specs: list[ToolSpec], step: int
) -> ModelResponse:
    span = f"llm-{step}-{ctx.run.attempt}"
    started = time.perf_counter()
    settings = ModelSettings(**ctx.run.config.get("model_settings", {}))
    response: ModelResponse | None = None
    ctx.emit(
        "llm.started",
        {"provider": model.provider, "model": model.model},
        step=step,
        span_id=span,
        parent_span_id=f"step-{step}",
    )
    if ctx.run.config.get("stream", True):
        async for item in model.stream(state.messages, tools=specs or None, settings=settings):
            if isinstance(item, TextDelta):
                if item.text:
                    ctx.emit(
                        "llm.token",
                        {"delta": item.text},
                        step=step,
                        span_id=span,
                        parent_span_id=f"step-{step}",
                    )
            else:
                response = item
    else:
        response = await model.complete(state.messages, tools=specs or None, settings=settings)
    assert response is not None
    state.add_usage(response)
    ctx.emit(
        "llm.called",
        {
            "provider": response.provider,
            "model": response.model,
            "usage": response.usage.model_dump(),
            "cost_usd": response.cost_usd,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "finish_reason": response.finish_reason,
            "text": response.text,
            "tool_calls": [c.model_dump() for c in response.tool_calls],
        },
        step=step,
        span_id=span,
        parent_span_id=f"step-{step}",
    )
    return response


async def run_tools(ctx: RunContext, state: AgentState, toolbox: Toolbox) -> str:
    """Run the pending step's tool calls in order; ``"waiting"`` if one needs approval."""
    assert state.pending is not None
    for call in state.pending.calls:
        if call.id in state.pending.results:
            continue
        decision = toolbox.decide(call.name)
        if decision.action == "block":
            ctx.emit(
                "tool.blocked",
                {"tool_call_id": call.id, "name": call.name, "reason": decision.reason},
                step=state.pending.step,
                span_id=call.id,
                parent_span_id=f"step-{state.pending.step}",
            )
            state.record_result(call, f"blocked by tool policy: {decision.reason}", is_error=True)
            continue
        if decision.action == "require_approval":
            verdict = await _approval(ctx, state, toolbox, call, decision.reason)
            if verdict == "waiting":
                return "waiting"
            if verdict is not None:
                state.record_result(call, verdict, is_error=True)
                continue
        if call.name in LOOP_TOOLS and call.name in toolbox.names:  # they start child runs
            if await LOOP_TOOLS[call.name](ctx, state, call, toolbox.names) == "waiting":
                return "waiting"
            continue
        await _execute(ctx, state, toolbox, call)
    return "done"


async def _approval(
    ctx: RunContext, state: AgentState, toolbox: Toolbox, call: Any, reason: str
) -> str | None:
    """None to go ahead, a message if rejected, or "waiting" after parking the run."""
    assert state.pending is not None
    step = state.pending.step
    approval_id = state.pending.approvals.get(call.id)
    if approval_id is None:
        approval_id = new_id("apr")
        state.pending.approvals[call.id] = approval_id
        state.phase = "approval"
        arguments = toolbox.parse_arguments(call.arguments)
        ctx.emit(
            "tool.requires_approval",
            {
                "approval_id": approval_id,
                "tool_call_id": call.id,
                "name": call.name,
                "arguments": arguments,
                "reason": reason,
            },
            step=step,
            span_id=call.id,
            parent_span_id=f"step-{step}",
        )
        statement = insert_approval_statement(
            ctx.run, approval_id, call, arguments, toolbox.risk_of(call.name), reason
        )
        await ctx.writer.commit(
            ctx.handle, checkpoint=(step, state.dump()), status="waiting", usage=state.usage, extra=statement
        )
        return "waiting"
    status, comment = await approval_decision(ctx.db, approval_id)
    if status == "pending":  # requeued without a decision (e.g. lease reclaim): park again
        await ctx.writer.commit(ctx.handle, status="waiting", extra=park_again_statement(ctx.run.id))
        return "waiting"
    payload = {"approval_id": approval_id, "tool_call_id": call.id, "name": call.name, "comment": comment}
    ctx.emit(f"tool.{status}", payload, step=step, span_id=call.id, parent_span_id=f"step-{step}")
    if status == "rejected":
        return f"a human rejected this tool call{': ' + comment if comment else ''}"
    return None


async def _execute(ctx: RunContext, state: AgentState, toolbox: Toolbox, call: Any) -> None:
    assert state.pending is not None
    step = state.pending.step
    idempotent = toolbox.is_idempotent(call.name)
    if not idempotent and call.id in state.pending.started:
        message = (
            "this call was interrupted (the worker stopped) before its result was recorded; it may or may "
            "not have taken effect and was not repeated"
        )
        ctx.emit(
            "tool.result",
            {
                "tool_call_id": call.id,
                "name": call.name,
                "result": message,
                "is_error": True,
                "interrupted": True,
            },
            step=step,
            span_id=call.id,
            parent_span_id=f"step-{step}",
        )
        state.record_result(call, message, is_error=True)
        return
    ctx.emit(
        "tool.called",
        {"tool_call_id": call.id, "name": call.name, "arguments": toolbox.parse_arguments(call.arguments)},
        step=step,
        span_id=call.id,
        parent_span_id=f"step-{step}",
    )
    if not idempotent:
        state.pending.started.append(call.id)
        await ctx.writer.commit(ctx.handle, checkpoint=(step, state.dump()))
    started = time.perf_counter()
    outcome = await toolbox.call(ctx, call, step)
    ctx.emit(
        "tool.result",
        {
            "tool_call_id": call.id,
            "name": call.name,
            "result": outcome.content,
            "is_error": outcome.is_error,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
        step=step,
        span_id=call.id,
        parent_span_id=f"step-{step}",
    )
    state.record_result(call, outcome.content, is_error=outcome.is_error)


async def _complete_step(ctx: RunContext, state: AgentState) -> None:
    """The step's checkpoint goes into the next batch with its events; the run does not
    wait for the commit, since what comes next is a model call, which has no effect to
    order after it (a non-idempotent tool commits its intent first, which waits, and
    batches commit in order). A crash before the commit redoes this step, whose
    `step.completed` was not committed either, so a completed step is still never redone."""
    step = state.end_tools()
    ctx.emit("step.completed", {"step": step}, step=step, span_id=f"step-{step}")
    await ctx.writer.commit(
        ctx.handle, checkpoint=(step, state.dump()), steps=step, usage=dict(state.usage), wait=False
    )


async def finish(ctx: RunContext, state: AgentState, step: int, text: str) -> None:
    state.step = step
    state.phase = "done"
    ctx.emit("step.completed", {"step": step}, step=step, span_id=f"step-{step}")
    ctx.emit("run.completed", {"output": text, "usage": state.usage})
    await ctx.writer.commit(
        ctx.handle,
        checkpoint=(step, state.dump()),
        status="completed",
        output=text,
        steps=step,
        usage=state.usage,
    )


def user_message(run_input: dict[str, Any]) -> Message:
    return Message.user(str(run_input.get("text", "")))
