"""The run-kind registry: one executor per kind (agent, group, workflow, external).

The runtime knows no group/workflow/external details; those packages register here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from openintern.runtime.context import RunContext

Executor = Callable[[RunContext], Awaitable[None]]

_EXECUTORS: dict[str, Executor] = {}


def register(kind: str, executor: Executor) -> None:
    _EXECUTORS[kind] = executor


def executor_for(kind: str) -> Executor | None:
    return _EXECUTORS.get(kind)


def kinds() -> list[str]:
    return sorted(_EXECUTORS)
