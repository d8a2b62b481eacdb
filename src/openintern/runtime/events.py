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

One run never fails another's writes (issue 15):

* Text PostgreSQL cannot store (NUL, lone surrogates) is made storable
  (``schemas.text.storable``) as the batch is serialised; a batch without any costs one
  scan of its JSON for the escape ``\\u0000``.
* A batch the database refuses for its data (not for a lost connection) is written again
  apart, halving the set of runs until the runs it cannot write are alone. Each of those is
  *rejected*: its unwritten events are dropped, its ``last_seq`` goes back to what the
  database holds (so its next event takes the next seq: no gap), and the run learns once,
  as :class:`RunDataRejected`, and fails with that reason.
* A lost connection fails nobody: the batch goes back in front of the pending one and the
  flusher backs off (``runtime.outage``) until the database answers again.
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
from openintern.runtime.outage import Outage, describe, is_connection_error
from openintern.runtime.queue import EVENTS_CHANNEL, NOTIFY
from openintern.schemas.text import storable, storable_text

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
                               ELSE runs.finished_at END,
            parked_attempts = CASE WHEN u.status = 'waiting' THEN runs.attempt ELSE runs.parked_attempts END
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


class RunDataRejected(OpenInternError):
    """This run's events could not be stored (refused by the serialiser or the database);
    they were not written and the run fails."""


@dataclass
class RunHandle:
    """What the writer knows of one run this worker holds."""

    run_id: str
    org_id: str
    agent_id: str
    last_seq: int
    lost: bool = False
    rejected: RunDataRejected | None = None  # the database refused its writes; raised once

    def check(self) -> None:
        """Raise if this worker may no longer write for the run. A rejection is raised once
        (then the run may write its failure)."""
        if self.rejected is not None:
            exc, self.rejected = self.rejected, None
            raise exc
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
        self.outage = Outage()  # shared with the worker's claimer and heartbeat

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
                update = _later(earlier, update)
            batch.updates[handle.run_id] = update
        for statement, params in ([extra] if extra is not None else []) + list(extras):
            batch.extras.append((handle.run_id, statement, params))
        self._urgent = True
        self._wake.set()
        if not wait:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        batch.waiters.append((handle.run_id, future))
        try:
            await future
        except RunDataRejected:
            handle.rejected = None  # learnt here: the run may write its failure now
            raise

    # --- the flusher ---

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._flush_once(retry=False)  # what cannot be written now resumes from the log
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

    async def _flush_once(self, *, retry: bool = True) -> None:
        self._wake.clear()
        self._urgent = False
        batch, self._batch = self._batch, _Batch()
        if not batch.handles:
            return
        try:
            owned = await self._write(batch)
        except Exception as exc:
            if is_connection_error(exc):
                await self._requeue(batch, exc, retry=retry)
            else:
                await self._write_apart(batch, exc, retry=retry)
            return
        self.outage.recovered()
        self._settle(batch, owned)

    def _settle(self, batch: _Batch, owned: set[str]) -> None:
        """A written batch: wake its waiters; runs it was fenced out of are lost."""
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

    async def _requeue(self, batch: _Batch, exc: BaseException, *, retry: bool) -> None:
        """The database is unreachable: nobody's fault. Put the batch back in front of the
        pending one (its waiters keep waiting) and back off before the next try."""
        await self._drop_connection()
        pending, self._batch = self._batch, batch
        _merge_into(batch, pending)
        delay = self.outage.record(exc)
        if retry:
            await asyncio.sleep(delay)
            self._urgent = True
            self._wake.set()

    async def _write_apart(self, batch: _Batch, exc: Exception, *, retry: bool) -> None:
        """The database refused the batch for its data: write it again in halves, down to
        the runs it cannot write, which are rejected one by one (O(k log n) statements for
        k bad runs among n)."""
        log.warning(
            "event batch of %d run(s) refused (%s); writing its runs apart", len(batch.handles), describe(exc)
        )
        settled: set[str] = set()
        try:
            await self._bisect(batch, list(batch.handles), exc, settled)
        except Exception as lost:  # only connection errors leave _bisect
            rest = _subset(batch, [r for r in batch.handles if r not in settled])
            await self._requeue(rest, lost, retry=retry)

    async def _bisect(self, batch: _Batch, run_ids: list[str], exc: Exception, settled: set[str]) -> None:
        if len(run_ids) == 1:
            self._reject(batch, run_ids[0], exc)
            settled.add(run_ids[0])
            return
        mid = len(run_ids) // 2
        for half in (run_ids[:mid], run_ids[mid:]):
            sub = _subset(batch, half)
            try:
                owned = await self._write(sub)
            except Exception as sub_exc:
                if is_connection_error(sub_exc):
                    raise
                await self._bisect(batch, half, sub_exc, settled)
                continue
            self._settle(sub, owned)
            settled.update(half)

    def _reject(self, batch: _Batch, run_id: str, exc: Exception) -> None:
        """The database will not take this run's writes. Drop them (and what it queued
        since), put its seq back to the database's, and tell the run once."""
        handle = batch.handles[run_id]
        pending = self._batch
        seqs = [e["seq"] for e in batch.events + pending.events if e["run_id"] == run_id]
        if seqs:
            handle.last_seq = min(seqs) - 1  # the seq the database holds: the next event follows it
        reason = storable_text(f"this run's events could not be stored: {describe(exc)}")
        log.warning("run %s: %s; failing it", run_id, reason)
        waiters = [f for r, f in batch.waiters + pending.waiters if r == run_id and not f.done()]
        self._batch = _subset(pending, [r for r in pending.handles if r != run_id])
        self._batch.first_at = pending.first_at
        for fut in waiters:
            fut.set_exception(RunDataRejected(reason))
        handle.rejected = RunDataRejected(reason)  # for a run not waiting: its next emit raises it

    def forget(self, run_id: str) -> None:
        """Drop a run's pending writes (its task is stale: this worker claimed it again)."""
        pending = self._batch
        for r, fut in pending.waiters:
            if r == run_id and not fut.done():
                fut.set_exception(LeaseLost(f"run {run_id} was claimed again"))
        self._batch = _subset(pending, [r for r in pending.handles if r != run_id])
        self._batch.first_at = pending.first_at

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


