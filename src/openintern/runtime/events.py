"""The event log: batched, fenced appends (group commit) and reads after a cursor.

A worker process has one :class:`EventWriter`. Executors ``emit`` events into it (each
gets the next gap-free ``seq`` of its run at once) and ``await commit(...)`` at step
boundaries. One flusher task writes everything pending, for every run of the process,
in a single statement and transaction (:data:`APPEND_BATCH_SQL`): while one batch is in
flight the next accumulates, so throughput grows with load instead of paying one
transaction per step, and never one per token. Consecutive ``llm.token`` deltas of a
run that have not been flushed yet are merged into one event.

After the commit the statement's NOTIFY (sent at commit, so only durable events are
announced) carries ``{"r": run_id, "s": first, "e": last, "ev": [...]}`` to every API
process; ``ev`` is left out when too large and readers then read the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson
import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.engine import connect_own, libpq_conninfo
from openintern.db.session import Database, driver_connection
from openintern.errors import OpenInternError
from openintern.runtime.queue import EVENTS_CHANNEL, NOTIFY

log = logging.getLogger(__name__)

TOKEN_FLUSH_DELAY_S = 0.004  # coalesce token deltas for 4 ms: ~250 writes/s per stream at most
NOTIFY_PAYLOAD_MAX = 7_000  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more

# append_batch -- one round trip per batch. `owned` fences: only runs still leased to
# this worker (and running) are touched; their events, checkpoints and status land
# together, and the NOTIFY goes out at commit. The lease is pushed forward only when less
# than half of it is left (the heartbeat renews it otherwise): an UPDATE that leaves every
# indexed column as it was can be HOT, with no new entry in the table's indexes — writing
# the lease on every batch made token batches three times as expensive. Data-modifying
# CTEs run on one snapshot, which is why the status change rides on the same UPDATE as the
# fence.
APPEND_BATCH_SQL = """
    WITH u AS (
        SELECT * FROM jsonb_to_recordset(CAST(%(updates)s AS jsonb))
            AS u(id text, last_seq bigint, status text, output text, error text, steps int, usage jsonb)
    ), owned AS (
        UPDATE runs SET
            last_seq = greatest(runs.last_seq, u.last_seq),
            lease_expires_at = CASE WHEN u.status IS NOT NULL THEN NULL
                                    WHEN runs.lease_expires_at < now() + make_interval(secs => %(lease_s)s / 2)
                                    THEN now() + make_interval(secs => %(lease_s)s)
                                    ELSE runs.lease_expires_at END,
            lease_owner = CASE WHEN u.status IS NULL THEN runs.lease_owner ELSE NULL END,
            status = coalesce(u.status, runs.status),
            output = coalesce(u.output, runs.output),
            error = coalesce(u.error, runs.error),
            steps = coalesce(u.steps, runs.steps),
            usage = coalesce(u.usage, runs.usage),
            finished_at = CASE WHEN u.status IN ('completed', 'failed', 'cancelled') THEN now()
                               ELSE runs.finished_at END
          FROM u
         WHERE runs.id = u.id AND runs.lease_owner = %(owner)s AND runs.status = 'running'
        RETURNING runs.id
    ), events AS (
        INSERT INTO run_events (run_id, seq, org_id, ts, type, agent_id, step, span_id, parent_span_id, payload)
        SELECT e.run_id, e.seq, e.org_id, e.ts, e.type, e.agent_id, e.step, e.span_id, e.parent_span_id, e.payload
          FROM jsonb_to_recordset(CAST(%(events)s AS jsonb))
               AS e(run_id text, seq bigint, org_id text, ts timestamptz, type text, agent_id text, step int,
                    span_id text, parent_span_id text, payload jsonb)
         WHERE e.run_id IN (SELECT id FROM owned)
        ON CONFLICT (run_id, seq) DO NOTHING
        RETURNING 1
    ), checkpoints AS (
        INSERT INTO checkpoints (run_id, step, org_id, state)
        SELECT c.run_id, c.step, c.org_id, c.state
          FROM jsonb_to_recordset(CAST(%(checkpoints)s AS jsonb)) AS c(run_id text, step int, org_id text, state jsonb)
         WHERE c.run_id IN (SELECT id FROM owned)
        ON CONFLICT (run_id, step) DO UPDATE SET state = excluded.state, created_at = now()
        RETURNING 1
    ), notes AS (
        SELECT pg_notify(%(channel)s, n.payload)
          FROM jsonb_to_recordset(CAST(%(notes)s AS jsonb)) AS n(run_id text, payload text)
         WHERE n.run_id IN (SELECT id FROM owned)
    )
    SELECT array(SELECT id FROM owned) AS owned,
           (SELECT count(*) FROM events) AS events,
           (SELECT count(*) FROM checkpoints) AS checkpoints,
           (SELECT count(*) FROM notes) AS notes
    """

READ_EVENTS = """
SELECT seq, type, ts, agent_id, step, span_id, parent_span_id, payload
  FROM run_events WHERE run_id = :run_id AND seq > :after {type_filter}
 ORDER BY seq LIMIT :limit
