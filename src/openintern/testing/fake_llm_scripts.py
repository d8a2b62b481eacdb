"""Scripts for the fake LLM: the reply format, model naming and reply selection.

Shared by the HTTP fake (`fake_llm.py`) and the in-process `ScriptedModel`, so both
answer the same script the same way.

A script is an ordered list of replies. The reply used for a request is
``replies[n]`` where ``n`` is the number of assistant messages already in the request;
past the end the last reply repeats. Selection is therefore stateless: deterministic,
safe under concurrency, and stable when a run resumes from a checkpoint.

Model names (the request's ``model`` selects the script):

- ``fake/<name>``: a script registered under ``<name>`` (``POST /_fake/scripts``).
- ``fake/echo`` (alias ``fake-echo``): answers ``echo: <last user text>``.
- ``fake/loop?tool=echo_tool&n=5&latency_ms=500&chunk_delay_ms=0``: calls ``tool`` with
  ``{"text": "step <i>"}`` ``n`` times, then answers ``done after <n> tool calls``.
- Any real model id with a list price (``gpt-4o-mini``, ``claude-3-5-haiku-latest`` …)
  behaves like ``fake/echo``, so cost accounting can be exercised.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field

from openintern.llm.pricing import price_of

SCRIPT_PREFIX = "fake/"
BUILTIN_NAMES = frozenset({"echo", "loop"})
DEFAULT_CHUNK_SIZE = 8
"""Characters per streamed delta: about two tokens, close to what real providers send."""

MAX_FAILURE_KEYS = 100_000
"""Bound on the `error.times` counters; past it they are cleared (a benchmark may run
millions of conversations, and an evicted counter only means one more failure)."""

STAMP_RE = re.compile(r"⟦ts=(\d+(?:\.\d+)?)⟧")
"""A streamed delta with `stamp: true` starts with ``⟦ts=<unix seconds, 6 decimals>⟧``,
the wall-clock time the server emitted it (e.g. ``⟦ts=1700000000.123456⟧``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FakeToolCall(_Strict):
    """A tool call the fake model will make."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class FakeError(_Strict):
    """Fail with this HTTP error `times` times per (script, turn, conversation), then succeed."""

    status: int = Field(default=429, ge=400, le=599)
    times: int = Field(default=1, ge=1)
    headers: dict[str, str] = Field(default_factory=dict)
    message: str | None = None


class Reply(_Strict):
    """One scripted model turn."""

    text: str = ""
    tool_calls: list[FakeToolCall] = Field(default_factory=list)
    latency_ms: int = Field(default=0, ge=0, description="Delay before the first byte.")
    chunk_delay_ms: int = Field(default=0, ge=0, description="Delay between streamed deltas.")
    chunk_size: int = Field(default=DEFAULT_CHUNK_SIZE, ge=1, description="Characters per streamed delta.")
    error: FakeError | None = None
    stamp: bool = Field(default=False, description="Prefix each streamed delta with its emission time.")


@dataclass(frozen=True)
class Conversation:
    """What the fake needs from a request, whichever protocol carried it."""

    turn: int
    """Assistant messages already in the request."""
    first_user_text: str
    last_user_text: str
    prompt_chars: int


@dataclass(frozen=True)
class UnknownModel(Exception):
    """The request named a model the fake does not serve."""

    model: str


def coerce_replies(replies: Iterable[Reply | Mapping[str, Any]]) -> list[Reply]:
    """Validate a script; it needs at least one reply."""
    result = [r if isinstance(r, Reply) else Reply.model_validate(r) for r in replies]
    if not result:
        raise ValueError("a script needs at least one reply")
    return result


def select(replies: Sequence[Reply], turn: int) -> Reply:
    """The reply for `turn`; past the end, the last one."""
    return replies[min(turn, len(replies) - 1)]


def loop_replies(query: str) -> list[Reply]:
    """The replies of ``fake/loop?tool=…&n=…&latency_ms=…&chunk_delay_ms=…``."""
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    n = int(params.get("n", "3"))
    tool = params.get("tool", "echo_tool")
    timing = {k: int(params[k]) for k in ("latency_ms", "chunk_delay_ms") if k in params}
    calls = [
        Reply(tool_calls=[FakeToolCall(name=tool, arguments={"text": f"step {i + 1}"})], **timing)
        for i in range(n)
    ]
    return [*calls, Reply(text=f"done after {n} tool calls", **timing)]


class ScriptLibrary:
    """Registered scripts, built-in models, and the `error.times` counters."""

    def __init__(self) -> None:
        self._scripts: dict[str, list[Reply]] = {}
        self._failures: dict[tuple[str, int, str], int] = {}

    def register(self, replies: Iterable[Reply | Mapping[str, Any]], name: str | None = None) -> str:
        """Store a script; returns the model name that selects it (``fake/<name>``)."""
        name = name or uuid.uuid4().hex[:12]
        if name in BUILTIN_NAMES or not re.fullmatch(r"[\w.\-]+", name):
            raise ValueError(f"invalid script name {name!r} (reserved or not [A-Za-z0-9_.-]+)")
        self._scripts[name] = coerce_replies(replies)
        return SCRIPT_PREFIX + name

    def reset(self) -> None:
        """Forget scripts and failure counters."""
        self._scripts.clear()
        self._failures.clear()

    def model_ids(self) -> list[str]:
        """Every model name served without parameters."""
        return ["fake/echo", "fake-echo", "fake/loop", *(SCRIPT_PREFIX + n for n in self._scripts)]

    def resolve(self, model: str) -> list[Reply] | None:
        """The script for `model`, or None (echo) — raises `UnknownModel`."""
        if model == "fake-echo":
            return None
        if model.startswith(SCRIPT_PREFIX):
            name, _, query = model[len(SCRIPT_PREFIX) :].partition("?")
            if name == "echo":
                return None
            if name == "loop":
                return loop_replies(query)
            if name in self._scripts:
                return self._scripts[name]
        elif price_of(model) is not None:
            return None
        raise UnknownModel(model)

    def reply_for(self, model: str, conversation: Conversation) -> Reply:
        """The reply to `conversation` under `model` (raises `UnknownModel`)."""
        replies = self.resolve(model)
        if replies is None:
            return Reply(text=f"echo: {conversation.last_user_text}")
        return select(replies, conversation.turn)

    def should_fail(self, model: str, conversation: Conversation, reply: Reply) -> bool:
        """Count one attempt at this turn; True while the reply's error has times left."""
        if reply.error is None:
            return False
        key = (model, conversation.turn, conversation.first_user_text)
        if len(self._failures) >= MAX_FAILURE_KEYS:
            self._failures.clear()
        failed = self._failures.get(key, 0)
        if failed >= reply.error.times:
            return False
        self._failures[key] = failed + 1
        return True


def tokens(chars: int) -> int:
    """About four characters per token, at least one: deterministic and never zero."""
    return max(1, math.ceil(chars / 4))


def completion_chars(reply: Reply) -> int:
    """Characters of generated output (text and tool arguments)."""
    return len(reply.text) + sum(len(c.name) + len(json.dumps(c.arguments)) for c in reply.tool_calls)


def stamp() -> str:
    """The emission-time prefix (see `STAMP_RE`)."""
    return f"⟦ts={time.time():.6f}⟧"


def parse_stamps(text: str) -> list[float]:
    """The emission times stamped into streamed text, in order."""
    return [float(m) for m in STAMP_RE.findall(text)]


def strip_stamps(text: str) -> str:
    """`text` without its stamps."""
    return STAMP_RE.sub("", text)


def chunks(text: str, size: int) -> list[str]:
    """`text` cut into deltas of `size` characters."""
    return [text[i : i + size] for i in range(0, len(text), size)]
