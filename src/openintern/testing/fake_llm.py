"""A protocol-faithful fake OpenAI / Anthropic server over real HTTP (aiohttp).

Tests and benchmarks point the real adapters at it, so the runtime is always exercised
through the SDKs, real sockets and real SSE framing. Endpoints:

- ``POST /v1/chat/completions``: OpenAI; JSON, or SSE with ``stream: true`` (tool-call
  deltas; a usage chunk when ``stream_options.include_usage``; ``data: [DONE]``).
- ``POST /v1/messages``: Anthropic; JSON, or SSE with the documented event sequence.
- ``POST /v1/embeddings``: deterministic lexical vectors (the `LocalHashEmbedder`);
  models ``fake/embed`` (384), ``fake/embed-<dim>``, ``text-embedding-3-small|large``;
  ``dimensions`` is honoured; ``encoding_format`` float or base64.
- ``GET /v1/models``: served model ids (Anthropic's shape if ``anthropic-version`` is sent).
- ``POST /_fake/scripts`` ``{"name"?, "replies": [...]}`` → ``{"name", "model"}``;
  ``GET /_fake/requests?limit=N`` (recent requests, bounded); ``POST /_fake/reset``.

Model naming, the reply format and the selection rule are in `fake_llm_scripts.py`.
With ``api_key`` set, a wrong ``Authorization: Bearer`` / ``x-api-key`` is a 401 in the
protocol's error shape; an unknown model is a 404 in that shape.

Run it: ``with FakeLLMServer() as srv: srv.openai_base_url`` (background thread, free
port on 127.0.0.1), ``async with FakeLLMServer() as srv`` (current loop), or
``python -m openintern.testing.fake_llm --port 8999``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from openintern.testing.fake_llm_app import LOG_KEY, create_app
from openintern.testing.fake_llm_scripts import Reply, ScriptLibrary

LISTEN_BACKLOG = 4096
"""Accept queue: a benchmark opens 1,000+ connections at once, and the default (128)
makes the overflow wait for SYN retransmits (1 s and more)."""

SHUTDOWN_TIMEOUT_S = 1.0
"""Grace for in-flight requests at stop; scripted latencies would otherwise hold it up."""

_START_TIMEOUT_S = 10.0


class FakeLLMServer:
    """The fake server, run in a background thread (`with`) or on the current loop (`async with`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, api_key: str | None = None) -> None:
        self.host, self.port, self.api_key = host, port, api_key
        self.library = ScriptLibrary()
        self._app = create_app(self.library, api_key)
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` (the Anthropic SDK's base_url)."""
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """``http://host:port/v1`` (the OpenAI SDK's base_url)."""
        return self.base_url + "/v1"

    def register(self, replies: Iterable[Reply | Mapping[str, Any]], name: str | None = None) -> str:
        """Register a script in-process; returns its model name (``fake/<name>``)."""
        return self.library.register(replies, name)

    def requests(self) -> list[dict[str, Any]]:
        """The recent request log (path, headers, JSON body), oldest first."""
        log: deque[dict[str, Any]] = self._app[LOG_KEY]
        return list(log)

    def reset(self) -> None:
        """Forget scripts, failure counters and the request log."""
        self.library.reset()
        self._app[LOG_KEY].clear()

    async def start(self) -> None:
        """Listen on the current event loop."""
        runner = web.AppRunner(
            self._app, access_log=None, handler_cancellation=True, shutdown_timeout=SHUTDOWN_TIMEOUT_S
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=LISTEN_BACKLOG, reuse_address=True)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and release the port."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLLMServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def __enter__(self) -> FakeLLMServer:
        started = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run_thread, args=(started, failure), name=f"fake-llm-{id(self):x}", daemon=True
        )
        self._thread.start()
        if not started.wait(_START_TIMEOUT_S) or failure:
            raise RuntimeError(f"fake LLM server did not start: {failure[0] if failure else 'timeout'}")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(_START_TIMEOUT_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_START_TIMEOUT_S)
        self._loop, self._thread = None, None

    def _run_thread(self, started: threading.Event, failure: list[BaseException]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.start())
        except BaseException as exc:  # reported to __enter__, which raises it
            failure.append(exc)
            started.set()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()


async def serve(host: str = "127.0.0.1", port: int = 8999, *, api_key: str | None = None) -> None:
    """Run the fake server until cancelled (used by ``openintern dev fake-llm``)."""
    async with FakeLLMServer(host, port, api_key=api_key) as server:
        print(
            f"fake LLM listening on {server.base_url} (OpenAI base_url {server.openai_base_url})", flush=True
        )
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m openintern.testing.fake_llm [--host H] [--port P] [--api-key K]``."""
    parser = argparse.ArgumentParser(description="Fake OpenAI/Anthropic server for tests and benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--api-key", default=None, help="require this key (otherwise any key is accepted)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, api_key=args.api_key))


if __name__ == "__main__":
    main()