def _storable_json(rows: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """``rows`` as one JSON document PostgreSQL can store, and the rows it encodes. The
    common case is one scan of the JSON for the NUL escape: orjson refuses lone surrogates
    and writes NUL as ``\\u0000``, which jsonb refuses. Only then is every string checked
    (`storable`) and the rows replaced by their storable copies."""
    try:
        data = orjson.dumps(rows)
        # A one-byte search is memchr (2 µs per 100 kB); the six-byte one is 30 times
        # slower, so it runs only when the JSON has an escape at all.
        if b"\\" not in data or b"\\u0000" not in data:
            return data.decode(), rows
    except orjson.JSONEncodeError:
        pass
    rows = storable(rows)
    return orjson.dumps(rows).decode(), rows


def _subset(batch: _Batch, run_ids: list[str]) -> _Batch:
    """The part of ``batch`` that belongs to ``run_ids`` (in the same order)."""
    keep = set(run_ids)
    return _Batch(
        events=[e for e in batch.events if e["run_id"] in keep],
        checkpoints={r: c for r, c in batch.checkpoints.items() if r in keep},
        updates={r: u for r, u in batch.updates.items() if r in keep},
        handles={r: h for r, h in batch.handles.items() if r in keep},
        waiters=[w for w in batch.waiters if w[0] in keep],
        extras=[x for x in batch.extras if x[0] in keep],
        last={r: e for r, e in batch.last.items() if r in keep},
        first_at=batch.first_at,
    )


def _merge_into(older: _Batch, newer: _Batch) -> None:
    """Add ``newer`` (queued after ``older``) to ``older``, as if both had been one batch."""
    older.events += newer.events
    older.checkpoints.update(newer.checkpoints)  # a run's later checkpoint replaces its earlier
    for run_id, update in newer.updates.items():
        earlier = older.updates.get(run_id)
        older.updates[run_id] = update if earlier is None else _later(earlier, update)
    older.handles.update(newer.handles)
    older.waiters += newer.waiters
    older.extras += newer.extras
    older.last.update(newer.last)
    firsts = [t for t in (older.first_at, newer.first_at) if t is not None]
    older.first_at = min(firsts) if firsts else None


def _later(earlier: _Update, update: _Update) -> _Update:
    """Two status updates of one run in one batch: the later one's fields win."""
    return _Update(**{k: getattr(earlier, k) if v is None else v for k, v in vars(update).items()})


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
    events, rows = _storable_json(batch.events)
    if rows is not batch.events:
        batch.events = rows
        batch.last = {e["run_id"]: e for e in rows}  # the storable copies
    updates = []
    for run_id in batch.handles:
        u = batch.updates.get(run_id, _Update())
        last = batch.last.get(run_id)
        updates.append(
            {
                "id": run_id,
                # The batch's own last event, not the handle's (which may be ahead, in the
                # next batch): runs.last_seq never passes what the log holds. NULL keeps it.
                "last_seq": None if last is None else last["seq"],
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
        "updates": _storable_json(updates)[0],
        "events": events,
        "checkpoints": _storable_json(checkpoints)[0],
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
