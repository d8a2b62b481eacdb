"""The run lifecycle, in one table.

    pending → queued → running ⇄ waiting → completed | failed | cancelled

Every status change goes through :func:`check`; an illegal move raises
``InvalidTransition``. The special cases are named rules, each with its reason.
"""

from __future__ import annotations

from typing import Literal

from openintern.errors import InvalidTransition

Status = Literal["pending", "queued", "running", "waiting", "completed", "failed", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
ACTIVE: frozenset[str] = frozenset({"pending", "queued", "running", "waiting"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"queued", "cancelled", "failed"}),
    "queued": frozenset({"running", "cancelled", "failed"}),
    "running": frozenset({"waiting", "completed", "failed", "cancelled", "queued"}),
    "waiting": frozenset({"queued", "running", "cancelled", "failed"}),
    "completed": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}

RULES = {
    ("running", "queued"): "Lease lost or worker shutting down: the run goes back to the queue and "
    "resumes from its last checkpoint on any worker (attempt + 1).",
    ("waiting", "queued"): "A decided approval (or human input) requeues the run so that any worker, "
    "in any process, resumes it; nothing waits in memory, so it survives restarts.",
    ("waiting", "cancelled"): "A paused run can be cancelled without a worker: nobody holds its lease.",
}


def check(current: str, new: str, run_id: str = "") -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            f"run {run_id} cannot go from {current} to {new}".replace("run  ", "run "),
            current=current,
            target=new,
        )


def is_terminal(status: str) -> bool:
    return status in TERMINAL
