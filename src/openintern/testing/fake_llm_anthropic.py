"""The Anthropic Messages protocol of the fake LLM: bodies, SSE events, errors.

Streams follow the documented order: ``message_start``, then per content block
``content_block_start`` → ``content_block_delta``* (``text_delta`` or
``input_json_delta``) → ``content_block_stop``, then ``message_delta`` (stop reason and
output usage) and ``message_stop``; each as ``event: <type>`` + ``data: {json}``. A
``ping`` follows the first block start, as the real API sends one. Errors are
``{"type": "error", "error": {"type", "message"}}``.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import web

from openintern.testing.fake_llm_openai import text_of
from openintern.testing.fake_llm_scripts import (
    Conversation,
    Reply,
    chunks,
    completion_chars,
    stamp,
    tokens,
)

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


def _user_text(content: Any) -> str:
    # A user turn may carry only tool_result blocks; those are not "what the user said".
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return text_of(content)


def conversation(body: dict[str, Any]) -> Conversation:
    """The protocol-neutral view of a Messages request."""
    messages = [m for m in body.get("messages", []) if isinstance(m, dict)]
    users = [t for m in messages if m.get("role") == "user" and (t := _user_text(m.get("content")))]
    system = text_of(body.get("system", ""))
    chars = len(system) + sum(len(json.dumps(m.get("content", ""))) for m in messages)
    return Conversation(
        turn=sum(1 for m in messages if m.get("role") == "assistant"),
        first_user_text=users[0] if users else "",
        last_user_text=users[-1] if users else "",
        prompt_chars=chars,
    )


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """An error in Anthropic's shape."""
    kind = _ERROR_TYPES.get(status, "api_error")
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return web.json_response(body, status=status, headers={"request-id": _id("req"), **(headers or {})})


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def _content(reply: Reply, turn: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
    for i, call in enumerate(reply.tool_calls):
        blocks.append(
            {"type": "tool_use", "id": f"toolu_{turn}_{i}", "name": call.name, "input": call.arguments}
        )
    return blocks


def _message(model: str, reply: Reply, conv: Conversation, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": _id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": tokens(conv.prompt_chars), "output_tokens": 1},
    }


def message_body(model: str, reply: Reply, conv: Conversation) -> dict[str, Any]:
    """A non-streamed `message`."""
    content = _content(reply, conv.turn)
    if reply.stamp and content and content[0]["type"] == "text":
        content[0]["text"] = stamp() + content[0]["text"]
    body = _message(model, reply, conv, content)
    body["stop_reason"] = "tool_use" if reply.tool_calls else "end_turn"
    body["usage"]["output_tokens"] = tokens(completion_chars(reply))
    return body


async def stream(
    request: web.Request, body: dict[str, Any], model: str, reply: Reply, conv: Conversation
) -> web.StreamResponse:
    """Stream `reply` as Messages SSE events."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "request-id": _id("req")}
    )
    await response.prepare(request)

    async def event(payload: dict[str, Any]) -> None:
        await response.write(f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n".encode())

    delay = reply.chunk_delay_ms / 1000
    await event({"type": "message_start", "message": _message(model, reply, conv, [])})
    for index, block in enumerate(_content(reply, conv.turn)):
        if block["type"] == "text":
            await event(
                {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
            )
            pieces = [(stamp() if reply.stamp else "") + p for p in chunks(block["text"], reply.chunk_size)]
            deltas = [{"type": "text_delta", "text": p} for p in pieces]
        else:
            start = {**block, "input": {}}
            await event({"type": "content_block_start", "index": index, "content_block": start})
            arguments = json.dumps(block["input"])
            deltas = [
                {"type": "input_json_delta", "partial_json": p} for p in chunks(arguments, reply.chunk_size)
            ]
        if index == 0:
            await event({"type": "ping"})
        for i, delta in enumerate(deltas):
            if delay and i:
                await asyncio.sleep(delay)
            await event({"type": "content_block_delta", "index": index, "delta": delta})
        await event({"type": "content_block_stop", "index": index})
    stop_reason = "tool_use" if reply.tool_calls else "end_turn"
    usage = {"output_tokens": tokens(completion_chars(reply))}
    await event(
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": usage,
        }
    )
    await event({"type": "message_stop"})
    await response.write_eof()
    return response
