"""One run's bad text never hurts another run (issue 15, finding 1).

Design: text PostgreSQL cannot store (NUL, lone surrogates) is *made storable* — each such
character becomes U+FFFD — wherever it enters (model output, tool arguments and results,
run input, memory), so such a run completes with the replaced text. A value that cannot be
made storable (here: an integer past 64 bits in a tool call's arguments, which orjson
refuses) fails *its* run once, with the reason; the rest of the batch is written apart.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from httpx import AsyncClient, Response

from openintern.schemas.text import REPLACEMENT, storable, storable_text
from tests.fixtures.tenants import make_tenant
from tests.runtime.test_agent_runs import assert_gap_free, events_of, types, wait_status

BAD = "a\x00b\ud800c\udfffd"  # NUL, a lone high and a lone low surrogate
STORED = f"a{REPLACEMENT}b{REPLACEMENT}c{REPLACEMENT}d"


class TestStorableText:
    """Pure functions: no database needed to pin down what is replaced and what is kept."""

    def test_nul_and_lone_surrogates_become_the_replacement_character(self) -> None:
        assert storable_text(BAD) == STORED

    def test_a_surrogate_pair_is_joined_into_its_character(self) -> None:
        assert storable_text("x\ud83d\ude00y") == "x😀y"

    def test_other_control_characters_and_plain_text_are_kept_as_the_same_object(self) -> None:
        for text in ("plain", "tab\tbell\x07esc\x1b", "日本語 ✓", ""):
            assert storable_text(text) is text

    def test_nested_values_are_copied_only_where_something_changed(self) -> None:
        clean = {"k": ["x", 1, None, {"y": 2.5}]}
        assert storable(clean) is clean
        dirty = {"k\x00": ["x", ("\x00",)], "ok": clean}
        fixed = storable(dirty)
        assert fixed == {f"k{REPLACEMENT}": ["x", (REPLACEMENT,)], "ok": clean}
        assert fixed["ok"] is clean and "k\x00" in dirty  # the input is left as it was


async def post_json(client: AsyncClient, url: str, body: Any, **headers: str) -> Response:
    """POST with JSON's own escapes (``\\u0000``, ``\\ud800``), as any client may send them
    (httpx's ``json=`` writes raw UTF-8, which cannot carry a lone surrogate)."""
    return await client.post(
        url, content=json.dumps(body), headers={"Content-Type": "application/json", **headers}
    )


async def _start(client: AsyncClient, model: str, text: str = "go", **headers: str) -> str:
    body = {"input": text, "model": model, "tools": ["echo"]}
    resp = await post_json(client, "/api/runs", body, **headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["run_id"])


async def _bystanders(runner: AsyncClient, fake_llm: Any) -> tuple[Any, str]:
    """Another org whose runs share the worker (and so its event batches)."""
    bob = await make_tenant(runner, dict(runner.headers), "bob")
    model = fake_llm.register([{"text": "steady " * 12, "chunk_delay_ms": 3, "chunk_size": 4}])
    return bob, model


async def _finished(client: AsyncClient, run_id: str, timeout: float = 40, **headers: str) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while (run := (await client.get(f"/api/runs/{run_id}", headers=headers)).json())["status"] not in {
        "completed",
        "failed",
        "cancelled",
    }:
        assert asyncio.get_running_loop().time() < deadline, f"run stuck: {run}"
        await asyncio.sleep(0.05)
    return dict(run)


async def _assert_untouched(client: AsyncClient, run_ids: list[str], **headers: str) -> None:
    for run_id in run_ids:
        run = await _finished(client, run_id, **headers)
        assert run["status"] == "completed" and run["attempt"] == 1, run  # never reclaimed
        assert run["output"] == ("steady " * 12), run
        resp = await client.get(f"/api/runs/{run_id}/events", params={"limit": 1000}, headers=headers)
        events = resp.json()["events"]
        assert_gap_free(events)
        assert types(events)[0] == "run.started" and types(events)[-1] == "run.completed"


async def test_nul_and_surrogates_everywhere_are_stored_replaced_and_other_orgs_runs_untouched(
    runner: AsyncClient, fake_llm: Any
) -> None:
    bob, steady = await _bystanders(runner, fake_llm)
    poisoned_model = fake_llm.register(
        [
            {"text": f"model says {BAD}", "tool_calls": [{"name": "echo", "arguments": {"text": BAD}}]},
            {"text": f"done {BAD}", "chunk_size": 3},
        ]
    )
    theirs_first = [asyncio.create_task(_start(runner, steady, **bob.auth)) for _ in range(10)]
    poisoned = await asyncio.gather(*(_start(runner, poisoned_model, text=f"input {BAD}") for _ in range(5)))
    theirs = await asyncio.gather(*theirs_first)
    theirs += await asyncio.gather(*(_start(runner, steady, **bob.auth) for _ in range(10)))

    await _assert_untouched(runner, theirs, **bob.auth)
    for run_id in poisoned:
        run = await wait_status(runner, run_id, timeout=40)
        assert run["status"] == "completed" and run["attempt"] == 1, run
        assert run["output"] == f"done {STORED}"
        assert f"input {STORED}" in str(run["input"]), run["input"]
        events = await events_of(runner, run_id)
        assert_gap_free(events)
        called = next(e for e in events if e["type"] == "tool.called")
        result = next(e for e in events if e["type"] == "tool.result")
        assert called["payload"]["arguments"] == {"text": STORED}
        assert STORED in str(result["payload"])
        text = "".join(e["payload"]["delta"] for e in events if e["type"] == "llm.token")
        assert f"model says {STORED}" in text


async def test_a_value_that_cannot_be_stored_fails_only_its_run_once_with_the_reason(
    runner: AsyncClient, fake_llm: Any
) -> None:
    """Before: the whole batch failed, every run in it (the other org's too) was reclaimed,
    logs had gaps and the poisoned run retried past its attempt limit."""
    bob, steady = await _bystanders(runner, fake_llm)
    huge = fake_llm.register(
        [{"tool_calls": [{"name": "echo", "arguments": {"text": "x", "n": 10**30}}]}, {"text": "never"}]
    )
    theirs_first = [asyncio.create_task(_start(runner, steady, **bob.auth)) for _ in range(10)]
    poisoned = await asyncio.gather(*(_start(runner, huge) for _ in range(5)))
    theirs = await asyncio.gather(*theirs_first)
    theirs += await asyncio.gather(*(_start(runner, steady, **bob.auth) for _ in range(10)))

    await _assert_untouched(runner, theirs, **bob.auth)
    for run_id in poisoned:
        run = await wait_status(runner, run_id, timeout=40)
        assert run["status"] == "failed" and run["attempt"] == 1, run
        assert run["error"].startswith("this run's events could not be stored: "), run["error"]
        assert "64-bit" in run["error"]
        events = await events_of(runner, run_id)
        assert_gap_free(events)
        assert types(events).count("run.failed") == 1 and types(events)[-1] == "run.failed"
        assert "tool.called" not in types(events)  # the event that could not be stored is not there


async def test_memory_a_model_writes_with_nul_and_surrogates_is_stored_replaced(
    runner: AsyncClient, fake_llm: Any
) -> None:
    """The API refuses such text in a memory (422); a model's memory_write brings it in
    through tool arguments. Before: the insert failed (a NUL) or the run crashed."""
    call = {
        "name": "memory_write",
        "arguments": {"title": f"t {BAD}", "content": f"body {BAD}", "tags": [BAD]},
    }
    model = fake_llm.register([{"tool_calls": [call]}, {"text": "saved"}])
    body = {"input": "remember", "model": model, "tools": ["memory_write"]}
    run = await wait_status(runner, (await post_json(runner, "/api/runs", body)).json()["run_id"])
    assert run["status"] == "completed" and run["output"] == "saved", run
    result = next(e for e in await events_of(runner, run["run_id"]) if e["type"] == "tool.result")
    assert not result["payload"]["is_error"], result["payload"]
    items = (await runner.get("/api/memory")).json()["items"]
    assert [(m["title"], m["content"], m["tags"]) for m in items] == [
        (f"t {STORED}", f"body {STORED}", [STORED])
    ]
