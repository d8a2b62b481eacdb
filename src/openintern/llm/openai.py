"""The OpenAI chat-completions adapter (OpenAI and every compatible server).

Works against any base URL that speaks `/v1/chat/completions`: OpenAI, Azure, vLLM,
Ollama, LM Studio, DeepSeek, DashScope, Gemini's compatible endpoint, the fake server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import openai
import orjson
from openai.types.chat import ChatCompletion

from openintern.errors import LLMError, ProviderNotConfigured
from openintern.llm._clients import cached_client
from openintern.llm._errors import (
    connection_error,
    http_error,
    refused_connection,
    timeout_error,
    unsupported,
)
from openintern.llm.base import ChatModel, ModelSettings, ProviderConfig, effective_timeout
from openintern.llm.messages import Message, ModelResponse, TextDelta, ToolCall, ToolSpec, Usage
from openintern.llm.retry import RetryCallback
from openintern.schemas.text import storable

PLACEHOLDER_KEY = "not-needed"
"""Sent to self-hosted servers configured without a key (Ollama, vLLM ignore it); the
SDK refuses to start without one."""

# Reasoning models reject `max_tokens` and want `max_completion_tokens`, which many
# compatible servers do not know; so the newer name goes only to the models that need it.
_COMPLETION_TOKENS_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def _require_endpoint(base_url: str | None, api_key: str | None) -> None:
    if api_key is None and base_url is None:
        raise ProviderNotConfigured("no API key for OpenAI; set LLM_API_KEY or configure a base_url")


def openai_client(base_url: str | None, api_key: str | None, timeout_s: float) -> openai.AsyncOpenAI:
    """The shared `AsyncOpenAI` client for this endpoint on the running loop (aiohttp backend)."""
    _require_endpoint(base_url, api_key)

    def build() -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=api_key or PLACEHOLDER_KEY,
            base_url=base_url,
            max_retries=0,  # llm/retry.py owns retries
            timeout=timeout_s,
            http_client=openai.DefaultAioHttpClient(),
        )

    return cached_client("openai", base_url, api_key, build)


DEFAULT_BASE_URL = "https://api.openai.com/v1"


def http_session(base_url: str | None, api_key: str | None) -> aiohttp.ClientSession:
    """The shared aiohttp session for streamed calls to this endpoint on the running loop."""
    _require_endpoint(base_url, api_key)

    def build() -> aiohttp.ClientSession:
        headers = {
            "Authorization": f"Bearer {api_key or PLACEHOLDER_KEY}",
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
            "User-Agent": "openintern",
        }
        return aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=0))

    return cached_client("openai-stream", base_url, api_key, build)


@contextmanager
def _map_aiohttp_errors(
    *, model: str, base_url: str | None, timeout_s: float, provider: str = "openai"
) -> Iterator[None]:
    """aiohttp's failures as the same `openintern.errors` as `map_openai_errors`."""
    try:
        yield
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise timeout_error(provider=provider, model=model, timeout_s=timeout_s) from exc
    except aiohttp.ClientError as exc:
        raise connection_error(exc, provider=provider, model=model, base_url=base_url) from exc


_DONE: dict[str, Any] = {}  # sentinel: the stream's `data: [DONE]`


class _Chunks:
    """The chunks of a streamed chat completion, read straight off the wire.

    The streamed call is the hot path of every agent step. Through the SDK it cost a
    generic request pipeline (options, headers, httpx request, a transport shim onto aiohttp)
    and an SSE decoder per call: profiled at W1 it was ~37 % of a worker's event loop.
    Here it is one aiohttp POST and a line reader; the wire format is the same
    `data: {...}` lines the SDK parses (`data: [DONE]` ends it), errors map to the same
    `openintern.errors` as `map_openai_errors`.
    """

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        *,
        model: str,
        base_url: str | None,
        timeout_s: float,
        provider: str = "openai",
    ):
        self.response, self.model, self.base_url, self.timeout_s = response, model, base_url, timeout_s
        self.provider = provider

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        # Whatever has arrived is split into lines here: a line reader awaits once per line
        # (a dozen per answer), and that was most of the parsing cost at 1,000 streams.
        with _map_aiohttp_errors(
            model=self.model, base_url=self.base_url, timeout_s=self.timeout_s, provider=self.provider
        ):
            rest = b""
            async for data in self.response.content.iter_any():
                lines = (rest + data).split(b"\n")
                rest = lines.pop()
                for raw in lines:
                    chunk = self._chunk(raw)
                    if chunk is _DONE:
                        return
                    if chunk is not None:
                        yield chunk
            chunk = self._chunk(rest)  # a last line without its newline
            if chunk is not None and chunk is not _DONE:
                yield chunk

    def _chunk(self, raw: bytes) -> dict[str, Any] | None:
        """The JSON of a ``data:`` line; None for anything else (blank separators,
        comments, ``event:`` lines); `_DONE` for ``data: [DONE]``."""
        if not raw.startswith(b"data:"):
            return None
        data = raw[5:].strip()
        if data == b"[DONE]":
            return _DONE
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:  # e.g. a lone surrogate escape ("\\ud800"), which JSON allows
            chunk = storable(json.loads(data))
        if isinstance(chunk, dict) and chunk.get("error"):
            raise LLMError(
                f"{self.provider} stream error: {chunk['error']}", provider=self.provider, model=self.model
            )
        return chunk  # type: ignore[no-any-return]

    async def close(self) -> None:
        self.response.release()


