"""The worker's own lifecycle: shutdown hands runs back at once, and another worker resumes them."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient

from openintern.runtime import Worker
from tests.runtime.test_agent_runs import assert_gap_free, events_of, types, wait_status


async def test_shutdown_requeues_in_flight_runs_for_another_worker(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    platform = run_app.state.platform
    model = fake_llm.register([{"text": "slow " * 40, "chunk_delay_ms": 30, "chunk_size": 5}])
    run_id = (await runner.post("/api/runs", json={"input": "x", "model": model})).json()["run_id"]
    await wait_status(runner, run_id, {"running"})
    await platform.worker.stop(grace_s=0.1)
    assert (await runner.get(f"/api/runs/{run_id}")).json()["status"] == "queued"  # not after a lease expiry

    second = Worker(platform.db, platform.settings, platform.services.kinds)
    await second.start()
    try:
        run = await wait_status(runner, run_id)
    finally:
        await second.stop()
    assert run["status"] == "completed" and run["attempt"] == 2
    events = await events_of(runner, run_id)
    assert_gap_free(events)
    assert types(events).count("run.resumed") == 1 and types(events)[-1] == "run.completed"


async def test_run_survives_its_database_connections_being_killed(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    """Connection loss is the database's failure, not the run's: it resumes, gap-free."""
    from sqlalchemy import text

    db = run_app.state.platform.db
    model = fake_llm.register([{"text": "slow answer " * 30, "chunk_delay_ms": 25, "chunk_size": 6}])
    run_id = (await runner.post("/api/runs", json={"input": "x", "model": model})).json()["run_id"]
    await wait_status(runner, run_id, {"running"})
    await asyncio.sleep(0.2)  # mid-stream
    async with db.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        await conn.commit()
    run = await wait_status(runner, run_id, timeout=30)
    # Usually the run holds no connection while the model streams, so it is not even
    # interrupted; when a batch does hit a dead connection the run resumes (attempt 2).
    assert run["status"] == "completed", run
    events = await events_of(runner, run_id)
    assert_gap_free(events)
    assert types(events)[-1] == "run.completed"


async def test_heartbeat_tells_a_lost_lease_from_a_finished_run(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    """A run another worker took over is lost; one that finished since the heartbeat read its
    list is not (at high throughput that happens on every beat)."""
    from sqlalchemy import text

    from openintern.runtime import queue

    platform = run_app.state.platform
    db, worker = platform.db, platform.worker
    done = await wait_status(runner, (await runner.post("/api/runs", json={"input": "hi"})).json()["run_id"])
    model = fake_llm.register([{"text": "slow " * 60, "chunk_delay_ms": 30, "chunk_size": 5}])
    taken = (await runner.post("/api/runs", json={"input": "x", "model": model})).json()["run_id"]
    await wait_status(runner, taken, {"running"})
    async with db.system() as session:
        await session.execute(
            text("UPDATE runs SET lease_owner = 'another-worker' WHERE id = :id"), {"id": taken}
        )
        rows = (
            await session.execute(
                queue.RENEW, {"ids": [done["run_id"], taken], "owner": worker.id, "lease_s": 30.0}
            )
        ).all()
    state = {r.id: (r.renewed, r.lost) for r in rows}
    assert state == {done["run_id"]: (False, False), taken: (False, True)}

    await worker._heartbeat_once()  # the lost run is stopped here, without writing anything more
    for _ in range(100):
        if taken not in worker.running:
            break
        await asyncio.sleep(0.05)
    assert taken not in worker.running
    run = (await runner.get(f"/api/runs/{taken}")).json()
    assert run["status"] == "running" and run["attempt"] == 1  # left for its new owner


async def test_heartbeat_skips_rows_being_written_instead_of_waiting(
    runner: AsyncClient, run_app: Any, fake_llm: Any
) -> None:
    """The event writer's multi-row UPDATE locks runs in its own order; a heartbeat that
    waited on those locks could deadlock with it (seen at 3,000 runs). It skips them."""
    from sqlalchemy import text

    platform = run_app.state.platform
    db, worker = platform.db, platform.worker
    model = fake_llm.register([{"text": "slow " * 60, "chunk_delay_ms": 30, "chunk_size": 5}])
    run_id = (await runner.post("/api/runs", json={"input": "x", "model": model})).json()["run_id"]
    await wait_status(runner, run_id, {"running"})
    async with db.system() as holder:
        await holder.execute(text("SELECT id FROM runs WHERE id = :id FOR UPDATE"), {"id": run_id})
        await asyncio.wait_for(worker._heartbeat_once(), timeout=5)  # does not wait for the lock
        assert run_id in worker.running  # and is not taken for lost
    assert (await wait_status(runner, run_id))["status"] == "completed"


async def test_worker_keeps_claiming_after_its_connections_die(runner: AsyncClient, run_app: Any) -> None:
    from sqlalchemy import text

    platform = run_app.state.platform
    worker = platform.worker
    await wait_status(runner, (await runner.post("/api/runs", json={"input": "warm"})).json()["run_id"])
    async with platform.db.engine.connect() as conn:  # every pooled connection, the claim's too
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        await conn.commit()
    for _ in range(20):  # the API's own pooled connections were killed as well: retry as a client would
        resp = await runner.post("/api/runs", json={"input": "after"})
        if resp.status_code == 201:
            break
        assert resp.status_code == 503, resp.text
    run = await wait_status(runner, resp.json()["run_id"], timeout=30)
    assert run["status"] == "completed" and run["output"] == "echo: after"
    assert not any(task.done() for task in worker._side)  # claim loop, listener, heartbeat alive


async def test_concurrent_claims_each_get_the_next_free_runs(runner: AsyncClient, run_app: Any) -> None:
    """Two workers claiming at once: the second gets the next runs nobody holds, not an empty
    batch (which would send it to sleep while runs wait in the queue)."""
    from openintern.runtime import queue

    platform = run_app.state.platform
    await platform.worker.stop(grace_s=0.1)  # the runs stay queued for the claims below
    resp = await runner.post("/api/runs/batch", json={"runs": [{"input": f"r{i}"} for i in range(6)]})
    ids = [r["run_id"] for r in resp.json()["runs"]]
    params = {"n": 4, "lease_s": 30.0}
    async with platform.db.system() as first, platform.db.system() as second:
        mine = [r.id for r in await first.execute(queue.CLAIM, {**params, "owner": "w1"})]
        theirs = [r.id for r in await second.execute(queue.CLAIM, {**params, "owner": "w2"})]
    assert len(mine) == 4 and len(theirs) == 2  # the rest, though the first claim still held its rows
    assert sorted(mine + theirs) == sorted(ids)
    for run_id in ids:
        run = (await runner.get(f"/api/runs/{run_id}")).json()
        assert run["status"] == "running" and run["attempt"] == 1


async def test_a_write_extends_the_lease_only_when_half_of_it_is_gone(
    runner: AsyncClient, run_app: Any
) -> None:
    """Every batch used to push the lease forward; changing the indexed lease column on each
    write made every run-row update a non-HOT one (an entry in each of the table's indexes),
    most of a token batch's cost. The heartbeat renews leases; a write renews one only when
    less than half of it is left (so a row the heartbeat skipped as locked is still covered)."""
    from sqlalchemy import text

    from openintern.runtime import queue
    from openintern.runtime.events import EventWriter, RunHandle

    platform = run_app.state.platform
    db = platform.db
    await platform.worker.stop(grace_s=0.1)
    run_id = (await runner.post("/api/runs", json={"input": "x"})).json()["run_id"]
    async with db.system() as session:
        run = (await session.execute(queue.CLAIM, {"n": 1, "owner": "w-test", "lease_s": 30.0})).one()
    writer = EventWriter(db, "w-test", lease_s=30.0)
    writer.start()

    async def lease_left_s() -> float:
        async with db.system() as session:
            left = await session.scalar(
                text("SELECT extract(epoch FROM lease_expires_at - now()) FROM runs WHERE id = :id"),
                {"id": run_id},
            )
        return float(left)

    async def set_lease_left(seconds: float) -> None:
        async with db.system() as session:
            await session.execute(
                text("UPDATE runs SET lease_expires_at = now() + make_interval(secs => :s) WHERE id = :id"),
                {"s": seconds, "id": run_id},
            )

    try:
        handle = RunHandle(run_id, run.org_id, run.agent_id, run.last_seq)
        await set_lease_left(20.0)  # more than half of 30 s: the write leaves it
        writer.emit(handle, "run.started", {"kind": "agent", "attempt": 1})
        await writer.commit(handle)
        assert 18.0 < await lease_left_s() <= 20.0
        await set_lease_left(10.0)  # less than half: the write renews it
        writer.emit(handle, "step.started", {"step": 1}, step=1)
        await writer.commit(handle)
        assert 28.0 < await lease_left_s() <= 30.0
    finally:
        await writer.stop()
    events = (await runner.get(f"/api/runs/{run_id}/events")).json()["events"]
    assert [e["type"] for e in events] == ["run.started", "step.started"]


async def test_token_batches_gather_from_their_first_event_not_from_the_last_write(
    runner: AsyncClient, run_app: Any
) -> None:
    """Deltas coalesce for `TOKEN_FLUSH_DELAY_S` after a batch's first event. A batch whose
    events arrived while the previous one was being written has waited already: it is
    written at once instead of after another full pause (which, under load, added the
    pause to every token's trip; bench W3)."""
    import time

    from openintern.runtime import queue
    from openintern.runtime.events import TOKEN_FLUSH_DELAY_S, EventWriter, RunHandle

    platform = run_app.state.platform
    await platform.worker.stop(grace_s=0.1)
    await runner.post("/api/runs", json={"input": "x"})
    async with platform.db.system() as session:
        run = (await session.execute(queue.CLAIM, {"n": 1, "owner": "w-test", "lease_s": 30.0})).one()
    writer = EventWriter(platform.db, "w-test", lease_s=30.0)  # not started: nothing is written
    handle = RunHandle(run.id, run.org_id, run.agent_id, run.last_seq)
    assert writer.gather_delay() == TOKEN_FLUSH_DELAY_S  # nothing pending
    writer.emit(handle, "llm.token", {"delta": "a"}, span_id="s1")
    first = time.monotonic()
    writer.emit(handle, "llm.token", {"delta": "b"}, span_id="s1")  # merged: the batch's clock keeps running
    assert 0 < writer.gather_delay(now=first) <= TOKEN_FLUSH_DELAY_S
    assert writer.gather_delay(now=first + TOKEN_FLUSH_DELAY_S) <= 0  # waited long enough: write now


async def test_the_writer_replaces_its_connection_after_losing_it(runner: AsyncClient, run_app: Any) -> None:
    """A batch without extra statements is one autocommit statement on the writer's own
    connection (one round trip). If that connection dies, the batch in flight is written
    again on a new connection (issue 15: before, its runs were failed over to another
    worker, and one shared exception was re-raised into each of them)."""
    from sqlalchemy import text

    from openintern.runtime import queue
    from openintern.runtime.events import EventWriter, RunHandle

    platform = run_app.state.platform
    db = platform.db
    await platform.worker.stop(grace_s=0.1)
    ids = [
        r["run_id"]
        for r in (
            await runner.post("/api/runs/batch", json={"runs": [{"input": "a"}, {"input": "b"}]})
        ).json()["runs"]
    ]
    async with db.system() as session:
        claimed = (await session.execute(queue.CLAIM, {"n": 2, "owner": "w-test", "lease_s": 30.0})).all()
    first, second = (RunHandle(r.id, r.org_id, r.agent_id, r.last_seq) for r in claimed)
    writer = EventWriter(db, "w-test", lease_s=30.0)
    writer.start()

    async def writer_backends() -> list[int]:
        async with db.system() as session:
            rows = await session.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = 'openintern-event-writer'")
            )
            return [r.pid for r in rows]

    try:
        writer.emit(first, "run.started", {"kind": "agent", "attempt": 1})
        await writer.commit(first)
        (pid,) = await writer_backends()
        async with db.system() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        writer.emit(first, "step.started", {"step": 1}, step=1)
        # A lost connection is not the run's fault: the batch is kept and written again on
        # a new connection after a short back-off; the run never notices.
        await writer.commit(first)
        assert not first.lost and writer.outage.errors == 0  # recovered
        writer.emit(second, "run.started", {"kind": "agent", "attempt": 1})
        await writer.commit(second)
        assert (await writer_backends()) not in ([], [pid])
    finally:
        await writer.stop()
    assert await writer_backends() == []  # closed on stop
    events = {i: (await runner.get(f"/api/runs/{i}/events")).json()["events"] for i in ids}
    assert {i: [e["type"] for e in evs] for i, evs in events.items()} == {
        first.run_id: ["run.started", "step.started"],
        second.run_id: ["run.started"],
    }


async def test_a_run_past_its_attempt_limit_fails_at_start_whatever_ended_its_attempts(
    runner: AsyncClient, run_app: Any
) -> None:
    """Before: only a database error checked the limit, so a run whose batches kept failing
    was retried forever (attempt 10 after 4.5 minutes, issue 15)."""
    from sqlalchemy import text

    from openintern.runtime.execution import MAX_ATTEMPTS

    platform = run_app.state.platform
    await platform.worker.stop(grace_s=0.1)
    run_id = (await runner.post("/api/runs", json={"input": "x"})).json()["run_id"]
    async with platform.db.system() as session:  # five attempts ended without finishing it
        await session.execute(
            text("UPDATE runs SET attempt = :n WHERE id = :id"), {"n": MAX_ATTEMPTS, "id": run_id}
        )
    worker = Worker(platform.db, platform.settings, platform.services.kinds)
    await worker.start()
    try:
        run = await wait_status(runner, run_id)
    finally:
        await worker.stop()
    assert run["status"] == "failed" and run["attempt"] == MAX_ATTEMPTS + 1, run
    assert run["error"].startswith(f"gave up after {MAX_ATTEMPTS} attempts"), run["error"]
    events = await events_of(runner, run_id)
    assert_gap_free(events)
    assert types(events) == ["run.failed"]