"""


class EventContractError(OpenInternError):
    """An emitted event does not match the event contract (schemas/events.py)."""


class LeaseLost(OpenInternError):
    """Another worker owns this run now; this one must stop without writing."""

    status_code = 409


@dataclass
class RunHandle:
    """What the writer knows of one run this worker holds."""

    run_id: str
    org_id: str
    agent_id: str
    last_seq: int
    lost: bool = False
    failure: Exception | None = None  # why a batch with this run's writes failed, if one did

    def check(self) -> None:
        """Raise if this worker may no longer write for the run."""
        if self.failure is not None:
            raise self.failure  # as a waiting commit would have seen it
        if self.lost:
            raise LeaseLost(f"run {self.run_id} is owned by another worker now")


@dataclass
class _Update:
    status: str | None = None
    output: str | None = None
    error: str | None = None
    steps: int | None = None
    usage: dict[str, Any] | None = None


@dataclass
class _Batch:
    events: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: dict[str, tuple[int, str, dict[str, Any]]] = field(default_factory=dict)
    updates: dict[str, _Update] = field(default_factory=dict)
    handles: dict[str, RunHandle] = field(default_factory=dict)
    waiters: list[tuple[str, asyncio.Future[None]]] = field(default_factory=list)
    extras: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)
    last: dict[str, dict[str, Any]] = field(default_factory=dict)  # run id → its last pending event
    first_at: float | None = None  # time.monotonic() of the batch's first event


def _now() -> datetime:
    return datetime.now(timezone.utc)


class EventWriter:
    def __init__(
        self,
        db: Database,
        owner: str,
        lease_s: float,
        *,
        statement_timeout_ms: int = 30_000,
        check_events: bool = False,
    ) -> None:
        self.db = db
        self.check_events = check_events
        self.owner = owner
        self.lease_s = lease_s
        self.statement_timeout_ms = statement_timeout_ms
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._batch = _Batch()
        self._wake = asyncio.Event()
        self._urgent = False
        self._task: asyncio.Task[None] | None = None
        self.batches_written = 0

    # --- producing ---

    def emit(
        self,
        handle: RunHandle,
        type_: str,
        payload: dict[str, Any],
        *,
        step: int | None = None,
        span_id: str | None = None,
        parent_span_id: str | None = None,
        agent_id: str | None = None,
    ) -> int:
        """Queue an event; returns its seq. Durable after the next flush."""
        handle.check()
        if type_ == "llm.token" and self._merge_token(handle, payload, span_id):
            return handle.last_seq
        handle.last_seq += 1
        event = {
            "run_id": handle.run_id,
            "seq": handle.last_seq,
            "org_id": handle.org_id,
            "ts": _now(),
            "type": type_,
            "agent_id": agent_id or handle.agent_id,
            "step": step,
            "span_id": span_id,
            "parent_span_id": parent_span_id,
            "payload": payload,
        }
        if self.check_events:
            check_event(event)
        if self._batch.first_at is None:
            self._batch.first_at = time.monotonic()
        self._batch.events.append(event)
        self._batch.last[handle.run_id] = event
        self._batch.handles[handle.run_id] = handle
        self._wake.set()
        return handle.last_seq

    def _merge_token(self, handle: RunHandle, payload: dict[str, Any], span_id: str | None) -> bool:
        """Append to this run's last pending event if it is a token of the same call (O(1))."""
        event = self._batch.last.get(handle.run_id)
        if event is None or event["type"] != "llm.token" or event["span_id"] != span_id:
            return False
        event["payload"] = {**event["payload"], "delta": event["payload"]["delta"] + payload["delta"]}
        return True

    async def commit(
        self,
        handle: RunHandle,
        *,
        checkpoint: tuple[int, dict[str, Any]] | None = None,
        status: str | None = None,
        output: str | None = None,
        error: str | None = None,
        steps: int | None = None,
        usage: dict[str, Any] | None = None,
        extra: tuple[Any, dict[str, Any]] | None = None,
        extras: Sequence[tuple[Any, dict[str, Any]]] = (),
        wait: bool = True,
    ) -> None:
        """Make everything emitted so far for this run durable, with a checkpoint and/or a
        status change, in one transaction. ``extra`` is one more statement (with params)
        run in the same transaction if the run is still ours (e.g. insert an approval);
        ``extras`` more of them, in order (e.g. start child runs).

        ``wait=False`` queues it in the next batch and returns at once: for a step boundary
        whose next action has no side effect to order after it (a model call). If the batch
        fails, the run learns at its next ``emit`` (with the batch's error)."""
        handle.check()
        batch = self._batch
        batch.handles[handle.run_id] = handle
        if checkpoint is not None:
            batch.checkpoints[handle.run_id] = (checkpoint[0], handle.org_id, checkpoint[1])
        if any(v is not None for v in (status, output, error, steps, usage)):
            update = _Update(status, output, error, steps, usage)
            if (earlier := batch.updates.get(handle.run_id)) is not None:  # two commits, one batch
                update = _Update(
                    **{k: getattr(earlier, k) if v is None else v for k, v in vars(update).items()}
                )
            batch.updates[handle.run_id] = update
        for statement, params in ([extra] if extra is not None else []) + list(extras):
            batch.extras.append((handle.run_id, statement, params))
        self._urgent = True
        self._wake.set()
        if not wait:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        batch.waiters.append((handle.run_id, future))
        await future

    # --- the flusher ---

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._flush_once()
        await self._drop_connection()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            if not self._urgent:
                await self._gather()
            await self._flush_once()

    async def _gather(self) -> None:
        """Let token deltas coalesce for up to `TOKEN_FLUSH_DELAY_S` after the batch's first
        event. Counted from that event, not from the wake-up: events that arrived while the
        previous batch was being written have waited already, and under load (bench W3) a
        fixed pause after every write added its full length to every token's trip."""
        if (wait := self.gather_delay()) > 0:
            await asyncio.sleep(wait)

    def gather_delay(self, now: float | None = None) -> float:
        """How long the pending batch may still gather (seconds, ≤ 0: write it now)."""
        first = self._batch.first_at
        if first is None:
            return TOKEN_FLUSH_DELAY_S
        return TOKEN_FLUSH_DELAY_S - ((time.monotonic() if now is None else now) - first)

    async def _flush_once(self) -> None:
        self._wake.clear()
        self._urgent = False
        batch, self._batch = self._batch, _Batch()
        if not batch.handles:
            return
        try:
            owned = await self._write(batch)
        except Exception as exc:
            # The seqs handed out for this batch were never written: stop these runs here.
            # Their leases lapse and they resume on some worker from the last checkpoint,
            # with seqs continuing from the database's last_seq, so the log stays gap-free.
            log.exception("event batch failed (%d events); its runs will be reclaimed", len(batch.events))
            for handle in batch.handles.values():
                handle.lost, handle.failure = True, exc
            for _, fut in batch.waiters:
                if not fut.done():
                    fut.set_exception(exc)
            return
        self.batches_written += 1
        for run_id, handle in batch.handles.items():
            if run_id not in owned:
                handle.lost = True
        for run_id, fut in batch.waiters:
            if fut.done():
                continue
            if run_id in owned:
                fut.set_result(None)
            else:
                fut.set_exception(LeaseLost(f"run {run_id} is owned by another worker now"))

    async def _write(self, batch: _Batch) -> set[str]:
        params = _batch_params(batch, self.owner, self.lease_s)
        if batch.extras:
            return await self._write_with_extras(batch, params)
        # One statement in autocommit is its own transaction: one round trip where a
        # session takes three (BEGIN, the statement, COMMIT). In a busy worker every round
        # trip waits for a turn of the event loop, and token latency (bench W3) is mostly
        # the time from an emit to this commit.
        conn = await self._connection()
        try:
            return await _append(conn, params)
        except BaseException:
            if conn.broken or conn.pgconn.transaction_status != TransactionStatus.IDLE:
                await self._drop_connection()  # lost, or cancelled mid-statement
            raise

    async def _write_with_extras(self, batch: _Batch, params: dict[str, Any]) -> set[str]:
        """A batch with more statements for its transaction (an approval's insert, written
        for SQLAlchemy): the same statement, in a session's transaction with them."""
        async with self.db.system() as session:
            owned = await _append(await driver_connection(session), params)
            for run_id, statement, extra_params in batch.extras:
                if run_id in owned:
                    await session.execute(statement, extra_params)
        return owned

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = await connect_own(
                libpq_conninfo(self.db.url),
                application_name="openintern-event-writer",
                statement_timeout_ms=self.statement_timeout_ms,
            )
        return self._conn

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


