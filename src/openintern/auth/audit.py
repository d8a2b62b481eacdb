"""The audit log of mutating requests: who, scope, method, path, status, request id, latency.

Entries are queued by the API middleware and written in batches by :class:`AuditWriter`,
so recording never adds a round trip to the request it records.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import AuditEntry
from openintern.db.session import Database

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.05
MAX_BACKLOG = 10_000  # beyond this, entries are logged and dropped rather than grow memory


@dataclass(frozen=True)
class AuditRecord:
    org_id: str
    project_id: str | None
    user_id: str | None
    api_key_id: str | None
    method: str
    path: str
    status: int
    request_id: str
    latency_ms: float
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. a failed login's username and address


class AuditWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: asyncio.Queue[AuditRecord] = asyncio.Queue(MAX_BACKLOG)
        self._task: asyncio.Task[None] | None = None

    def record(self, entry: AuditRecord) -> None:
        try:
            self.queue.put_nowait(entry)
        except asyncio.QueueFull:
            log.error("audit backlog full; dropping %s", entry)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            await asyncio.sleep(FLUSH_INTERVAL_S)
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[AuditRecord]) -> None:
        try:
            async with self.db.system() as session:
                await session.execute(insert(AuditEntry), [asdict(e) for e in batch])
        except Exception:
            log.exception("could not write %d audit entries", len(batch))

    async def flush(self) -> None:
        batch = []
        while not self.queue.empty():
            batch.append(self.queue.get_nowait())
        if batch:
            await self._write(batch)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()


async def list_audit(session: AsyncSession, scope: Scope, limit: int, cursor: int | None) -> list[AuditEntry]:
    scope.require("admin", "read the audit log")
    query = select(AuditEntry).where(AuditEntry.org_id == scope.org_id)
    if cursor is not None:
        query = query.where(AuditEntry.id < cursor)
    return list((await session.execute(query.order_by(AuditEntry.id.desc()).limit(limit))).scalars())
