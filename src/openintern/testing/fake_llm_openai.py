"""The OpenAI chat-completions protocol of the fake LLM: bodies, SSE chunks, errors.

Shapes follow the public API reference: `chat.completion` objects, `chat.completion.chunk`
SSE events as ``data: {json}`` lines ending with ``data: [DONE]``, a usage-only chunk
(empty `choices`) when `stream_options.include_usage` is set, and errors as
``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from aiohttp import web

from openintern.testing.fake_llm_scripts import (
    Conversation,
    Reply,
    chunks,
    completion_chars,
    stamp,
    tokens,
)

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


def text_of(content: Any) -> str:
    """Text of a message `content` (a string or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(text_of(p.get("text", p.get("content", ""))) for p in content if isinstance(p, dict))
    return ""


def conversation(body: dict[str, Any]) -> Conversation:
    """The protocol-neutral view of a chat-completions request."""
    messages = [m for m in body.get("messages", []) if isinstance(m, dict)]
    users = [text_of(m.get("content")) for m in messages if m.get("role") == "user"]
    chars = sum(len(text_of(m.get("content"))) + len(json.dumps(m.get("tool_calls") or [])) for m in messages)
    return Conversation(
        turn=sum(1 for m in messages if m.get("role") == "assistant"),
        first_user_text=users[0] if users else "",
        last_user_text=users[-1] if users else "",
        prompt_chars=chars,
    )


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """An error in OpenAI's shape."""
    kind, code = _ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers)


def _tool_calls(reply: Reply, turn: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{turn}_{i}",
            "type": "function",
            "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
        }
        for i, c in enumerate(reply.tool_calls)
    ]


def _usage(reply: Reply, conv: Conversation) -> dict[str, int]:
    prompt, completion = tokens(conv.prompt_chars), tokens(completion_chars(reply))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion_body(model: str, reply: Reply, conv: Conversation) -> dict[str, Any]:
    """A non-streamed `chat.completion`."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": (stamp() if reply.stamp else "") + reply.text
        if reply.text or not reply.tool_calls
        else None,
        "refusal": None,
    }
    if reply.tool_calls:
        message["tool_calls"] = _tool_calls(reply, conv.turn)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": _usage(reply, conv),
    }


class _ChunkWriter:
    """Writes `chat.completion.chunk` events sharing one id, model and timestamp."""

    def __init__(self, response: web.StreamResponse, model: str, include_usage: bool) -> None:
        self.response, self.include_usage = response, include_usage
        self.base = {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }

    async def choice(self, delta: dict[str, Any], finish_reason: str | None = None) -> None:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        extra = {"usage": None} if self.include_usage else {}
        await self.send({**self.base, "choices": [choice], **extra})

    async def send(self, payload: dict[str, Any] | str) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        await self.response.write(f"data: {data}\n\n".encode())


async def stream(
    request: web.Request, body: dict[str, Any], model: str, reply: Reply, conv: Conversation
) -> web.StreamResponse:
    """Stream `reply` as SSE chunks."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    out = _ChunkWriter(response, model, include_usage)
    delay = reply.chunk_delay_ms / 1000
    await out.choice({"role": "assistant", "content": "", "refusal": None})
    for i, piece in enumerate(chunks(reply.text, reply.chunk_size)):
        await _pause(delay, i)
        await out.choice({"content": (stamp() if reply.stamp else "") + piece})
    for index, call in enumerate(_tool_calls(reply, conv.turn)):
        head = {"index": index, "id": call["id"], "type": "function"}
        await out.choice(
            {"tool_calls": [{**head, "function": {"name": call["function"]["name"], "arguments": ""}}]}
        )
        for i, piece in enumerate(chunks(call["function"]["arguments"], reply.chunk_size)):
            await _pause(delay, i)
            await out.choice({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    await out.choice({}, "tool_calls" if reply.tool_calls else "stop")
    if include_usage:
        await out.send({**out.base, "choices": [], "usage": _usage(reply, conv)})
    await out.send("[DONE]")
    await response.write_eof()
    return response


async def _pause(delay: float, index: int) -> None:
    if delay and index:
        await asyncio.sleep(delay)