async def _append(conn: psycopg.AsyncConnection[Any], params: dict[str, Any]) -> set[str]:
    """Run `APPEND_BATCH_SQL`; the ids of the runs it wrote for (still this worker's)."""
    cur = await conn.execute(APPEND_BATCH_SQL, params)
    row = await cur.fetchone()
    assert row is not None
    return set(row[0])


def check_event(event: dict[str, Any]) -> None:
    """Raise `EventContractError` unless ``event`` (a log row) validates against `RunEvent`."""
    from pydantic import ValidationError

    from openintern.schemas.events import RunEventAdapter

    try:
        RunEventAdapter.validate_python(public_event(event))
    except ValidationError as exc:
        raise EventContractError(f"event {event['type']!r} does not match the event contract: {exc}") from exc


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def public_event(event: dict[str, Any]) -> dict[str, Any]:
    """The API shape of an event (what SSE and the events page send)."""
    ts = event["ts"]
    return {
        "run_id": event["run_id"],
        "seq": event["seq"],
        "type": event["type"],
        # The same text as the JSON API (pydantic writes UTC as "Z"), so SSE and pages agree.
        "ts": ts.isoformat().replace("+00:00", "Z") if isinstance(ts, datetime) else ts,
        "agent_id": event["agent_id"],
        "step": event["step"],
        "span_id": event["span_id"],
        "parent_span_id": event["parent_span_id"],
        "payload": event["payload"],
    }


