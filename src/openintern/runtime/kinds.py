"""Run kinds as plug-ins: the engine runs a run by handing it to its kind.

A kind (agent, group, workflow, external, or one of a plug-in's) is an object that
implements :class:`RunKind`. The composition root (`openintern.container`) builds the
built-in kinds with the typed services each needs, adds any that installed packages
declare under the ``openintern.kinds`` entry-point group, and gives the worker a
:class:`KindRegistry`. The engine imports no kind, and kinds never import each other: a
kind that needs another kind's work starts a child run of it (`runtime.children`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from openintern.runtime.context import ClaimedRun, RunContext

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "openintern.kinds"
"""Installed packages add kinds here: ``name = "pkg.module:factory"``, where
``factory(services) -> RunKind`` gets the platform's `openintern.container.Services`."""


class RunKind:
    """One kind of run. Subclasses set `name` and implement `execute`.

    `execute` runs (or resumes, ``ctx.run.attempt > 1``) one claimed run until it ends
    (it commits a terminal status through ``ctx.writer``) or parks (``waiting``). It
    raises ``asyncio.CancelledError`` through when cancelled; the engine records the
    ending every kind shares (cancelled, failed, lease lost).
    """

    name: ClassVar[str]

    async def execute(self, ctx: RunContext) -> None:
        raise NotImplementedError

    async def prefetch(self, session: AsyncSession, runs: list[ClaimedRun]) -> dict[str, Any]:
        """Reads for a claim batch of this kind's runs, in the claim's transaction: run id
        → what ``execute`` finds in ``ctx.prefetched`` (it reads for itself on None)."""
        return {}


class KindRegistry:
    """The kinds one process runs, by name."""

    def __init__(self, kinds: Iterable[RunKind] = ()) -> None:
        self._kinds: dict[str, RunKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: RunKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"run kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> RunKind | None:
        return self._kinds.get(name)

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def __contains__(self, name: object) -> bool:
        return name in self._kinds


def plugin_kinds(services: Any, *, skip: Iterable[str] = ()) -> list[RunKind]:
    """The kinds installed packages declare (``openintern.kinds`` entry points), built
    with ``services``. A plug-in that fails to load is logged and left out: one broken
    package must not stop the platform's own kinds."""
    found: list[RunKind] = []
    skipped = set(skip)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in skipped:
            continue
        try:
            kind = point.load()(services)
        except Exception:
            log.exception("run kind plug-in %r (%s) failed to load; left out", point.name, point.value)
            continue
        found.append(kind)
    return found
