"""One SDK client per (kind, base_url, api_key) and event loop.

Each client owns an aiohttp connection pool, so reusing it is what makes 1,000
concurrent calls per process cheap. The pool is bound to the event loop it was first
used on, hence the per-loop cache: a client must never cross loops (tests and
`FakeLLMServer` run several).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Key = tuple[str, str | None, str | None]
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_Key, Any]] = weakref.WeakKeyDictionary()


def cached_client(kind: str, base_url: str | None, api_key: str | None, build: Callable[[], T]) -> T:
    """The client for this key on the running loop, built once by `build()`."""
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    key = (kind, base_url, api_key)
    if key not in per_loop:
        per_loop[key] = build()
    client: T = per_loop[key]
    return client


async def aclose_clients() -> None:
    """Close the clients of the running loop (call at shutdown to release sockets)."""
    per_loop = _clients.pop(asyncio.get_running_loop(), {})
    for client in per_loop.values():
        await client.close()
