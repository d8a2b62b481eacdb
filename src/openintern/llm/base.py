"""The `ChatModel` interface every provider adapter implements, and its configuration.

Connect and speak are separate: `ProviderConfig` says where and with which key; an adapter
(`llm/openai.py`, `llm/anthropic.py`) only maps the wire format through two hooks,
`_request` and `_open_stream`. Retries, the stream contract (text deltas, then exactly
one `ModelResponse`) and cost live here, once, so every adapter behaves the same.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Sequence

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from openintern.errors import LLMError
from openintern.llm.messages import Message, ModelResponse, TextDelta, ToolCall, ToolSpec, Usage
from openintern.llm.pricing import cost_usd
from openintern.llm.retry import RetryCallback, RetryPolicy, call_with_retries
from openintern.schemas.base import ProviderKind

DEFAULT_TIMEOUT_S = 120.0
"""Seconds without a byte from the provider before a call fails with `LLMTimeout`.

The SDKs default to 600 s, which lets one hung connection pin a worker slot for ten
minutes. Two minutes still covers a long non-streamed completion; it applies per read,
so a stream that keeps producing tokens is never cut off.
"""

DEFAULT_MAX_RETRIES = 3
"""Retries after the first attempt on 429 / 5xx / connection errors (4 tries in all)."""


class ModelSettings(BaseModel):
    """Per-call knobs; `None` means the provider's (or the config's) default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)
    timeout: float | None = Field(
        default=None, gt=0, description="Seconds; overrides ProviderConfig.timeout_s."
    )


class ProviderConfig(BaseModel):
    """Where a chat model lives and how to reach it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProviderKind = Field(
        description="Wire protocol; openai covers compatible servers, gemini is Google's "
        "OpenAI-compatible endpoint (the default base_url)."
    )
    model: str = Field(min_length=1, description="Model id sent to the provider, e.g. gpt-4o-mini.")
    api_key: SecretStr | None = Field(default=None, description="Provider key; never logged.")
    base_url: str | None = Field(
        default=None, description="Override for compatible or self-hosted endpoints."
    )
    timeout_s: float = Field(default=DEFAULT_TIMEOUT_S, gt=0)
    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0, le=10)

    def retry_policy(self) -> RetryPolicy:
        """The retry policy this config asks for."""
        return RetryPolicy(max_attempts=self.max_retries + 1)


class ChatModel(ABC):
    """A chat model: `complete()` for one answer, `stream()` for text as it arrives.

    Both take the same arguments and return the same `ModelResponse` (the stream yields it
    last), built by the same adapter code. Errors are `openintern.errors.LLMError`s.
    """

    provider: str
    model: str
    retry: RetryPolicy
    on_retry: RetryCallback | None

    def __init__(
        self, model: str, *, retry: RetryPolicy | None = None, on_retry: RetryCallback | None = None
    ):
        self.model = model
        self.retry = retry or RetryPolicy()
        self.on_retry = on_retry

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        settings: ModelSettings | None = None,
    ) -> ModelResponse:
        """Ask for one complete answer, retrying transient failures."""
        settings = settings or ModelSettings()
        return await call_with_retries(
            lambda: self._request(messages, tools or (), settings), self.retry, self.on_retry
        )

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        settings: ModelSettings | None = None,
    ) -> AsyncIterator[TextDelta | ModelResponse]:
        """Yield `TextDelta`s as they arrive, then exactly one final `ModelResponse`.

        Only opening the stream is retried: once text has been yielded, a retry would
        repeat it, so a failure mid-stream is raised to the caller.
        """
        settings = settings or ModelSettings()
        events = await call_with_retries(
            lambda: self._open_stream(messages, tools or (), settings), self.retry, self.on_retry
        )
        final: ModelResponse | None = None
        try:
            async for event in events:
                if final is not None:
                    raise LLMError(f"{self.provider} stream yielded {event.kind!r} after its final response")
                if isinstance(event, ModelResponse):
                    final = event
                yield event
        finally:
            await events.aclose()  # a consumer that stops early must not leak the connection
        if final is None:
            raise LLMError(f"{self.provider} stream ended without a final response (model {self.model})")

    @abstractmethod
    async def _request(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> ModelResponse:
        """One non-streamed attempt, with vendor errors mapped to `LLMError`s."""

    @abstractmethod
    async def _open_stream(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        """Open a stream (raising HTTP errors before any event) and return its events."""

    def _response(
        self,
        *,
        text: str,
        tool_calls: list[ToolCall],
        usage: Usage,
        model: str | None,
        finish_reason: str | None,
    ) -> ModelResponse:
        """Assemble the final response and price it (reported model first, then requested)."""
        reported = model or self.model
        cost = cost_usd(reported, usage)
        if cost is None and reported != self.model:
            cost = cost_usd(self.model, usage)
        return ModelResponse(
            text=text,
            tool_calls=tool_calls,
            usage=usage,
            model=reported,
            finish_reason=finish_reason,
            cost_usd=cost,
            provider=self.provider,
        )


class Embedder(ABC):
    """Turns texts into vectors of a fixed width.

    `model` and `dim` are recorded next to stored vectors: when either changes, the
    memory store re-embeds instead of comparing vectors from different spaces.
    """

    @property
    @abstractmethod
    def model(self) -> str:
        """Name of the embedding model."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """Width of every vector `embed` returns."""

    @abstractmethod
    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""


def effective_timeout(settings: ModelSettings, default_s: float) -> float:
    """The timeout of one call: the per-call setting wins over the provider config."""
    return settings.timeout if settings.timeout is not None else default_s
