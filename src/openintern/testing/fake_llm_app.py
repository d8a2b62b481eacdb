"""The aiohttp application behind the fake LLM server: routes, auth, request log.

See `fake_llm.py` for the endpoint list and how to run it.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from array import array
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from openintern.llm.embeddings import KNOWN_DIMS
from openintern.llm.hash_embedding import DEFAULT_HASH_DIM, hash_vector
from openintern.testing import fake_llm_anthropic, fake_llm_openai
from openintern.testing.fake_llm_scripts import Conversation, Reply, ScriptLibrary, UnknownModel, tokens

REQUEST_LOG_SIZE = 1000
"""Requests kept for `GET /_fake/requests`: enough for a test's assertions, bounded for
benchmarks that send millions."""

LIBRARY_KEY: web.AppKey[ScriptLibrary] = web.AppKey("library", ScriptLibrary)
LOG_KEY: web.AppKey[deque[dict[str, Any]]] = web.AppKey("log", deque)
API_KEY: web.AppKey[str] = web.AppKey("api_key", str)
_FAKE_EMBED = re.compile(r"fake/embed(?:-(\d+))?$")


@dataclass(frozen=True)
class _Wire:
    """One chat protocol's renderers."""

    conversation: Callable[[dict[str, Any]], Conversation]
    error: Callable[[int, str, dict[str, str] | None], web.Response]
    body: Callable[[str, Reply, Conversation], dict[str, Any]]
    stream: Callable[[web.Request, dict[str, Any], str, Reply, Conversation], Awaitable[web.StreamResponse]]
    bad_key: str


OPENAI = _Wire(
    fake_llm_openai.conversation,
    fake_llm_openai.error_response,
    fake_llm_openai.completion_body,
    fake_llm_openai.stream,
    "Incorrect API key provided. You can find your API key in your account.",
)
ANTHROPIC = _Wire(
    fake_llm_anthropic.conversation,
    fake_llm_anthropic.error_response,
    fake_llm_anthropic.message_body,
    fake_llm_anthropic.stream,
    "invalid x-api-key",
)


def _presented_key(request: web.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def _auth_failure(request: web.Request, wire: _Wire) -> web.Response | None:
    expected = request.app[API_KEY]
    if not expected or _presented_key(request) == expected:
        return None
    return wire.error(401, wire.bad_key, None)


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    entry = {
        "ts": time.time(),
        "method": request.method,
        "path": request.path,
        "headers": dict(request.headers),
    }
    request.app[LOG_KEY].append({**entry, "body": body})
    return body if isinstance(body, dict) else None


def _not_found(wire: _Wire, model: str) -> web.Response:
    return wire.error(404, f"The model `{model}` does not exist or you do not have access to it.", None)


async def _chat(request: web.Request, wire: _Wire) -> web.StreamResponse:
    """The common path of both chat protocols: auth, script, latency, error, render."""
    if (denied := _auth_failure(request, wire)) is not None:
        return denied
    body = await _json_body(request)
    if body is None or not isinstance(body.get("model"), str) or not isinstance(body.get("messages"), list):
        return wire.error(400, "the body must be a JSON object with 'model' and 'messages'", None)
    model, conv = body["model"], wire.conversation(body)
    library = request.app[LIBRARY_KEY]
    try:
        reply = library.reply_for(model, conv)
    except UnknownModel:
        return _not_found(wire, model)
    if reply.latency_ms:
        await asyncio.sleep(reply.latency_ms / 1000)
    if reply.error is not None and library.should_fail(model, conv, reply):
        message = reply.error.message or f"scripted failure (HTTP {reply.error.status})"
        return wire.error(reply.error.status, message, dict(reply.error.headers))
    if body.get("stream"):
        return await wire.stream(request, body, model, reply, conv)
    return web.json_response(wire.body(model, reply, conv))


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/completions."""
    return await _chat(request, OPENAI)


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /v1/messages."""
    return await _chat(request, ANTHROPIC)


def _embedding_dim(model: str, requested: object) -> int | None:
    if isinstance(requested, int) and requested > 0:
        return requested
    if model in KNOWN_DIMS:
        return KNOWN_DIMS[model]
    match = _FAKE_EMBED.match(model)
    if match:
        return int(match.group(1) or DEFAULT_HASH_DIM)
    return None


async def embeddings(request: web.Request) -> web.StreamResponse:
    """POST /v1/embeddings: LocalHashEmbedder vectors, so similarity is lexical and real."""
    if (denied := _auth_failure(request, OPENAI)) is not None:
        return denied
    body = await _json_body(request) or {}
    model, texts = str(body.get("model", "")), body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        return fake_llm_openai.error_response(400, "'input' must be a string or a list of strings")
    dim = _embedding_dim(model, body.get("dimensions"))
    if dim is None:
        return _not_found(OPENAI, model)
    data = []
    for index, text in enumerate(texts):
        vector: Any = hash_vector(text, dim)
        if body.get("encoding_format") == "base64":
            vector = base64.b64encode(array("f", vector).tobytes()).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    used = sum(tokens(len(t)) for t in texts)
    return web.json_response(
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": used, "total_tokens": used},
        }
    )


async def models(request: web.Request) -> web.StreamResponse:
    """GET /v1/models, in Anthropic's shape when the client sends `anthropic-version`."""
    ids = request.app[LIBRARY_KEY].model_ids()
    if "anthropic-version" in request.headers:
        data = [
            {"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"} for m in ids
        ]
        return web.json_response({"data": data, "has_more": False, "first_id": ids[0], "last_id": ids[-1]})
    listing: list[dict[str, Any]] = [
        {"id": m, "object": "model", "created": 0, "owned_by": "openintern-fake"} for m in ids
    ]
    return web.json_response({"object": "list", "data": listing})


async def register_script(request: web.Request) -> web.StreamResponse:
    """POST /_fake/scripts {"name"?, "replies": [...]} → {"name", "model"}."""
    try:
        body = await request.json()
        model = request.app[LIBRARY_KEY].register(body["replies"], body.get("name"))
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        return web.json_response({"error": f"invalid script: {exc}"}, status=400)
    return web.json_response({"name": model.removeprefix("fake/"), "model": model})


async def recent_requests(request: web.Request) -> web.StreamResponse:
    """GET /_fake/requests?limit=N: the most recent requests, oldest first."""
    entries: deque[dict[str, Any]] = request.app[LOG_KEY]
    log = list(entries)
    limit = int(request.query.get("limit", REQUEST_LOG_SIZE))
    return web.json_response({"requests": log[-limit:] if limit else []})


async def reset(request: web.Request) -> web.StreamResponse:
    """POST /_fake/reset: forget scripts, failure counters and the request log."""
    request.app[LIBRARY_KEY].reset()
    request.app[LOG_KEY].clear()
    return web.json_response({"ok": True})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(library: ScriptLibrary | None = None, api_key: str | None = None) -> web.Application:
    """The fake server's application; `api_key` (if set) must accompany every model request."""
    app = web.Application(client_max_size=64 * 1024**2)
    app[LIBRARY_KEY] = library or ScriptLibrary()
    app[LOG_KEY] = deque(maxlen=REQUEST_LOG_SIZE)
    app[API_KEY] = api_key or ""
    routes: list[tuple[str, str, Handler]] = [
        ("POST", "/v1/chat/completions", chat_completions),
        ("POST", "/v1/messages", messages),
        ("POST", "/v1/embeddings", embeddings),
        ("GET", "/v1/models", models),
        ("POST", "/_fake/scripts", register_script),
        ("GET", "/_fake/requests", recent_requests),
        ("POST", "/_fake/reset", reset),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app
