"""Live event streams for API processes: one LISTEN connection fans out to subscribers.

The log is the source of truth. A subscriber registers *before* it reads the log after
its cursor, then takes live batches from the NOTIFY payloads; whenever a batch does not
continue exactly where it is (a payload without events, a dropped batch, an overflow),
it reads the log again. So a client never sees an event twice, never skips one, and
never sees one that is not committed — whichever process wrote it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import psycopg
from sqlalchemy import text

from openintern.db.engine import libpq_conninfo
from openintern.db.session import Database
from openintern.runtime.events import read_events
from openintern.runtime.lifecycle import TERMINAL
from openintern.runtime.queue import EVENTS_CHANNEL

log = logging.getLogger(__name__)

TERMINAL_EVENTS = frozenset({"run.completed", "run.failed", "run.cancelled"})
SUBSCRIBER_BACKLOG = 256  # batches; on overflow the backlog is dropped and the reader re-reads the log
KEEPALIVE_S = 15.0  # an SSE comment this often keeps proxies from closing idle streams
CATCH_UP_PAGE = 500
_GAP: list[dict[str, Any]] = []  # sentinel: "read the log"


@dataclass(eq=False)
class Subscription:
    run_id: str
    queue: asyncio.Queue[list[dict[str, Any]]] = field(
        default_factory=lambda: asyncio.Queue(SUBSCRIBER_BACKLOG)
    )

    def offer(self, batch: list[dict[str, Any]]) -> None:
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_GAP)


class EventHub:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._subs: dict[str, set[Subscription]] = {}
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="event-hub-listen")

    async def ready(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def subscribe(self, run_id: str) -> Subscription:
        sub = Subscription(run_id)
        self._subs.setdefault(run_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.run_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.run_id]

    async def _listen(self) -> None:
        conninfo = libpq_conninfo(self.db.url)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    self._connected.set()
                    self._gap_all()  # anything committed while we were not listening
                    async for note in conn.notifies():
                        self._dispatch(note.payload)
            except psycopg.OperationalError as exc:
                self._connected.clear()
                log.warning("event hub LISTEN connection lost (%s); reconnecting", exc)
                await asyncio.sleep(1.0)

    def _gap_all(self) -> None:
        for subs in self._subs.values():
            for sub in subs:
                sub.offer(_GAP)

    def _dispatch(self, payload: str) -> None:
        note = orjson.loads(payload)
        subs = self._subs.get(note["r"])
        if not subs:
            return
        batch = note.get("ev") or _GAP
        for sub in subs:
            sub.offer(batch)


async def follow(
    db: Database, hub: EventHub, org_id: str, run_id: str, after: int, *, keepalive_s: float = KEEPALIVE_S
) -> AsyncIterator[dict[str, Any] | None]:
    """Events after ``after`` until the run's terminal event; ``None`` means "send a keep-alive".

    A run that had already finished when the stream opened ends the stream after the
    catch-up read, whether or not that read found the terminal event: a cursor at or past
    it (a reconnect after the end, a made-up ``Last-Event-ID``) gets nothing more and must
    not wait for an event that will never come. The status is read *before* the log, so a
    finished status means the terminal event (committed with it) is in what the read sees.
    """
    sub = hub.subscribe(run_id)
    try:
        finished = await _finished(db, org_id, run_id)
        done, cursor = finished, after
        async for event in _read_log(db, org_id, run_id, cursor):
            cursor = event["seq"]
            done = done or event["type"] in TERMINAL_EVENTS
            yield event
        while not done:
            batch = await _next_batch(sub, keepalive_s)
            if batch is None:
                yield None
                continue
            if batch is _GAP or batch[0]["seq"] > cursor + 1:
                source: AsyncIterator[dict[str, Any]] = _read_log(db, org_id, run_id, cursor)
            else:
                source = _aiter([e for e in batch if e["seq"] > cursor])
            async for event in source:
                cursor = event["seq"]
                done = done or event["type"] in TERMINAL_EVENTS
                yield event
    finally:
        hub.unsubscribe(sub)


# Whether the run has reached a terminal status (one primary-key read; the caller has
# checked the scope, and RLS scopes the read to the org).
RUN_STATUS = text("SELECT status FROM runs WHERE id = :id")


async def _finished(db: Database, org_id: str, run_id: str) -> bool:
    async with db.tenant(org_id) as session:
        status = await session.scalar(RUN_STATUS, {"id": run_id})
    return status in TERMINAL


async def _next_batch(sub: Subscription, timeout_s: float) -> list[dict[str, Any]] | None:
    """The subscription's next batch, or None after ``timeout_s`` without one. A stream
    takes one per event at token rate, so this avoids `asyncio.wait_for` (a task per call
    before Python 3.12) where it can."""
    if not sub.queue.empty():
        return sub.queue.get_nowait()
    try:
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(timeout_s):
                return await sub.queue.get()
        return await asyncio.wait_for(sub.queue.get(), timeout=timeout_s)
    except asyncio.TimeoutError:
        return None


async def _read_log(db: Database, org_id: str, run_id: str, after: int) -> AsyncIterator[dict[str, Any]]:
    while True:
        async with db.tenant(org_id) as session:
            page = await read_events(session, run_id, after=after, limit=CATCH_UP_PAGE)
        for event in page:
            after = event["seq"]
            yield event
        if len(page) < CATCH_UP_PAGE:
            return


async def _aiter(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item
