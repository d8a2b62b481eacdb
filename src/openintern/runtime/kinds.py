"""The run-kind registry: one executor per kind (agent, group, workflow, external).

The runtime knows no group/workflow/external details; those packages register here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openintern.runtime.context import ClaimedRun, RunContext

Executor = Callable[[RunContext], Awaitable[None]]
Prefetch = Callable[[AsyncSession, list[ClaimedRun]], Awaitable[dict[str, Any]]]
"""Reads for a claim batch of the kind's runs, in the claim's transaction: run id → what
the executor finds in ``ctx.prefetched`` (it reads for itself when that is None)."""

_EXECUTORS: dict[str, Executor] = {}
_PREFETCH: dict[str, Prefetch] = {}


def register(kind: str, executor: Executor, prefetch: Prefetch | None = None) -> None:
    _EXECUTORS[kind] = executor
    if prefetch is not None:
        _PREFETCH[kind] = prefetch


def executor_for(kind: str) -> Executor | None:
    return _EXECUTORS.get(kind)


def prefetch_for(kind: str) -> Prefetch | None:
    return _PREFETCH.get(kind)


def kinds() -> list[str]:
    return sorted(_EXECUTORS)
