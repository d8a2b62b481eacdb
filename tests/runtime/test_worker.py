"""The worker's own lifecycle: shutdown hands runs back at once, and another worker resumes them."""

from __future__ import annotations

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