def _wire(body: dict[str, Any]) -> bytes:
    """The request body; a conversation holding a lone surrogate (which orjson refuses) is
    sent with it replaced (`storable`)."""
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return orjson.dumps(storable(body))


async def _open_chunks(
    session: aiohttp.ClientSession,
    base_url: str | None,
    body: bytes,
    *,
    model: str,
    timeout_s: float,
    provider: str = "openai",
) -> _Chunks:
    url = (base_url or DEFAULT_BASE_URL).rstrip("/") + "/chat/completions"
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout_s, sock_read=timeout_s)
    with _map_aiohttp_errors(model=model, base_url=base_url, timeout_s=timeout_s, provider=provider):
        response = await session.post(url, data=body, timeout=timeout)
    if response.status >= 400:
        raw = await response.read()
        response.release()
        try:
            parsed: Any = orjson.loads(raw)
        except orjson.JSONDecodeError:
            parsed = raw.decode(errors="replace")
        body_out = parsed.get("error", parsed) if isinstance(parsed, dict) else parsed  # as the SDK
        raise http_error(response.status, body_out, dict(response.headers), provider=provider, model=model)
    return _Chunks(response, model=model, base_url=base_url, timeout_s=timeout_s, provider=provider)


@contextmanager
def map_openai_errors(
    *, model: str, base_url: str | None, timeout_s: float, provider: str = "openai"
) -> Iterator[None]:
    """Translate OpenAI SDK exceptions into `openintern.errors` (naming ``provider``: the
    same wire protocol serves Gemini's endpoint)."""
    try:
        yield
    except openai.APITimeoutError as exc:  # before APIConnectionError: it subclasses it
        if refused_connection(exc):
            raise connection_error(
                exc.__cause__ or exc, provider=provider, model=model, base_url=base_url
            ) from exc
        raise timeout_error(provider=provider, model=model, timeout_s=timeout_s) from exc
    except openai.APIConnectionError as exc:
        raise connection_error(exc, provider=provider, model=model, base_url=base_url) from exc
    except openai.APIStatusError as exc:
        headers = dict(exc.response.headers)
        raise http_error(exc.status_code, exc.body, headers, provider=provider, model=model) from exc
    except openai.OpenAIError as exc:
        raise LLMError(f"{provider}: {exc}", provider=provider, model=model) from exc


def to_wire_message(message: Message) -> dict[str, Any]:
    """One `Message` in chat-completions form."""
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.name and message.role in ("user", "system"):
        wire["name"] = message.name
    if message.tool_calls:
        wire["content"] = message.content or None
        wire["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    return wire


def to_wire_tool(tool: ToolSpec) -> dict[str, Any]:
    """One `ToolSpec` as a function tool."""
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
    }


def usage_of(raw: Any) -> Usage:
    """`Usage` from the SDK's usage object (absent on servers that ignore include_usage)."""
    if raw is None:
        return Usage()
    return Usage.of(raw.prompt_tokens or 0, raw.completion_tokens or 0)


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


async def _post(client: openai.AsyncOpenAI, body: dict[str, Any], timeout_s: float) -> ChatCompletion:
    """The non-streamed POST /chat/completions, through the SDK's transport with a body we built.

    `chat.completions.create()` first runs a generic, recursive transform over every
    parameter (our wire dicts are already in final form); profiled at W1 it was the largest
    single cost of a step (~16 % of the API process's CPU). `client.post` is the SDK's
    documented way to send a request as is, with the same auth, headers and timeout.
    (Streamed calls go through `_open_chunks`.)
    """
    options: openai.RequestOptions = {
        "timeout": timeout_s,
        "security": {"bearer_auth": True},
        "headers": {"Content-Type": "application/json"},
    }
    return await client.post(
        "/chat/completions",
        content=_wire(body),  # the whole conversation, every call: orjson, not json
        cast_to=ChatCompletion,
        options=options,
    )


