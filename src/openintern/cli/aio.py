"""The event loop of the CLI's long-running processes (`openintern worker`, `openintern dev
fake-llm`): uvloop when it is installed, asyncio's own loop otherwise.

uvicorn[standard] brings uvloop on Linux and macOS, and `openintern serve`'s API already
runs on it through uvicorn. A worker spends much of its CPU in the loop itself: a socket
read for every streamed token and a wake-up for every database reply. On asyncio's
selector loop that was a third of a worker's samples at bench W3 (100 runs streaming)."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def uvloop_installed() -> bool:
    """Whether these processes run on uvloop (e.g. not on Windows: it does not exist there)."""
    return importlib.util.find_spec("uvloop") is not None


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, on uvloop when it is installed."""
    if not uvloop_installed():
        return asyncio.run(main)
    import uvloop

    return uvloop.run(main)


def loop_name() -> str:
    """ "uvloop" or "asyncio": which loop this coroutine runs on (for start-up lines)."""
    return "uvloop" if type(asyncio.get_running_loop()).__module__.startswith("uvloop") else "asyncio"
