"""The fake server speaks each protocol as the real APIs do: framing, event order, error
shapes, auth, scripts and the selection rule. Raw HTTP (aiohttp), no SDK in between."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from openintern.testing import FakeLLMServer, parse_stamps, strip_stamps
from tests.llm.targets import FAKE_KEY

OPENAI_HEADERS = {"Authorization": f"Bearer {FAKE_KEY}"}
ANTHROPIC_HEADERS = {"x-api-key": FAKE_KEY, "anthropic-version": "2023-06-01"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def sse_blocks(raw: str) -> list[dict[str, str]]:
    """SSE events as {field: value} dicts, split on blank lines."""
    events = []
    for block in raw.split("\n\n"):
        if block.strip():
            events.append(dict(line.split(": ", 1) for line in block.split("\n")))
    return events


def chat_body(model: str, *, turns: int = 0, user: str = "hello", **extra: Any) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": user}]
    for i in range(turns):
        messages += [{"role": "assistant", "content": f"a{i}"}, {"role": "user", "content": f"u{i}"}]
    return {"model": model, "messages": messages, "max_tokens": 100, **extra}


async def post(http: aiohttp.ClientSession, url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    async with http.post(url, json=body, headers=headers) as resp:
        text = await resp.text()
        is_json = resp.content_type == "application/json"
        return resp.status, json.loads(text) if is_json else text


class TestOpenAIProtocol:
    async def test_stream_is_data_lines_ending_with_done_and_a_usage_chunk(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register([{"text": "hello there", "chunk_size": 4}])
        body = chat_body(model, stream=True, stream_options={"include_usage": True})

        status, raw = await post(http, fake_llm.openai_base_url + "/chat/completions", body, OPENAI_HEADERS)

        assert status == 200
        events = sse_blocks(raw)
        assert all(list(e) == ["data"] for e in events)
        assert events[-1]["data"] == "[DONE]"
        chunks = [json.loads(e["data"]) for e in events[:-1]]
        *content, usage = chunks
        assert usage["choices"] == [] and usage["usage"]["total_tokens"] > 0
        assert all(c["object"] == "chat.completion.chunk" and c["usage"] is None for c in content)
        assert "".join(c["choices"][0]["delta"].get("content") or "" for c in content) == "hello there"
        assert content[-1]["choices"][0]["finish_reason"] == "stop"

    async def test_stream_without_include_usage_has_no_usage_chunk(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        body = chat_body("fake/echo", stream=True)

        _, raw = await post(http, fake_llm.openai_base_url + "/chat/completions", body, OPENAI_HEADERS)

        chunks = [json.loads(e["data"]) for e in sse_blocks(raw)[:-1]]
        assert all(c["choices"] and "usage" not in c for c in chunks)

    async def test_tool_call_deltas_carry_id_and_name_first_then_arguments(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register([{"tool_calls": [{"name": "lookup", "arguments": {"q": "pgvector hnsw"}}]}])

        _, raw = await post(
            http,
            fake_llm.openai_base_url + "/chat/completions",
            chat_body(model, stream=True),
            OPENAI_HEADERS,
        )

        deltas = [json.loads(e["data"])["choices"][0] for e in sse_blocks(raw)[:-1]]
        calls = [d["delta"]["tool_calls"][0] for d in deltas if d["delta"].get("tool_calls")]
        assert calls[0]["id"] and calls[0]["function"]["name"] == "lookup" and calls[0]["type"] == "function"
        assert json.loads("".join(c["function"]["arguments"] for c in calls)) == {"q": "pgvector hnsw"}
        assert deltas[-1]["finish_reason"] == "tool_calls"

    async def test_wrong_key_is_401_in_openai_shape(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        headers = {"Authorization": "Bearer sk-wrong"}

        status, body = await post(
            http, fake_llm.openai_base_url + "/chat/completions", chat_body("fake/echo"), headers
        )

        assert status == 401
        assert body["error"]["code"] == "invalid_api_key"
        assert set(body["error"]) == {"message", "type", "param", "code"}

    async def test_unknown_model_is_404_in_openai_shape(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        status, body = await post(
            http, fake_llm.openai_base_url + "/chat/completions", chat_body("nope"), OPENAI_HEADERS
        )

        assert status == 404
        assert body["error"]["code"] == "model_not_found"
        assert "nope" in body["error"]["message"]


class TestAnthropicProtocol:
    async def test_stream_events_come_in_the_documented_order(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register(
            [{"text": "let me check", "tool_calls": [{"name": "search", "arguments": {"q": "x"}}]}]
        )

        status, raw = await post(
            http, fake_llm.base_url + "/v1/messages", chat_body(model, stream=True), ANTHROPIC_HEADERS
        )

        assert status == 200
        events = sse_blocks(raw)
        payloads = [json.loads(e["data"]) for e in events]
        assert [e["event"] for e in events] == [p["type"] for p in payloads]
        order = [p["type"] for p in payloads if p["type"] not in ("content_block_delta", "ping")]
        assert order == ["message_start", "content_block_start", "content_block_stop", "content_block_start",
                         "content_block_stop", "message_delta", "message_stop"]  # fmt: skip
        text = "".join(p["delta"]["text"] for p in payloads if p.get("delta", {}).get("type") == "text_delta")
        args = "".join(
            p["delta"]["partial_json"]
            for p in payloads
            if p.get("delta", {}).get("type") == "input_json_delta"
        )
        assert text == "let me check"
        assert json.loads(args) == {"q": "x"}
        message_delta = next(p for p in payloads if p["type"] == "message_delta")
        assert message_delta["delta"]["stop_reason"] == "tool_use"
        assert message_delta["usage"]["output_tokens"] > 0

    async def test_wrong_key_is_401_in_anthropic_shape(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        headers = {**ANTHROPIC_HEADERS, "x-api-key": "sk-wrong"}

        status, body = await post(http, fake_llm.base_url + "/v1/messages", chat_body("fake/echo"), headers)

        assert status == 401
        assert body == {
            "type": "error",
            "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        }

    async def test_non_streamed_message_has_blocks_and_usage(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        status, body = await post(
            http, fake_llm.base_url + "/v1/messages", chat_body("fake-echo", user="hi"), ANTHROPIC_HEADERS
        )

        assert status == 200
        assert body["type"] == "message" and body["stop_reason"] == "end_turn"
        assert body["content"] == [{"type": "text", "text": "echo: hi"}]
        assert body["usage"]["input_tokens"] > 0 and body["usage"]["output_tokens"] > 0


class TestScripts:
    async def test_reply_is_chosen_by_assistant_message_count(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register([{"text": "first"}, {"text": "second"}, {"text": "last"}])
        url = fake_llm.openai_base_url + "/chat/completions"

        answers = []
        for turns in (0, 1, 2, 7):
            _, body = await post(http, url, chat_body(model, turns=turns), OPENAI_HEADERS)
            answers.append(body["choices"][0]["message"]["content"])

        assert answers == ["first", "second", "last", "last"]

    async def test_error_times_counts_per_conversation(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register([{"text": "ok", "error": {"status": 503, "times": 1}}])
        url = fake_llm.openai_base_url + "/chat/completions"

        statuses = [
            (await post(http, url, chat_body(model, user=u), OPENAI_HEADERS))[0] for u in ("a", "a", "b", "b")
        ]

        assert statuses == [503, 200, 503, 200]

    async def test_register_over_http_then_use(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        status, created = await post(
            http, fake_llm.base_url + "/_fake/scripts", {"name": "greeter", "replies": [{"text": "hi!"}]}, {}
        )
        _, body = await post(
            http, fake_llm.openai_base_url + "/chat/completions", chat_body(created["model"]), OPENAI_HEADERS
        )

        assert status == 200 and created == {"name": "greeter", "model": "fake/greeter"}
        assert body["choices"][0]["message"]["content"] == "hi!"

    @pytest.mark.parametrize(
        "script", [{"replies": []}, {"replies": [{"txt": "typo"}]}, {"name": "echo", "replies": [{}]}]
    )
    async def test_invalid_script_is_400(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer, script: dict[str, Any]
    ) -> None:
        status, _ = await post(http, fake_llm.base_url + "/_fake/scripts", script, {})

        assert status == 400

    async def test_loop_model_calls_the_tool_n_times_then_answers(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        url, model = fake_llm.openai_base_url + "/chat/completions", "fake/loop?tool=echo_tool&n=2"

        _, first = await post(http, url, chat_body(model), OPENAI_HEADERS)
        _, last = await post(http, url, chat_body(model, turns=2), OPENAI_HEADERS)

        call = first["choices"][0]["message"]["tool_calls"][0]["function"]
        assert call["name"] == "echo_tool" and json.loads(call["arguments"]) == {"text": "step 1"}
        assert last["choices"][0]["message"]["content"] == "done after 2 tool calls"

    async def test_stamped_deltas_carry_their_emission_time(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register([{"text": "abcdefgh", "chunk_size": 2, "chunk_delay_ms": 5, "stamp": True}])
        before = time.time()

        _, raw = await post(
            http,
            fake_llm.openai_base_url + "/chat/completions",
            chat_body(model, stream=True),
            OPENAI_HEADERS,
        )

        text = "".join(
            json.loads(e["data"])["choices"][0]["delta"].get("content") or "" for e in sse_blocks(raw)[:-1]
        )
        stamps = parse_stamps(text)
        assert strip_stamps(text) == "abcdefgh"
        assert len(stamps) == 4 and stamps == sorted(stamps)
        assert before - 1 < stamps[0] <= time.time()

    async def test_request_log_records_bodies_and_reset_clears_it(self, http: aiohttp.ClientSession) -> None:
        async with FakeLLMServer() as server:
            model = server.register([{"text": "x"}], "once")
            await post(
                http, server.openai_base_url + "/chat/completions", chat_body(model, user="logged"), {}
            )
            async with http.get(server.base_url + "/_fake/requests") as resp:
                log = (await resp.json())["requests"]
            await post(http, server.base_url + "/_fake/reset", {}, {})

            assert [r["body"]["messages"][0]["content"] for r in log] == ["logged"]
            assert log[0]["path"] == "/v1/chat/completions"
            assert server.requests() == []
            status, _ = await post(http, server.openai_base_url + "/chat/completions", chat_body(model), {})
            assert status == 404  # the script is gone too

    async def test_models_lists_registered_scripts_in_both_shapes(
        self, http: aiohttp.ClientSession, fake_llm: FakeLLMServer
    ) -> None:
        model = fake_llm.register([{"text": "x"}], "listed")

        async with http.get(fake_llm.openai_base_url + "/models", headers=OPENAI_HEADERS) as resp:
            openai_ids = [m["id"] for m in (await resp.json())["data"]]
        async with http.get(fake_llm.base_url + "/v1/models", headers=ANTHROPIC_HEADERS) as resp:
            anthropic_models = (await resp.json())["data"]

        assert model in openai_ids and "fake/echo" in openai_ids
        assert {"type": "model", "id": model}.items() <= next(
            m for m in anthropic_models if m["id"] == model
        ).items()


async def test_runs_standalone_from_the_command_line(http: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "openintern.testing.fake_llm", "--port", str(port), "--api-key", "k"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        try:
            assert process.stdout is not None
            assert "fake LLM listening" in process.stdout.readline().decode()  # printed once it listens
            body = chat_body("fake-echo", user="cli")
            url = f"http://127.0.0.1:{port}/v1/chat/completions"
            status, reply = await post(http, url, body, {"Authorization": "Bearer k"})
            assert status == 200 and reply["choices"][0]["message"]["content"] == "echo: cli"
        finally:
            process.terminate()
