"""A group run's checkpointed state: the task, the team, what each turn said, what is in flight.

Each member turn is a child run started at a step of the group run (`runtime.children`);
``pending`` names the turns of the step in flight, in spawn order, so a resumed run
collects exactly those children and never starts a finished member again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATE_VERSION = 1


@dataclass(frozen=True)
class Member:
    agent_id: str
    role_id: str
    lead: bool
    config: dict[str, Any]

    @classmethod
    def load(cls, data: dict[str, Any]) -> Member:
        return cls(data["agent_id"], data["role_id"], bool(data["lead"]), dict(data["config"]))


@dataclass
class Turn:
    """One member's turn: what it was asked, and (once collected) what it answered."""

    agent_id: str
    task: str
    lead: bool = False
    round: int = 1
    final: bool = False  # lead_directed: the last round, where the lead must decide
    run_id: str | None = None
    status: str | None = None  # completed | failed | cancelled, once collected
    output: str | None = None
    error: str | None = None
    assignments: list[dict[str, str]] = field(default_factory=list)  # lead_directed: the lead's


@dataclass
class GroupState:
    task: str
    step: int = 0
    round: int = 1
    turns: list[Turn] = field(default_factory=list)  # collected, in order
    pending: list[Turn] = field(default_factory=list)  # the step in flight
    decision: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    previous: str | None = None  # the session's last decision, when the run continues one

    def contributions(self) -> list[Turn]:
        return [t for t in self.turns if not t.lead and t.status == "completed"]

    def dump(self) -> dict[str, Any]:
        return {"v": STATE_VERSION, **asdict(self)}

    @classmethod
    def load(cls, data: dict[str, Any]) -> GroupState:
        return cls(
            task=data["task"],
            step=data["step"],
            round=data["round"],
            turns=[Turn(**t) for t in data["turns"]],
            pending=[Turn(**t) for t in data["pending"]],
            decision=data.get("decision"),
            usage=dict(data.get("usage") or {}),
            previous=data.get("previous"),
        )
