"""The worker: claims runs from the queue and executes many at once on asyncio.

Side tasks, each named and watched (the worker stops if one dies): the event writer,
the LISTEN loop (wake-ups and cancellations), the claimer and the heartbeat. A run
waiting on an LLM holds neither a thread nor a database connection, so one process
runs hundreds of runs concurrently (``runtime.worker_concurrency``).

A database outage pauses the side tasks, not the runs: each connection error is counted
by the writer's :class:`~openintern.runtime.outage.Outage` (one log line per 10 s) and
answered with its back-off; the claimer claims again only when the database answers, and
renews this worker's leases before it does (an outage longer than a lease would otherwise
let it claim its own runs again).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import uuid
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.config import Settings
from openintern.db.engine import libpq_conninfo
from openintern.db.session import Database
from openintern.runtime import queue
from openintern.runtime.context import ClaimedRun, RunContext
from openintern.runtime.events import EventWriter, RunHandle
from openintern.runtime.execution import execute_run
from openintern.runtime.kinds import KindRegistry
from openintern.runtime.outage import is_connection_error

log = logging.getLogger(__name__)

CLAIM_BATCH = 100  # per round trip: W2 (1,000 runs at once) 2.7 s with 50, 2.2 s with 100; 200 no better
CLAIM_RETRY_S = 1.0  # after a claim that failed for another reason than a lost database
SHUTDOWN_GRACE_S = 10.0  # running runs get this long to reach a step boundary on stop


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        kinds: KindRegistry,
        *,
        concurrency: int | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.kinds = kinds
        self.concurrency = concurrency or settings.runtime.worker_concurrency
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.writer = EventWriter(
            db,
            self.id,
            settings.runtime.lease_s,
            statement_timeout_ms=settings.database.statement_timeout_ms,
            check_events=settings.runtime.check_events,
        )
        # A lapsed lease sends no NOTIFY: polling at a quarter of the lease keeps a dead
        # worker's runs waiting at most lease_s * 1.25 (12.5 s by default), not lease + poll.
        self.poll_s = min(settings.runtime.poll_s, settings.runtime.lease_s / 4)
        self.running: dict[str, tuple[asyncio.Task[None], RunContext]] = {}
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._side: list[asyncio.Task[None]] = []

    # --- lifecycle ---

    async def start(self) -> None:
        self.writer.start()
        self._side = [
            asyncio.create_task(self._listen(), name=f"worker-listen-{self.id}"),
            asyncio.create_task(self._claim_loop(), name=f"worker-claim-{self.id}"),
            asyncio.create_task(self._heartbeat(), name=f"worker-heartbeat-{self.id}"),
        ]
        for task in self._side:
            task.add_done_callback(self._side_task_done)
        self._wake.set()
        log.info(
            "worker %s started (concurrency %d, kinds %s)",
            self.id,
            self.concurrency,
            ", ".join(self.kinds.names()),
        )

    def _side_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self._stopping.is_set():
            return
        log.error("worker side task %s died: %r; stopping the worker", task.get_name(), task.exception())
        self._stopping.set()

    async def stop(self, grace_s: float = SHUTDOWN_GRACE_S) -> None:
        self._stopping.set()
        for task in self._side:
            task.cancel()
        interrupted: list[str] = []
        tasks = {t: run_id for run_id, (t, _) in self.running.items()}
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                run_id = tasks[task]
                interrupted.append(run_id)
                self.running[run_id][1].cancel_reason = "shutdown"
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
        await self.writer.stop()  # flush what the interrupted runs emitted, still under our lease
        # Hand the interrupted runs back now rather than after their lease expires.
        await self._release(interrupted + list(self.running))
        log.info("worker %s stopped", self.id)

    async def _release(self, run_ids: list[str]) -> None:
        if not run_ids:
            return
        async with self.db.system() as session:
            await session.execute(queue.RELEASE, {"ids": run_ids, "owner": self.id})
            await session.execute(queue.NOTIFY, {"channel": queue.WAKE_CHANNEL, "payload": ""})

    # --- claiming ---

    async def _claim_loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)
            self._wake.clear()
            while not self._stopping.is_set():
                free = self.concurrency - len(self.running)
                if free <= 0:
                    break
                want = min(free, CLAIM_BATCH)
                try:
                    if self.writer.outage.down:
                        await self._heartbeat_once()  # keep our own runs before claiming any
                    claimed = await self.claim(want)
                except (DBAPIError, OSError) as exc:  # the database restarts, a connection dies
                    if is_connection_error(exc):
                        delay = self.writer.outage.record(exc)
                    else:
                        delay = CLAIM_RETRY_S
                        log.warning("claiming runs failed (%s); retrying in %.0f s", exc, delay)
                    await asyncio.sleep(delay)
                    self._wake.set()
                    break
                self.writer.outage.recovered()
                if len(claimed) < want:
                    break

    async def claim(self, n: int) -> list[ClaimedRun]:
        async with self.db.system() as session:
            rows = (
                await session.execute(
                    queue.CLAIM, {"n": n, "owner": self.id, "lease_s": self.settings.runtime.lease_s}
                )
            ).mappings()
            claimed = [ClaimedRun(**dict(r)) for r in rows]
            prefetched = await self._prefetch(session, claimed)
        for run in claimed:
            self._spawn(run, prefetched.get(run.id))
        return claimed

    async def _prefetch(self, session: AsyncSession, claimed: list[ClaimedRun]) -> dict[str, Any]:
        """Each kind's start-up reads for the whole batch, in the claim's transaction."""
        out: dict[str, Any] = {}
        by_kind: dict[str, list[ClaimedRun]] = {}
        for run in claimed:
            by_kind.setdefault(run.kind, []).append(run)
        for kind, runs in by_kind.items():
            if (plugin := self.kinds.get(kind)) is not None:
                out.update(await plugin.prefetch(session, runs))
        return out

    def _spawn(self, run: ClaimedRun, prefetched: Any = None) -> None:
        if (stale := self.running.get(run.id)) is not None:
            # Our own run, its lease lapsed (a stalled loop, an outage) and we claimed it
            # again: the old task's unwritten seqs are void; the new one goes on from the log.
            log.warning("run %s: claimed again by its own worker; restarting it from the log", run.id)
            stale[1].handle.lost = True
            self.cancel_local(run.id, "lost")
            self.writer.forget(run.id)
        handle = RunHandle(run.id, run.org_id, run.agent_id, run.last_seq)
        ctx = RunContext(run, handle, self.writer, self.db, self.settings)
        ctx.prefetched = prefetched
        if run.cancel_requested:
            ctx.cancel_reason = "user"
        task = asyncio.create_task(execute_run(ctx, self.kinds), name=f"run-{run.id}")
        self.running[run.id] = (task, ctx)
        task.add_done_callback(functools.partial(self._finished_task, run.id))

    def _finished_task(self, run_id: str, task: asyncio.Task[None]) -> None:
        entry = self.running.get(run_id)
        if entry is not None and entry[0] is not task:
            return  # a stale task of a run claimed again: the new one is running
        self._finished(run_id)

    def _finished(self, run_id: str) -> None:
        self.running.pop(run_id, None)
        self._wake.set()

    # --- cancellation and leases ---

    def cancel_local(self, run_id: str, reason: str = "user") -> bool:
        entry = self.running.get(run_id)
        if entry is None:
            return False
        task, ctx = entry
        if ctx.cancel_reason is None:
            ctx.cancel_reason = reason
            task.cancel()
        return True

    async def _heartbeat(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(self.settings.runtime.heartbeat_s)
            try:
                await self._heartbeat_once()
            except (DBAPIError, OSError) as exc:  # transient: the next beat renews in time
                if is_connection_error(exc):
                    self.writer.outage.record(exc)
                else:
                    log.warning("heartbeat failed (%s); retrying at the next beat", exc)

    async def _heartbeat_once(self) -> None:
        """Renew our leases; stop runs we lost, cancel runs whose cancel was requested."""
        ids = list(self.running)
        if not ids:
            return
        async with self.db.system() as session:
            rows = (
                await session.execute(
                    queue.RENEW, {"ids": ids, "owner": self.id, "lease_s": self.settings.runtime.lease_s}
                )
            ).all()
        for row in rows:
            if row.id not in self.running:
                continue  # finished meanwhile
            if row.lost:
                log.warning("lost the lease on run %s; stopping it here", row.id)
                self.running[row.id][1].handle.lost = True
                self.cancel_local(row.id, "lost")
            elif row.cancel_requested:
                self.cancel_local(row.id, "user")

    async def _listen(self) -> None:
        conninfo = libpq_conninfo(self.db.url)
        while not self._stopping.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {queue.WAKE_CHANNEL}")
                    await conn.execute(f"LISTEN {queue.CANCEL_CHANNEL}")
                    self._wake.set()  # anything queued while we were not listening
                    async for note in conn.notifies():
                        if note.channel == queue.WAKE_CHANNEL:
                            self._wake.set()
                        elif note.channel == queue.CANCEL_CHANNEL:
                            self.cancel_local(note.payload, "user")
            except (psycopg.OperationalError, psycopg.InterfaceError, OSError) as exc:
                # Lost with the database: counted, and retried with the outage's back-off.
                await asyncio.sleep(self.writer.outage.record(exc))