class OpenAIChatModel(ChatModel):
    """`ChatModel` over `/v1/chat/completions`."""

    provider = "openai"

    def __init__(self, config: ProviderConfig, *, on_retry: RetryCallback | None = None) -> None:
        super().__init__(config.model, retry=config.retry_policy(), on_retry=on_retry)
        self.config = config

    def _call_args(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> tuple[dict[str, Any], float]:
        """The request body and the timeout of one call."""
        timeout_s = effective_timeout(settings, self.config.timeout_s)
        params: dict[str, Any] = {"model": self.model, "messages": [to_wire_message(m) for m in messages]}
        if tools:
            params["tools"] = [to_wire_tool(t) for t in tools]
        if settings.temperature is not None:
            params["temperature"] = settings.temperature
        if settings.max_tokens is not None:
            uses_new_name = self.model.startswith(_COMPLETION_TOKENS_PREFIXES)
            params["max_completion_tokens" if uses_new_name else "max_tokens"] = settings.max_tokens
        return params, timeout_s

    @property
    def _key(self) -> str | None:
        return self.config.api_key.get_secret_value() if self.config.api_key else None

    def _errors(self, timeout_s: float) -> AbstractContextManager[None]:
        return map_openai_errors(
            model=self.model, base_url=self.config.base_url, timeout_s=timeout_s, provider=self.provider
        )

    async def _request(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> ModelResponse:
        body, timeout_s = self._call_args(messages, tools, settings)
        client = openai_client(self.config.base_url, self._key, self.config.timeout_s)
        with self._errors(timeout_s):
            completion = await _post(client, body, timeout_s)
        if not completion.choices:
            raise LLMError(f"{self.provider} returned no choices for model {self.model!r}")
        choice = completion.choices[0]
        calls = []
        for call in choice.message.tool_calls or []:
            if call.type != "function":
                raise unsupported(self.provider, "tool call", call.type)
            calls.append(ToolCall(id=call.id, name=call.function.name, arguments=call.function.arguments))
        return self._response(
            text=choice.message.content or choice.message.refusal or "",
            tool_calls=calls,
            usage=usage_of(completion.usage),
            model=completion.model,
            finish_reason=choice.finish_reason,
        )

    async def _open_stream(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        body, timeout_s = self._call_args(messages, tools, settings)
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        session = http_session(self.config.base_url, self._key)
        chunks = await _open_chunks(
            session,
            self.config.base_url,
            _wire(body),
            model=self.model,
            timeout_s=timeout_s,
            provider=self.provider,
        )
        return self._events(chunks, timeout_s)

    async def _events(
        self, chunks: _Chunks, timeout_s: float
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        text: list[str] = []
        calls: dict[int, _PartialCall] = {}
        usage, model, finish = Usage(), None, None
        try:
            with self._errors(timeout_s):
                async for chunk in chunks:  # the wire JSON of a ChatCompletionChunk
                    model = chunk.get("model") or model
                    if chunk.get("usage"):
                        raw = chunk["usage"]
                        usage = Usage.of(raw.get("prompt_tokens") or 0, raw.get("completion_tokens") or 0)
                    for choice in (chunk.get("choices") or [])[:1]:
                        finish = choice.get("finish_reason") or finish
                        delta = choice.get("delta") or {}
                        if delta.get("content"):
                            text.append(delta["content"])
                            yield TextDelta(text=delta["content"])
                        for call in delta.get("tool_calls") or []:
                            self._merge_call(calls.setdefault(call["index"], _PartialCall()), call)
        finally:
            await chunks.close()
        tool_calls = [
            ToolCall(id=c.id, name=c.name, arguments="".join(c.arguments)) for _, c in sorted(calls.items())
        ]
        yield self._response(
            text="".join(text), tool_calls=tool_calls, usage=usage, model=model, finish_reason=finish
        )

    @staticmethod
    def _merge_call(partial: _PartialCall, delta: dict[str, Any]) -> None:
        if delta.get("type") not in (None, "function"):
            raise unsupported("openai", "tool call delta", delta["type"])
        partial.id = delta.get("id") or partial.id
        function = delta.get("function")
        if function is not None:
            partial.name = function.get("name") or partial.name
            if function.get("arguments"):
                partial.arguments.append(function["arguments"])
