"""Memory in the agent loop: core blocks in the prompt, recall before the first step, an
episodic summary after the run — all through the fake LLM over HTTP."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.runtime.test_agent_runs import wait_status


def _prompts(fake_llm: Any) -> list[list[dict[str, Any]]]:
    """The messages of every chat request the fake LLM got, oldest first."""
    return [r["body"]["messages"] for r in fake_llm.requests() if "messages" in (r.get("body") or {})]


def _system_text(messages: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(m["content"]) for m in messages if m["role"] == "system")


async def _run(client: AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post("/api/runs", json=body)
    assert resp.status_code == 201, resp.text
    run = await wait_status(client, resp.json()["run_id"])
    assert run["status"] == "completed", run
    return run


async def test_core_blocks_are_in_the_prompt_and_follow_edits(runner: AsyncClient, fake_llm: Any) -> None:
    resp = await runner.post(
        "/api/memory", json={"tier": "core", "title": "User", "content": "The user is called Ada."}
    )
    assert resp.status_code == 201, resp.text
    model = fake_llm.register(
        [
            {
                "tool_calls": [
                    {
                        "name": "core_memory_append",
                        "arguments": {"title": "User", "text": "Ada prefers short answers."},
                    }
                ]
            },
            {"text": "noted"},
        ]
    )
    await _run(runner, {"input": "remember my preference", "model": model, "tools": ["core_memory_append"]})
    first, second = _prompts(fake_llm)[-2:]
    assert "## Core memory" in _system_text(first) and "The user is called Ada." in _system_text(first)
    assert "Ada prefers short answers." not in _system_text(first)
    # the step that edited the block shows the agent the block as it is now
    assert "Ada prefers short answers." in _system_text(second)
    assert _system_text(second).count("## Core memory") == 1


async def test_recall_puts_relevant_memories_before_the_first_step(
    runner: AsyncClient, fake_llm: Any
) -> None:
    fact = {"title": "Deploy window", "content": "Production deploys happen on Tuesdays after 14:00 UTC."}
    noise = {"title": "Lunch", "content": "The canteen serves soup on Mondays."}
    for body in (fact, noise):
        assert (await runner.post("/api/memory", json=body)).status_code == 201

    await _run(runner, {"input": "when are production deploys?"})
    assert "Relevant memories" not in _system_text(_prompts(fake_llm)[-1])  # off by default

    await _run(runner, {"input": "when are production deploys?", "recall": True})
    system = _system_text(_prompts(fake_llm)[-1])
    assert "Relevant memories" in system and "Tuesdays after 14:00 UTC" in system
    assert system.index("Deploy window") < (system.index("Lunch") if "Lunch" in system else len(system))


async def test_remember_writes_an_episodic_summary_a_later_run_recalls(
    runner: AsyncClient, fake_llm: Any
) -> None:
    model = fake_llm.register([{"text": "The release codename is Bluefin."}])
    run = await _run(runner, {"input": "what is the release codename?", "model": model, "remember": True})
    listed = (await runner.get("/api/memory", params={"tier": "episodic"})).json()["items"]
    assert [m["run_id"] for m in listed] == [run["run_id"]]
    assert "Bluefin" in listed[0]["content"] and "release codename" in listed[0]["title"]

    await _run(runner, {"input": "remind me of the release codename", "recall": True})
    assert "Bluefin" in _system_text(_prompts(fake_llm)[-1])

    await _run(runner, {"input": "no summary for this one"})
    again = (await runner.get("/api/memory", params={"tier": "episodic"})).json()["items"]
    assert len(again) == 1  # remember is off by default
