"""One suite, every `ChatModel`: the OpenAI and Anthropic adapters against the fake
server over real HTTP, and the in-process `ScriptedModel`.

Each behaviour is checked through `complete()` and through `stream()`, since both must
produce the same `ModelResponse`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import pytest

from openintern.errors import LLMAuthError, LLMHTTPError, LLMModelNotFound, LLMTimeout
from openintern.llm import (
    ChatModel,
    Message,
    ModelResponse,
    ModelSettings,
    RetryEvent,
    TextDelta,
    ToolSpec,
    cost_usd,
)
from tests.llm.targets import Target

ADD_TOOL = ToolSpec(
    name="add",
    description="Add two integers.",
    parameters={"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
)


async def call(
    model: ChatModel,
    messages: Sequence[Message],
    mode: str,
    *,
    tools: Sequence[ToolSpec] | None = None,
    settings: ModelSettings | None = None,
) -> ModelResponse:
    """One call through `complete()` or `stream()`; for streams, checks the stream contract."""
    if mode == "complete":
        return await model.complete(messages, tools=tools, settings=settings)
    events = [e async for e in model.stream(messages, tools=tools, settings=settings)]
    *deltas, final = events
    assert isinstance(final, ModelResponse)
    assert all(isinstance(d, TextDelta) for d in deltas)
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == final.text
    return final


def conversation(text: str = "What is the answer?") -> list[Message]:
    """A fresh conversation: a unique user turn keeps `error.times` counters apart."""
    return [Message.system("You are terse."), Message.user(f"{text} [{uuid.uuid4().hex[:8]}]")]


modes = pytest.mark.parametrize("mode", ["complete", "stream"])


@modes
async def test_plain_text_answer(target: Target, mode: str) -> None:
    model = target.build(target.register([{"text": "The answer is 42."}]))

    response = await call(model, conversation(), mode)

    assert response.text == "The answer is 42."
    assert response.tool_calls == []
    assert response.finish_reason == "stop"
    assert response.provider == target.provider
    assert response.model == model.model


async def test_stream_yields_several_deltas_then_one_response(target: Target) -> None:
    text = "Streaming arrives in pieces, " * 4
    model = target.build(target.register([{"text": text, "chunk_size": 5}]))

    events = [e async for e in model.stream(conversation())]

    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) >= len(text) // 5
    assert [type(e) for e in events].count(ModelResponse) == 1
    assert isinstance(events[-1], ModelResponse)
    assert "".join(d.text for d in deltas) == events[-1].text == text


@modes
async def test_tool_call_round_trip(target: Target, mode: str) -> None:
    script = [{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}, {"text": "2 + 3 = 5"}]
    model = target.build(target.register(script))
    messages = conversation("Add 2 and 3.")

    first = await call(model, messages, mode, tools=[ADD_TOOL])

    assert first.finish_reason == "tool_calls"
    [tool_call] = first.tool_calls
    assert tool_call.name == "add"
    assert json.loads(tool_call.arguments) == {"a": 2, "b": 3}
    assert tool_call.id

    messages += [first.to_message(), Message.tool(tool_call.id, "5", name="add")]
    second = await call(model, messages, mode, tools=[ADD_TOOL])

    assert second.text == "2 + 3 = 5"
    assert second.tool_calls == []


@modes
async def test_usage_is_reported(target: Target, mode: str) -> None:
    model = target.build(target.register([{"text": "Some words to count."}]))

    usage = (await call(model, conversation(), mode)).usage

    assert usage.prompt_tokens > 0
    assert usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


@modes
async def test_priced_model_has_cost(target: Target, mode: str) -> None:
    model = target.build("gpt-4o-mini")

    response = await call(model, conversation(), mode)

    assert response.cost_usd is not None
    assert response.cost_usd > 0
    assert response.cost_usd == pytest.approx(cost_usd("gpt-4o-mini", response.usage))


async def test_unpriced_model_has_no_cost(target: Target) -> None:
    model = target.build(target.register([{"text": "free?"}]))

    assert (await model.complete(conversation())).cost_usd is None


@modes
@pytest.mark.parametrize("status", [429, 503])
async def test_transient_error_is_retried_then_succeeds(target: Target, mode: str, status: int) -> None:
    error = {"status": status, "times": 2, "headers": {"retry-after": "0"}}
    retries: list[RetryEvent] = []
    model = target.build(target.register([{"text": "finally", "error": error}]), on_retry=retries.append)

    response = await call(model, conversation(), mode)

    assert response.text == "finally"
    assert [r.attempt for r in retries] == [1, 2]
    assert all(isinstance(r.error, LLMHTTPError) and r.error.status == status for r in retries)
    assert all(r.delay_s == 0 for r in retries)  # retry-after: 0 was honoured


@modes
async def test_rejected_key_raises_auth_error(target: Target, mode: str) -> None:
    model = target.rejected_key()
    retries: list[RetryEvent] = []
    model.on_retry = retries.append

    with pytest.raises(LLMAuthError) as caught:
        await call(model, conversation(), mode)

    assert caught.value.status == 401
    assert "API key" in str(caught.value)
    assert retries == []


@modes
async def test_unknown_model_raises_model_not_found(target: Target, mode: str) -> None:
    model = target.build("no-such-model-xyz")

    with pytest.raises(LLMModelNotFound, match="no-such-model-xyz"):
        await call(model, conversation(), mode)


@modes
async def test_slow_model_raises_timeout(target: Target, mode: str) -> None:
    model = target.build(target.register([{"text": "too late", "latency_ms": 5_000}]))

    with pytest.raises(LLMTimeout):
        await call(model, conversation(), mode, settings=ModelSettings(timeout=0.2))
