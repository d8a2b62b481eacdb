"""SSE: framing, keep-alive, resume with Last-Event-ID (no gap, no duplicate), access_token."""

from __future__ import annotations

import json
from typing import Any

from httpx import AsyncClient

from tests.runtime.test_agent_runs import events_of, wait_status


async def read_sse(
    client: AsyncClient, url: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async with client.stream("GET", url, headers={"Accept": "text/event-stream", **(headers or {})}) as resp:
        assert resp.status_code == 200, await resp.aread()
        assert resp.headers["content-type"].startswith("text/event-stream")
        async for line in resp.aiter_lines():
            if line == "":
                if current:
                    frames.append(current)
                current = {}
            elif line.startswith(":"):
                continue
            else:
                key, _, value = line.partition(":")
                current[key] = value.lstrip(" ")
    return frames


class TestSSE:
    async def test_stream_sends_every_event_then_closes(self, runner: AsyncClient, fake_llm: Any) -> None:
        model = fake_llm.register([{"text": "streamed slowly", "chunk_delay_ms": 20, "chunk_size": 3}])
        run = (await runner.post("/api/runs", json={"input": "s", "model": model})).json()
        frames = await read_sse(runner, f"/api/runs/{run['run_id']}/stream")
        assert frames[-1]["event"] == "run.completed"
        seqs = [int(f["id"]) for f in frames]
        assert seqs == list(range(1, len(seqs) + 1))
        for f in frames:
            assert json.loads(f["data"])["type"] == f["event"]
        text = "".join(json.loads(f["data"])["payload"]["delta"] for f in frames if f["event"] == "llm.token")
        assert text == "streamed slowly"
        assert len(frames) == len(await events_of(runner, run["run_id"]))

    async def test_resume_with_last_event_id(self, runner: AsyncClient) -> None:
        run = await wait_status(
            runner, (await runner.post("/api/runs", json={"input": "resume me"})).json()["run_id"]
        )
        everything = await read_sse(runner, f"/api/runs/{run['run_id']}/stream")
        rest = await read_sse(runner, f"/api/runs/{run['run_id']}/stream", {"Last-Event-ID": "2"})
        assert [f["id"] for f in rest] == [f["id"] for f in everything[2:]]
        via_cursor = await read_sse(runner, f"/api/runs/{run['run_id']}/events?cursor=3")
        assert [f["id"] for f in via_cursor] == [f["id"] for f in everything[3:]]

    async def test_access_token_query_for_header_less_clients(self, runner: AsyncClient) -> None:
        token = runner.headers["Authorization"].split()[1]
        run = await wait_status(
            runner, (await runner.post("/api/runs", json={"input": "q"})).json()["run_id"]
        )
        bare = AsyncClient(transport=runner._transport, base_url="http://test")  # no Authorization header
        frames = await read_sse(bare, f"/api/runs/{run['run_id']}/events?access_token={token}")
        assert frames[-1]["event"] == "run.completed"
        assert (
            await bare.get(f"/api/runs/{run['run_id']}/events", headers={"Accept": "text/event-stream"})
        ).status_code == 401

    async def test_events_page_filters_by_type(self, runner: AsyncClient) -> None:
        run = await wait_status(
            runner, (await runner.post("/api/runs", json={"input": "types"})).json()["run_id"]
        )
        page = (await runner.get(f"/api/runs/{run['run_id']}/events", params={"type": "llm.called"})).json()
        assert [e["type"] for e in page["events"]] == ["llm.called"] and page["next_cursor"] is None
        small = (await runner.get(f"/api/runs/{run['run_id']}/events", params={"limit": 2})).json()
        assert [e["seq"] for e in small["events"]] == [1, 2] and small["next_cursor"] == 2