def _notifications(batch: _Batch) -> tuple[list[str], list[str]]:
    by_run: dict[str, list[dict[str, Any]]] = {}
    for event in batch.events:
        by_run.setdefault(event["run_id"], []).append(event)
    runs, payloads = [], []
    for run_id, events in by_run.items():
        note = {
            "r": run_id,
            "s": events[0]["seq"],
            "e": events[-1]["seq"],
            "ev": [public_event(e) for e in events],
        }
        text_ = _dumps(note)
        if len(text_.encode()) > NOTIFY_PAYLOAD_MAX:
            text_ = _dumps({"r": run_id, "s": events[0]["seq"], "e": events[-1]["seq"]})
        runs.append(run_id)
        payloads.append(text_)
    return runs, payloads


def _batch_params(batch: _Batch, owner: str, lease_s: float) -> dict[str, Any]:
    """Each section travels as one JSON document (one orjson call, decoded by
    jsonb_to_recordset): measured at W1, binding per-column arrays spent ~5 % of the
    process's CPU in psycopg's list dumper."""
    updates = []
    for run_id, handle in batch.handles.items():
        u = batch.updates.get(run_id, _Update())
        updates.append(
            {
                "id": run_id,
                "last_seq": handle.last_seq,
                "status": u.status,
                "output": u.output,
                "error": u.error,
                "steps": u.steps,
                "usage": u.usage,
            }
        )
    checkpoints = [
        {"run_id": r, "step": c[0], "org_id": c[1], "state": c[2]} for r, c in batch.checkpoints.items()
    ]
    notes = [{"run_id": r, "payload": p} for r, p in zip(*_notifications(batch), strict=True)]
    return {
        "channel": EVENTS_CHANNEL,
        "owner": owner,
        "lease_s": lease_s,
        "updates": _dumps(updates),
        "events": _dumps(batch.events),
        "checkpoints": _dumps(checkpoints),
        "notes": _dumps(notes),
    }


