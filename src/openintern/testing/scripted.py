"""`ScriptedModel`: an in-process `ChatModel` that answers from a script, no HTTP.

It uses the fake server's reply format and selection rule (`fake_llm_scripts.py`), so a
script behaves the same here and over HTTP: the reply is chosen by the number of
assistant messages in the request; `latency_ms` counts against the call's timeout
(→ `LLMTimeout`); `error` raises the matching `LLMHTTPError` subclass `times` times per
(script, turn, conversation), through the same retry policy as the real adapters.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from typing import Any

from openintern.errors import LLMTimeout
from openintern.llm._errors import http_error
from openintern.llm.base import DEFAULT_TIMEOUT_S, ChatModel, ModelSettings, effective_timeout
from openintern.llm.messages import Message, ModelResponse, TextDelta, ToolCall, ToolSpec, Usage
from openintern.llm.retry import RetryCallback, RetryPolicy
from openintern.testing.fake_llm_app import REQUEST_LOG_SIZE
from openintern.testing.fake_llm_scripts import (
    Conversation,
    Reply,
    ScriptLibrary,
    UnknownModel,
    chunks,
    completion_chars,
    stamp,
    tokens,
)


def conversation_of(messages: Sequence[Message]) -> Conversation:
    """The same view of a conversation the fake server takes of a request."""
    users = [m.content for m in messages if m.role == "user"]
    chars = sum(len(m.content) + sum(len(c.arguments) for c in m.tool_calls) for m in messages)
    return Conversation(
        turn=sum(1 for m in messages if m.role == "assistant"),
        first_user_text=users[0] if users else "",
        last_user_text=users[-1] if users else "",
        prompt_chars=chars,
    )


class ScriptedModel(ChatModel):
    """A `ChatModel` that plays a script.

    Either pass `replies` (the script itself), or a `library` and a `model` name resolved
    like the fake server does (``fake/<name>``, ``fake/echo``, ``fake/loop?…``, priced
    real ids echo; anything else raises `LLMModelNotFound` on call).
    """

    provider = "scripted"

    def __init__(
        self,
        replies: Iterable[Reply | Mapping[str, Any]] = (),
        *,
        model: str = "fake/scripted",
        library: ScriptLibrary | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
    ) -> None:
        super().__init__(model, retry=retry or RetryPolicy(base_delay_s=0.01), on_retry=on_retry)
        self.library = library or ScriptLibrary()
        self.timeout_s = timeout_s
        replies = list(replies)
        # The script key selects the replies; `model` is what responses report and are priced as.
        self._key = self.library.register(replies) if replies else model
        self.requests: deque[list[Message]] = deque(maxlen=REQUEST_LOG_SIZE)
        """The recent conversations this model was asked to continue, for assertions."""

    async def _reply(
        self, messages: Sequence[Message], settings: ModelSettings
    ) -> tuple[Reply, Conversation]:
        self.requests.append(list(messages))
        conv = conversation_of(messages)
        try:
            reply = self.library.reply_for(self._key, conv)
        except UnknownModel:
            raise http_error(
                404, {"error": "unknown model"}, {}, provider=self.provider, model=self.model
            ) from None
        timeout = effective_timeout(settings, self.timeout_s)
        if reply.latency_ms / 1000 > timeout:
            await asyncio.sleep(timeout)
            raise LLMTimeout(f"scripted model {self.model!r} sent nothing for {timeout:g} s")
        await asyncio.sleep(reply.latency_ms / 1000)
        if reply.error is not None and self.library.should_fail(self._key, conv, reply):
            body = {"error": reply.error.message or f"scripted failure (HTTP {reply.error.status})"}
            raise http_error(
                reply.error.status, body, reply.error.headers, provider=self.provider, model=self.model
            )
        return reply, conv

    def _final(self, reply: Reply, conv: Conversation, text: str) -> ModelResponse:
        calls = [
            ToolCall(id=f"call_{conv.turn}_{i}", name=c.name, arguments=json.dumps(c.arguments))
            for i, c in enumerate(reply.tool_calls)
        ]
        usage = Usage.of(tokens(conv.prompt_chars), tokens(completion_chars(reply)))
        finish = "tool_calls" if calls else "stop"
        return self._response(
            text=text, tool_calls=calls, usage=usage, model=self.model, finish_reason=finish
        )

    async def _request(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> ModelResponse:
        reply, conv = await self._reply(messages, settings)
        text = (stamp() if reply.stamp and reply.text else "") + reply.text
        return self._final(reply, conv, text)

    async def _open_stream(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        reply, conv = await self._reply(messages, settings)
        return self._events(reply, conv)

    async def _events(
        self, reply: Reply, conv: Conversation
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        pieces: list[str] = []
        for i, piece in enumerate(chunks(reply.text, reply.chunk_size)):
            if reply.chunk_delay_ms and i:
                await asyncio.sleep(reply.chunk_delay_ms / 1000)
            pieces.append((stamp() if reply.stamp else "") + piece)
            yield TextDelta(text=pieces[-1])
        yield self._final(reply, conv, "".join(pieces))
