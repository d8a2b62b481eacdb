"""The event log's contract: one model per event type, in one discriminated union.

`RunEvent` is what the events page returns and what each SSE message carries (the
OpenAPI document names it, so the UI's generated types have the same union). The runtime
writes plain dicts on its hot path (no model construction per token); with
``runtime.check_events`` on (the test suite turns it on) the writer validates each event
against :data:`RunEventAdapter` as it is emitted, so writer and contract cannot drift apart.

Adding an event type: a payload model and an event model here (and in `RunEvent`), the
emitter, and the UI case that renders it (web/src/lib/eventReducer.ts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UsagePayload(_Payload):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float | None = None


class RunStarted(_Payload):
    kind: str = Field(description="agent | group | workflow | external")
    attempt: int
    from_step: int | None = Field(None, description="On run.resumed: the last completed step.")


class StepPayload(_Payload):
    step: int


class LlmStartedPayload(_Payload):
    provider: str
    model: str


class TokenPayload(_Payload):
    delta: str = Field(description="Text streamed by the model; consecutive deltas may be merged.")


class LlmCalledPayload(_Payload):
    provider: str
    model: str
    usage: dict[str, int]
    cost_usd: float | None
    duration_ms: float
    finish_reason: str | None
    text: str
    tool_calls: list[dict[str, Any]]


class ToolCalledPayload(_Payload):
    tool_call_id: str
    name: str
    arguments: Any


class ToolResultPayload(_Payload):
    tool_call_id: str
    name: str
    result: str
    is_error: bool
    duration_ms: float | None = None
    interrupted: bool | None = Field(None, description="The worker stopped before the result was recorded.")


class ToolBlockedPayload(_Payload):
    tool_call_id: str
    name: str
    reason: str


class ApprovalRequestedPayload(_Payload):
    approval_id: str
    tool_call_id: str
    name: str
    arguments: Any
    reason: str


class ApprovalDecidedPayload(_Payload):
    approval_id: str
    tool_call_id: str
    name: str
    comment: str | None


class ChildRef(_Payload):
    run_id: str
    kind: str = Field(description="agent | group | workflow | external")
    agent_id: str


class ChildrenStartedPayload(_Payload):
    step: int = Field(description="The parent's step that started them.")
    children: list[ChildRef]


class ChildOutcome(ChildRef):
    status: Literal["completed", "failed", "cancelled"]
    output: str | None = Field(description="The child's answer (the first 2,000 characters).")
    error: str | None
    usage: UsagePayload


class ChildrenCompletedPayload(_Payload):
    step: int
    children: list[ChildOutcome]


class MessagePayload(_Payload):
    """A team's message (`message.task` / `proposal` / `decision`): who, what, in which turn."""

    agent_id: str = Field(description="The member it is from (proposal, decision) or for (task).")
    content: str
    run_id: str | None = Field(None, description="The member turn's child run.")
    round: int = Field(1, description="lead_directed: the round; 1 otherwise.")


class MessageEvidencePayload(_Payload):
    agent_id: str
    content: str = Field(description="What a member's tool found (the first 1,000 characters).")
    run_id: str
    tool: str


class MessageStatusPayload(_Payload):
    agent_id: str
    status: Literal["working", "done", "failed", "cancelled"]
    run_id: str | None = None
    detail: str | None = None


class RunCompletedPayload(_Payload):
    output: str
    usage: UsagePayload


class RunFailedPayload(_Payload):
    error: str


class RunCancelledPayload(_Payload):
    reason: str


class _Event(BaseModel):
    run_id: str
    seq: int = Field(description="Gap-free position in the run's log, from 1.")
    ts: datetime
    agent_id: str
    step: int | None = None
    span_id: str | None = None
    parent_span_id: str | None = None


class RunStartedEvent(_Event):
    type: Literal["run.started"]
    payload: RunStarted


class RunResumedEvent(_Event):
    type: Literal["run.resumed"]
    payload: RunStarted


class StepStartedEvent(_Event):
    type: Literal["step.started"]
    payload: StepPayload


class StepCompletedEvent(_Event):
    type: Literal["step.completed"]
    payload: StepPayload


class LlmStartedEvent(_Event):
    type: Literal["llm.started"]
    payload: LlmStartedPayload


class LlmTokenEvent(_Event):
    type: Literal["llm.token"]
    payload: TokenPayload


class LlmCalledEvent(_Event):
    type: Literal["llm.called"]
    payload: LlmCalledPayload


class ToolCalledEvent(_Event):
    type: Literal["tool.called"]
    payload: ToolCalledPayload


class ToolResultEvent(_Event):
    type: Literal["tool.result"]
    payload: ToolResultPayload


class ToolBlockedEvent(_Event):
    type: Literal["tool.blocked"]
    payload: ToolBlockedPayload


class ToolRequiresApprovalEvent(_Event):
    type: Literal["tool.requires_approval"]
    payload: ApprovalRequestedPayload


class ToolApprovedEvent(_Event):
    type: Literal["tool.approved"]
    payload: ApprovalDecidedPayload


class ToolRejectedEvent(_Event):
    type: Literal["tool.rejected"]
    payload: ApprovalDecidedPayload


class RunChildrenStartedEvent(_Event):
    type: Literal["run.children_started"]
    payload: ChildrenStartedPayload


class RunChildrenCompletedEvent(_Event):
    type: Literal["run.children_completed"]
    payload: ChildrenCompletedPayload


class MessageTaskEvent(_Event):
    type: Literal["message.task"]
    payload: MessagePayload


class MessageProposalEvent(_Event):
    type: Literal["message.proposal"]
    payload: MessagePayload


class MessageDecisionEvent(_Event):
    type: Literal["message.decision"]
    payload: MessagePayload


class MessageEvidenceEvent(_Event):
    type: Literal["message.evidence"]
    payload: MessageEvidencePayload


class MessageStatusEvent(_Event):
    type: Literal["message.status"]
    payload: MessageStatusPayload


class RunCompletedEvent(_Event):
    type: Literal["run.completed"]
    payload: RunCompletedPayload


class RunFailedEvent(_Event):
    type: Literal["run.failed"]
    payload: RunFailedPayload


class RunCancelledEvent(_Event):
    type: Literal["run.cancelled"]
    payload: RunCancelledPayload


RunEvent = Annotated[
    RunStartedEvent
    | RunResumedEvent
    | StepStartedEvent
    | StepCompletedEvent
    | LlmStartedEvent
    | LlmTokenEvent
    | LlmCalledEvent
    | ToolCalledEvent
    | ToolResultEvent
    | ToolBlockedEvent
    | ToolRequiresApprovalEvent
    | ToolApprovedEvent
    | ToolRejectedEvent
    | RunChildrenStartedEvent
    | RunChildrenCompletedEvent
    | MessageTaskEvent
    | MessageProposalEvent
    | MessageDecisionEvent
    | MessageEvidenceEvent
    | MessageStatusEvent
    | RunCompletedEvent
    | RunFailedEvent
    | RunCancelledEvent,
    Field(discriminator="type"),
]
"""Any event of the log; ``RunEventAdapter.validate_python(row)`` gives the right class."""

RunEventAdapter: TypeAdapter[RunEvent] = TypeAdapter(RunEvent)
EVENT_MODELS: tuple[type[_Event], ...] = get_args(get_args(RunEvent)[0])
EVENT_TYPES: frozenset[str] = frozenset(get_args(m.model_fields["type"].annotation)[0] for m in EVENT_MODELS)
"""Every type the union knows, from the union itself (one list, not two)."""
