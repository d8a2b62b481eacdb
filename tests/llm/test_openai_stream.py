"""The streamed OpenAI path (aiohttp straight to `/chat/completions`) beyond the conformance
suite: a server that is not there, and a server that answers the stream with an error."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web

from openintern.errors import LLMConnectionError, LLMError
from openintern.llm import Message, ProviderConfig, create_chat_model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_nobody_listening_is_a_connection_error_naming_the_url() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    model = create_chat_model(ProviderConfig(kind="openai", model="m", base_url=url, max_retries=0))
    with pytest.raises(LLMConnectionError, match=f"could not connect to {url}"):
        [e async for e in model.stream([Message.user("hi")])]


async def test_an_error_object_in_the_stream_is_an_llm_error() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b'data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n')
        await response.write(b'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n')
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        config = ProviderConfig(
            kind="openai", model="m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0
        )
        with pytest.raises(LLMError, match="overloaded"):
            [e async for e in create_chat_model(config).stream([Message.user("hi")])]
    finally:
        await runner.cleanup()
