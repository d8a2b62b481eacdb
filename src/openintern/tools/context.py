"""What a tool call receives (`ToolContext`) and what it hands back (`ToolOutcome`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from openintern.errors import ToolFailed

Risk = Literal["low", "medium", "high"]
"""How much harm a wrong call can do; the ToolPolicy defaults key off it."""


@dataclass(frozen=True)
class ToolContext:
    """Who is calling and where, injected as a tool function's first parameter.

    The runtime builds one per run and `dataclasses.replace`s `step` and `tool_call_id`
    per call. `services` carries what the runtime lends to tools (e.g. ``events_reader``)
    so that `tools` never imports `runtime`.
    """

    org_id: str
    project_id: str | None
    user_id: str | None
    run_id: str
    agent_id: str | None
    workspace: Path
    services: Mapping[str, Any] = field(default_factory=dict)
    step: int = 0
    tool_call_id: str | None = None

    def service(self, name: str) -> Any:
        """The service the runtime registered under `name`, or `ToolFailed` saying it is missing."""
        try:
            return self.services[name]
        except KeyError:
            raise ToolFailed(f"this runtime provides no {name!r} service to tools") from None


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
