"""What a tool call receives (`ToolContext`) and what it hands back (`ToolOutcome`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from openintern.config import SandboxSettings
from openintern.errors import ToolFailed

if TYPE_CHECKING:
    from openintern.memory import MemoryService

Risk = Literal["low", "medium", "high"]
"""How much harm a wrong call can do; the ToolPolicy defaults key off it."""


EventsReader = Callable[[str, str], Awaitable[list[dict[str, Any]]]]
"""``await reader(org_id, run_id)`` → the run's events in order (empty when unknown)."""


@dataclass(frozen=True)
class ToolServices:
    """What the platform lends to tools, typed (so `tools` never imports the engine).

    None where this process provides no such service; the tool that needs it then fails
    with a message saying so instead of an attribute error."""

    memory: MemoryService | None = None
    events_reader: EventsReader | None = None
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ToolContext:
    """Who is calling and where, injected as a tool function's first parameter.

    The runtime builds one per run and `dataclasses.replace`s `step` and `tool_call_id`
    per call. `services` carries what the platform lends to tools (`ToolServices`).
    """

    org_id: str
    project_id: str | None
    user_id: str | None
    run_id: str
    agent_id: str | None
    workspace: Path
    services: ToolServices = field(default_factory=ToolServices)
    step: int = 0
    tool_call_id: str | None = None
    group_id: str | None = None  # a member of a group run: its group (the blackboard tools act there)
    team: tuple[str, ...] = ()  # a group run's lead: the members it may assign work to

    def memory(self) -> MemoryService:
        """The memory service, or `ToolFailed` saying this process has none."""
        if self.services.memory is None:
            raise ToolFailed("this runtime provides no 'memory' service to tools")
        return self.services.memory

    def events_reader(self) -> EventsReader:
        """The event-log reader, or `ToolFailed` saying this process has none."""
        if self.services.events_reader is None:
            raise ToolFailed("this runtime provides no 'events_reader' service to tools")
        return self.services.events_reader


@dataclass(frozen=True)
class ToolOutcome:
    """The result of one tool call as the model will see it.

    `content` is the text sent back to the model (bounded); `data` is the structured
    value for events and callers (not truncated); `is_error` marks outcomes the model
    should treat as a failure it may correct.
    """

    content: str
    is_error: bool = False
    data: Any = None
