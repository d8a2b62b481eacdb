"""Random Unicode through every text entry point (issue 15): control characters, NULs,
lone surrogates and huge strings go through the event writer (emit → commit → read back),
run inputs (POST /api/runs) and memory writes (POST /api/memory). Nothing is lost (what is
read back is the storable form of what went in), nothing crashes (no 500), and nothing
leaks into another run (two runs share every batch)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from openintern.config import load_settings
from openintern.runtime.events import EventWriter, RunHandle, read_events
from openintern.schemas.text import storable, storable_text
from tests.conftest import ADMIN_PASSWORD

TRICKY = st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff", "\x01", "\x1b", "\x7f", "\u2028"])
CHARS = st.one_of(st.characters(exclude_categories=()), TRICKY)
PIECES = st.one_of(CHARS, st.sampled_from(["\\u0000", "\\ud800", "\\", '"']))  # escapes as plain text
SMALL = st.lists(PIECES, max_size=120).map("".join)
HUGE = st.builds(
    lambda part, n: part * n, st.text(alphabet=CHARS, min_size=1, max_size=4), st.integers(5_000, 60_000)
)
TEXT = st.one_of(SMALL, SMALL, SMALL, HUGE)  # mostly small: huge ones are slow to send

PROPERTY = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
async def quiet_app(tmp_path: Path, database_url: str) -> AsyncIterator[Any]:
    """An app without a worker: the test's own event writer holds the runs."""
    from openintern.api import create_app

    config = load_settings(
        {
            "data_dir": tmp_path / "data",
            "auth": {"admin_password": ADMIN_PASSWORD},
            "server": {"workers_in_process": False},
        },
        environ={},
    )
    application = create_app(config, database_url=database_url, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(quiet_app: Any) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=quiet_app), base_url="http://test", timeout=60) as c:
        resp = await c.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        c.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        yield c


def blocking(loop: asyncio.AbstractEventLoop, coro: Any) -> None:
    """Run ``coro`` on ``loop`` (the test's, where the app and its connections live) from
    the thread Hypothesis runs in: Hypothesis drives sync functions only."""
    asyncio.run_coroutine_threadsafe(coro, loop).result()


async def _post(client: AsyncClient, url: str, body: Any) -> Any:
    """JSON with its own escapes, as any client may send them (a lone surrogate included)."""
    return await client.post(url, content=json.dumps(body), headers={"Content-Type": "application/json"})


async def _held_runs(api: AsyncClient, db: Any, owner: str, n: int) -> list[RunHandle]:
    """``n`` runs, running and leased to ``owner`` (no worker of the app's claims them)."""
    ids = [(await _post(api, "/api/runs", {"input": "held"})).json()["run_id"] for _ in range(n)]
    async with db.system() as session:
        rows = await session.execute(
            text(
                "UPDATE runs SET status = 'running', lease_owner = :owner, attempt = 1,"
                " lease_expires_at = now() + interval '1 hour' WHERE id = ANY(:ids)"
                " RETURNING id, org_id, agent_id, last_seq"
            ),
            {"owner": owner, "ids": ids},
        )
        by_id = {r.id: RunHandle(r.id, r.org_id, r.agent_id, r.last_seq) for r in rows}
    return [by_id[i] for i in ids]


async def test_the_event_writer_stores_any_text_and_keeps_runs_apart(
    api: AsyncClient, quiet_app: Any
) -> None:
    db = quiet_app.state.platform.db
    writer = EventWriter(db, "property-writer", lease_s=3600)
    writer.start()
    first, second = await _held_runs(api, db, "property-writer", 2)
    try:

        async def check(a: str, b: str, key: str) -> None:
            sent = {first.run_id: {"result": a, key: [a, {"nested": b}]}, second.run_id: {"result": b}}
            for handle in (first, second):
                writer.emit(handle, "tool.result", sent[handle.run_id], step=1)
            await asyncio.gather(
                writer.commit(first, checkpoint=(1, {"state": a})), writer.commit(second, output=b)
            )
            async with db.system() as session:
                for handle in (first, second):
                    events = await read_events(session, handle.run_id, after=handle.last_seq - 1)
                    assert [e["payload"] for e in events] == [storable(sent[handle.run_id])]
                    assert [e["seq"] for e in events] == [handle.last_seq]  # gap-free, nothing foreign
                stored = await session.execute(
                    text(
                        "SELECT r.output, c.state FROM runs r LEFT JOIN checkpoints c ON c.run_id = r.id"
                        " WHERE r.id = ANY(:ids) ORDER BY r.id = :second"
                    ),
                    {"ids": [first.run_id, second.run_id], "second": second.run_id},
                )
                (_, state), (output, _) = stored.all()
            assert state == {"state": storable_text(a)} and output == storable_text(b)

        loop = asyncio.get_running_loop()

        @PROPERTY
        @given(a=TEXT, b=TEXT, key=SMALL)
        def example(a: str, b: str, key: str) -> None:
            blocking(loop, check(a, b, key))

        await asyncio.to_thread(example)
    finally:
        await writer.stop()


async def test_run_inputs_and_memories_take_any_text_or_refuse_it_by_name(api: AsyncClient) -> None:
    async def check(value: str) -> None:
        resp = await _post(api, "/api/runs", {"input": value})
        assert resp.status_code in (201, 413, 422), resp.text[:500]
        if resp.status_code == 201:
            run = (await api.get(f"/api/runs/{resp.json()['run_id']}")).json()
            assert run["input"] == storable_text(value)
        else:
            assert resp.json()["errors"][0]["field"].startswith("body.input")

        resp = await _post(api, "/api/memory", {"title": "property", "content": value or "x"})
        assert resp.status_code in (201, 413, 422), resp.text[:500]
        if resp.status_code == 201:
            memory = (await api.get(f"/api/memory/{resp.json()['id']}")).json()
            assert memory["content"] == storable_text(value or "x")
        else:
            assert resp.json()["errors"][0]["field"] == "body.content"

    loop = asyncio.get_running_loop()

    @PROPERTY
    @given(value=TEXT)
    def example(value: str) -> None:
        blocking(loop, check(value))

    await asyncio.to_thread(example)