async def read_events(
    session: AsyncSession, run_id: str, *, after: int = 0, limit: int = 100, types: list[str] | None = None
) -> list[dict[str, Any]]:
    """Events of one run after ``after``, in seq order (the caller has checked the scope)."""
    type_filter = "AND type = ANY(:types)" if types else ""
    params: dict[str, Any] = {"run_id": run_id, "after": after, "limit": limit}
    if types:
        params["types"] = types
    rows = await session.execute(text(READ_EVENTS.format(type_filter=type_filter)), params)
    return [public_event({"run_id": run_id, **row._mapping}) for row in rows]


# next_seq / insert_one_event -- one event for a run that no worker holds; the caller has
# locked the run row, so the seq taken here cannot race a worker's batch.
NEXT_SEQ = text("UPDATE runs SET last_seq = last_seq + 1 WHERE id = :id RETURNING last_seq")
INSERT_ONE_EVENT = text(
    """
    INSERT INTO run_events (run_id, seq, org_id, ts, type, agent_id, payload)
    VALUES (:run_id, :seq, :org_id, :ts, :type, :agent_id, CAST(:payload AS jsonb))
    """
)


async def append_event_outside_worker(
    session: AsyncSession,
    run_id: str,
    org_id: str,
    type_: str,
    payload: dict[str, Any],
    agent_id: str = "main",
) -> dict[str, Any]:
    """Append one event for a run no worker holds (e.g. cancelling a queued run). The
    caller holds the run row lock, so ``last_seq + 1`` cannot race a worker's writes."""
    seq = await session.scalar(NEXT_SEQ, {"id": run_id})
    event = {
        "run_id": run_id,
        "seq": seq,
        "org_id": org_id,
        "ts": _now(),
        "type": type_,
        "agent_id": agent_id,
        "step": None,
        "span_id": None,
        "parent_span_id": None,
        "payload": payload,
    }
    check_event(event)  # rare (a cancel without a worker), so always checked
    await session.execute(
        INSERT_ONE_EVENT,
        {
            **{k: event[k] for k in ("run_id", "seq", "org_id", "ts", "type", "agent_id")},
            "payload": _dumps(payload),
        },
    )
    note = _dumps({"r": run_id, "s": seq, "e": seq, "ev": [public_event(event)]})
    await session.execute(NOTIFY, {"channel": EVENTS_CHANNEL, "payload": note})
    return public_event(event)
