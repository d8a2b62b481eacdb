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
    await platform.services["worker"].stop(grace_s=0.1)
    assert (await runner.get(f"/api/runs/{run_id}")).json()["status"] == "queued"  # not after a lease expiry

    second = Worker(platform.db, platform.settings, services=platform.services)
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
