"""What a kind's executor gets for one claimed run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openintern.config import Settings
from openintern.db.session import Database
from openintern.runtime.events import EventWriter, RunHandle


@dataclass
class ClaimedRun:
    id: str
    org_id: str
    project_id: str | None
    user_id: str | None
    kind: str
    session_key: str | None
    parent_run_id: str | None
    agent_id: str
    input: dict[str, Any]
    config: dict[str, Any]
    attempt: int
    last_seq: int
    steps: int
    usage: dict[str, Any]
    cancel_requested: bool
    depth: int = 0
    parked_attempts: int = 0  # the attempts that ended by parking (waiting): not failures


@dataclass
class RunContext:
    """The engine's side of one run: its row as claimed, the event writer (emit, commit),
    the database and settings. What a kind needs beyond this (models, tools, memory) the
    kind holds itself, typed, from the composition root."""

    run: ClaimedRun
    handle: RunHandle
    writer: EventWriter
    db: Database
    settings: Settings
    cancel_reason: str | None = None  # "user" when a cancel was requested; "shutdown" / "lost" otherwise
    prefetched: Any = None  # what the kind's prefetch read for this run at claim time

    def emit(self, type_: str, payload: dict[str, Any], **kw: Any) -> int:
        return self.writer.emit(self.handle, type_, payload, **kw)
