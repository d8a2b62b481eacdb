"""Runs, events, approvals, providers and tool policies as the API returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from openintern.schemas.base import CoreModel, ProviderKind
from openintern.schemas.events import RunEvent

RunStatus = Literal["pending", "queued", "running", "waiting", "completed", "failed", "cancelled"]
RunKind = Literal["agent", "group", "workflow", "external"]


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float = 0.0


class Run(CoreModel):
    run_id: str = Field(description="The run's id (also as `id`).")
    id: str
    kind: RunKind
    status: RunStatus
    session_key: str | None
    input: str
    output: str | None
    error: str | None
    model: str | None
    agent_id: str
    parent_run_id: str | None
    depth: int = Field(0, description="0 for a top-level run; a child run is its parent's depth + 1.")
    wait_reason: Literal["approval", "children", "input"] | None = Field(
        None, description="While `waiting`: what the run waits for."
    )
    project_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    steps: int
    attempt: int
    cancel_requested: bool
    usage: Usage
    metadata: dict[str, Any]


class RunBatch(BaseModel):
    runs: list[Run] = Field(description="The created runs, in the order they were asked for.")


class EventPage(BaseModel):
    events: list[RunEvent]
    next_cursor: int | None = Field(
        description="Pass as `cursor` for the next page; null when this page was the last."
    )


class SessionRuns(BaseModel):
    items: list[Run]
    total: int
    page: int
    limit: int


class ChatResponse(BaseModel):
    run_id: str
    status: RunStatus
    output: str | None
    error: str | None = None


class Approval(CoreModel):
    id: str
    run_id: str
    project_id: str | None
    tool_name: str
    tool_call_id: str
    arguments: Any
    risk: str
    reason: str
    status: Literal["pending", "approved", "rejected"]
    comment: str | None
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None


class Provider(CoreModel):
    id: str
    name: str
    kind: ProviderKind
    base_url: str | None
    model: str
    has_api_key: bool
    is_default: bool
    created_at: datetime


class ProviderTest(BaseModel):
    ok: bool
    detail: str
    latency_ms: float


class ToolPolicy(CoreModel):
    id: str
    pattern: str
    action: Literal["allow", "block", "require_approval"]
    risk: Literal["low", "medium", "high"] | None
    project_id: str | None
    role_id: str | None
    priority: int
    created_at: datetime


class ToolInfo(BaseModel):
    name: str
    description: str
    risk: Literal["low", "medium", "high"]
    idempotent: bool
    parameters: dict[str, Any]
    default_action: Literal["allow", "block", "require_approval"]
    unavailable: str | None = Field(
        None,
        description="Why this server refuses the tool whatever the policy (e.g. it cannot sandbox "
        "processes, and how an operator fixes that); null when it is usable.",
    )


class Span(BaseModel):
    span_id: str
    parent_span_id: str | None
    kind: Literal["run", "step", "llm", "tool", "child_run"]
    name: str
    status: Literal["ok", "error", "running", "blocked", "waiting"]
    start: datetime
    end: datetime | None
    duration_ms: float | None
    attributes: dict[str, Any] = Field(default_factory=dict)


class Trace(BaseModel):
    run_id: str
    spans: list[Span]
    usage: Usage
