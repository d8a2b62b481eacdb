"""The agent's checkpointed state, and how it is loaded on start or resume.

``phase``: ``model`` (at a step boundary), ``tools`` (the model answered with tool calls;
some may have run), ``approval`` (parked on a pending approval), ``done``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.llm import Message, MessagesAdapter, ModelResponse, ToolCall
from openintern.runtime.context import RunContext

STATE_VERSION = 1
SESSION_HISTORY_MAX_MESSAGES = 200  # older turns of a long session are left out of the prompt

LATEST_CHECKPOINT = text(
    "SELECT step, state FROM checkpoints WHERE run_id = :run_id ORDER BY step DESC LIMIT 1"
)

# The conversation so far in a session: the final state of its latest completed run.
SESSION_HISTORY = text(
    """
    SELECT c.state FROM runs r JOIN checkpoints c ON c.run_id = r.id
     WHERE r.org_id = :org_id AND r.session_key = :session_key AND r.status = 'completed'
       AND r.id < :run_id AND r.parent_run_id IS NULL
     ORDER BY r.id DESC, c.step DESC LIMIT 1
    """
)


# A run that continues another one's conversation (config ``continues``): that run's
# final state, in the same org.
CONTINUED_RUN = text(
    """
    SELECT c.state FROM runs r JOIN checkpoints c ON c.run_id = r.id
     WHERE r.id = :run_id AND r.org_id = :org_id AND r.status = 'completed'
     ORDER BY c.step DESC LIMIT 1
    """
)


@dataclass
class Pending:
    step: int
    calls: list[ToolCall]
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    approvals: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[int]] = field(default_factory=dict)  # delegate call id → [first index, count]


@dataclass
class AgentState:
    messages: list[Message]
    step: int = 0
    phase: str = "model"
    usage: dict[str, Any] = field(
        default_factory=lambda: {
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "total_tokens": 0,
            "cost_usd": 0.0,
        }
    )
    pending: Pending | None = None

    def add_usage(self, response: ModelResponse) -> None:
        u = response.usage
        self.usage["prompt_tokens"] += u.prompt_tokens
        self.usage["completion_tokens"] += u.completion_tokens
        self.usage["total_tokens"] += u.total_tokens
        self.usage["cost_usd"] = round(self.usage["cost_usd"] + (response.cost_usd or 0.0), 8)

    def begin_tools(self, step: int, response: ModelResponse) -> None:
        self.phase = "tools"
        self.pending = Pending(step, list(response.tool_calls))

    def record_result(self, call: ToolCall, content: str, *, is_error: bool) -> None:
        assert self.pending is not None
        self.pending.results[call.id] = {"content": content, "is_error": is_error}

    def end_tools(self) -> int:
        """Append the tool results (in call order) and close the step."""
        assert self.pending is not None
        for call in self.pending.calls:
            result = self.pending.results[call.id]
            self.messages.append(Message.tool(call.id, result["content"], call.name))
        self.step = self.pending.step
        self.pending = None
        self.phase = "model"
        return self.step

    def dump(self) -> dict[str, Any]:
        pending = None
        if self.pending is not None:
            p = self.pending
            pending = {
                "step": p.step,
                "calls": [c.model_dump() for c in p.calls],
                "results": p.results,
                "started": p.started,
                "approvals": p.approvals,
                "children": p.children,
            }
        return {
            "v": STATE_VERSION,
            "phase": self.phase,
            "step": self.step,
            "usage": dict(self.usage),  # a snapshot: the next step adds to the live dict
            "messages": [m.model_dump(mode="json", exclude_defaults=True) for m in self.messages],
            "pending": pending,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> AgentState:
        p = data.get("pending")
        pending = None
        if p is not None:
            pending = Pending(
                p["step"],
                [ToolCall(**c) for c in p["calls"]],
                p["results"],
                p["started"],
                p["approvals"],
                p.get("children", {}),  # absent in checkpoints written before child runs
            )
        return cls(
            MessagesAdapter.validate_python(data["messages"]),
            data["step"],
            data["phase"],
            data["usage"],
            pending,
        )


async def load_state(ctx: RunContext, default_system_prompt: str, session: AsyncSession) -> AgentState:
    """The latest checkpoint, or a fresh conversation (with the session's history so far).

    A run on its first attempt has no checkpoint (only the worker holding a run writes
    them, and every claim counts an attempt), so it does not look for one."""
    if ctx.run.attempt > 1:
        row = (await session.execute(LATEST_CHECKPOINT, {"run_id": ctx.run.id})).first()
        if row is not None:
            return AgentState.load(row.state)
    history: list[Message] = []
    continues = ctx.run.config.get("continues")
    if continues:  # a later turn of the same agent (a team lead's next round): its conversation
        params = {"org_id": ctx.run.org_id, "run_id": continues}
        prior = (await session.execute(CONTINUED_RUN, params)).first()
        if prior is not None:
            history = [m for m in AgentState.load(prior.state).messages if m.role != "system"]
    elif ctx.run.session_key:
        params = {"org_id": ctx.run.org_id, "run_id": ctx.run.id, "session_key": ctx.run.session_key}
        prior = (await session.execute(SESSION_HISTORY, params)).first()
        if prior is not None:
            history = [m for m in AgentState.load(prior.state).messages if m.role != "system"]
    return fresh_state(ctx, default_system_prompt, history)


def fresh_state(ctx: RunContext, default_system_prompt: str, history: list[Message]) -> AgentState:
    """A new conversation: system prompt, the session's recent turns, the run's input."""
    system = ctx.run.config.get("system_prompt") or default_system_prompt
    history = history[-SESSION_HISTORY_MAX_MESSAGES:]
    return AgentState([Message.system(system), *history, Message.user(str(ctx.run.input.get("text", "")))])
