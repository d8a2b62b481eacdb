"""The Anthropic Messages API adapter.

Mapping notes: system messages become the top-level `system` prompt; an assistant's tool
calls become `tool_use` blocks; tool results become `tool_result` blocks in a user turn;
consecutive turns of one role are merged, because the API requires alternating roles.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import anthropic
from anthropic.types import Message as WireMessage
from anthropic.types import RawMessageStreamEvent

from openintern.errors import LLMError, ProviderNotConfigured
from openintern.llm._clients import cached_client
from openintern.llm._errors import (
    connection_error,
    http_error,
    refused_connection,
    timeout_error,
    unsupported,
)
from openintern.llm.anthropic_stream import StreamState
from openintern.llm.base import ChatModel, ModelSettings, ProviderConfig, effective_timeout
from openintern.llm.messages import Message, ModelResponse, TextDelta, ToolCall, ToolSpec, Usage
from openintern.llm.retry import RetryCallback

DEFAULT_MAX_TOKENS = 4096
"""The Messages API requires `max_tokens`; this bounds an answer when the caller sets none."""

STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}
"""Anthropic stop reasons in the OpenAI vocabulary `ModelResponse.finish_reason` uses."""


def anthropic_client(base_url: str | None, api_key: str | None, timeout_s: float) -> anthropic.AsyncAnthropic:
    """The shared `AsyncAnthropic` client for this endpoint on the running loop (aiohttp backend)."""
    if api_key is None:
        raise ProviderNotConfigured(
            "no API key for Anthropic; set LLM_API_KEY / ANTHROPIC_API_KEY in the config"
        )

    def build() -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,  # llm/retry.py owns retries
            timeout=timeout_s,
            http_client=anthropic.DefaultAioHttpClient(),
        )

    return cached_client("anthropic", base_url, api_key, build)


@contextmanager
def map_anthropic_errors(*, model: str, base_url: str | None, timeout_s: float) -> Iterator[None]:
    """Translate Anthropic SDK exceptions into `openintern.errors`."""
    try:
        yield
    except anthropic.APITimeoutError as exc:  # before APIConnectionError: it subclasses it
        if refused_connection(exc):
            raise connection_error(
                exc.__cause__ or exc, provider="anthropic", model=model, base_url=base_url
            ) from exc
        raise timeout_error(provider="anthropic", model=model, timeout_s=timeout_s) from exc
    except anthropic.APIConnectionError as exc:
        raise connection_error(exc, provider="anthropic", model=model, base_url=base_url) from exc
    except anthropic.APIStatusError as exc:
        headers = dict(exc.response.headers)
        raise http_error(exc.status_code, exc.body, headers, provider="anthropic", model=model) from exc
    except anthropic.AnthropicError as exc:
        raise LLMError(f"anthropic: {exc}", provider="anthropic", model=model) from exc


def tool_input(arguments: str) -> dict[str, Any]:
    """Tool-call arguments as the JSON object `tool_use.input` must be.

    Arguments that are not a JSON object (a model can emit broken JSON) are wrapped
    rather than dropped, so the conversation can still be replayed.
    """
    try:
        value = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        return {"_raw_arguments": arguments}
    return value if isinstance(value, dict) else {"_raw_arguments": arguments}


def _blocks(message: Message) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [{"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.content}]
    # The API rejects empty text blocks.
    blocks: list[dict[str, Any]] = [{"type": "text", "text": message.content}] if message.content else []
    for call in message.tool_calls:
        blocks.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": tool_input(call.arguments)}
        )
    return blocks


def to_wire(messages: Sequence[Message]) -> tuple[str | None, list[dict[str, Any]]]:
    """(system prompt, messages) in Messages API form."""
    system = "\n\n".join(m.content for m in messages if m.role == "system") or None
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return system, turns


def usage_of(raw: Any) -> Usage:
    """Prompt tokens include cache reads and writes: they are all input the model read."""
    prompt = (
        (raw.input_tokens or 0)
        + (getattr(raw, "cache_read_input_tokens", None) or 0)
        + (getattr(raw, "cache_creation_input_tokens", None) or 0)
    )
    return Usage.of(prompt, raw.output_tokens or 0)


class AnthropicChatModel(ChatModel):
    """`ChatModel` over the Anthropic Messages API."""

    provider = "anthropic"

    def __init__(self, config: ProviderConfig, *, on_retry: RetryCallback | None = None) -> None:
        super().__init__(config.model, retry=config.retry_policy(), on_retry=on_retry)
        self.config = config

    def _call_args(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> tuple[anthropic.AsyncAnthropic, dict[str, Any], float]:
        timeout_s = effective_timeout(settings, self.config.timeout_s)
        key = self.config.api_key.get_secret_value() if self.config.api_key else None
        client = anthropic_client(self.config.base_url, key, self.config.timeout_s)
        system, turns = to_wire(messages)
        params: dict[str, Any] = {
            "model": self.model,
            "messages": turns,
            "max_tokens": settings.max_tokens or DEFAULT_MAX_TOKENS,
            "timeout": timeout_s,
        }
        if system:
            params["system"] = system
        if tools:
            params["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools
            ]
        if settings.temperature is not None:
            # This SDK version has no `temperature` argument; the API still accepts it.
            params["extra_body"] = {"temperature": settings.temperature}
        return client, params, timeout_s

    def _errors(self, timeout_s: float) -> AbstractContextManager[None]:
        return map_anthropic_errors(model=self.model, base_url=self.config.base_url, timeout_s=timeout_s)

    async def _request(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> ModelResponse:
        client, params, timeout_s = self._call_args(messages, tools, settings)
        with self._errors(timeout_s):
            reply: WireMessage = await client.messages.create(**params)
        text: list[str] = []
        calls: list[ToolCall] = []
        for block in reply.content:
            if block.type == "text":
                text.append(block.text)
            elif block.type == "tool_use":
                calls.append(ToolCall(id=block.id, name=block.name, arguments=json.dumps(block.input)))
            else:
                raise unsupported("anthropic", "content block", block.type)
        return self._response(
            text="".join(text),
            tool_calls=calls,
            usage=usage_of(reply.usage),
            model=reply.model,
            finish_reason=STOP_REASONS.get(reply.stop_reason or "", reply.stop_reason),
        )

    async def _open_stream(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        client, params, timeout_s = self._call_args(messages, tools, settings)
        with self._errors(timeout_s):
            events = await client.messages.create(stream=True, **params)
        return self._events(events, timeout_s)

    async def _events(
        self, events: anthropic.AsyncStream[RawMessageStreamEvent], timeout_s: float
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        state = StreamState()
        try:
            with self._errors(timeout_s):
                async for event in events:
                    delta = state.apply(event)
                    if delta:
                        yield TextDelta(text=delta)
        finally:
            await events.close()
        if not state.stopped:
            raise LLMError(f"anthropic stream for {self.model!r} ended before message_stop")
        yield self._response(
            text=state.text(),
            tool_calls=state.tool_calls(),
            usage=state.usage,
            model=state.model,
            finish_reason=STOP_REASONS.get(state.stop_reason or "", state.stop_reason),
        )
