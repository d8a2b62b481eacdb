"""The streamed OpenAI path (aiohttp straight to `/chat/completions`) beyond the conformance
suite: a server that is not there, a server that answers the stream with an error, and one
whose lines arrive cut at arbitrary bytes."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from openintern.errors import LLMConnectionError, LLMError
from openintern.llm import Message, ModelResponse, ProviderConfig, TextDelta, create_chat_model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_nobody_listening_is_a_connection_error_naming_the_url() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    model = create_chat_model(ProviderConfig(kind="openai", model="m", base_url=url, max_retries=0))
    with pytest.raises(LLMConnectionError, match=f"could not connect to {url}"):
        [e async for e in model.stream([Message.user("hi")])]


@asynccontextmanager
async def _server(pieces: list[bytes]) -> AsyncIterator[str]:
    """A /chat/completions that writes ``pieces`` one write (and one TCP flush) each."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in pieces:
            await response.write(piece)
            await asyncio.sleep(0.01)  # separate reads on the client
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


async def test_an_error_object_in_the_stream_is_an_llm_error() -> None:
    pieces = [
        b'data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n',
        b'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n',
    ]
    async with _server(pieces) as url:
        config = ProviderConfig(kind="openai", model="m", base_url=url, max_retries=0)
        with pytest.raises(LLMError, match="overloaded"):
            [e async for e in create_chat_model(config).stream([Message.user("hi")])]


async def test_lines_cut_anywhere_are_put_back_together() -> None:
    wire = (
        b": a comment\r\n\r\n"
        b'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\r\n\r\n'
        b"event: ignored\n"
        b'data: {"choices":[{"index":0,"delta":{"content":"lo, wor"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"ld"},"finish_reason":"stop"}]}\n\n'
        b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"choices":[{"index":0,"delta":{"content":"after the end"}}]}\n\n'
    )
    cuts = [0, 7, 8, 60, 61, 62, 100, 150, 151, 230, len(wire) - 40, len(wire)]
    async with _server([wire[a:b] for a, b in itertools.pairwise(cuts)]) as url:
        model = create_chat_model(ProviderConfig(kind="openai", model="m", base_url=url, max_retries=0))
        events = [e async for e in model.stream([Message.user("hi")])]
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    final = events[-1]
    assert isinstance(final, ModelResponse)
    assert "".join(deltas) == "Hello, world" == final.text
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (3, 4)
