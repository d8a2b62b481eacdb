"""Tools as plain typed functions, and the registry that calls them for the agent loop.

`ToolRegistry.call` never lets a tool crash a run: bad arguments, an unknown name, a
time-out or an exception all come back as an error `ToolOutcome` the model reads and may
act on. Only `ApprovalRequired` (and cancellation) propagate: the runtime handles them.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from openintern.errors import ApprovalRequired, Conflict, NotFound, ToolFailed, ToolRetry
from openintern.llm.messages import ToolSpec
from openintern.tools._schema import read_signature
from openintern.tools.context import Risk, ToolContext, ToolOutcome
from openintern.tools.validation import MAX_OUTPUT_CHARS, ArgumentsValidator, render_output

logger = logging.getLogger(__name__)

DEFAULT_TOOL_TIMEOUT_S = 60.0
"""Wall-clock bound on one call, so a hung tool cannot stall its run (and its worker slot)."""

CANCEL_GRACE_S = 5.0
"""How long a timed-out tool gets to clean up (e.g. kill its sandbox) after cancellation."""


@dataclass(frozen=True)
class Tool:
    """A function the model may call, with the schema and policy facts about it."""

    name: str
    description: str
    parameters: dict[str, Any]
    function: Callable[..., Any]
    risk: Risk = "low"
    idempotent: bool = True
    timeout_s: float = DEFAULT_TOOL_TIMEOUT_S
    max_output_chars: int = MAX_OUTPUT_CHARS
    takes_ctx: bool = True
    sandboxed: bool = False  # runs processes in the sandbox: refused where the host cannot confine them
    validator: ArgumentsValidator = field(repr=False, compare=False, kw_only=True)

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        risk: Risk = "low",
        idempotent: bool = True,
        timeout_s: float = DEFAULT_TOOL_TIMEOUT_S,
        max_output_chars: int = MAX_OUTPUT_CHARS,
        sandboxed: bool = False,
    ) -> Tool:
        """Describe `fn` (sync or async; optional first parameter ``ctx: ToolContext``)."""
        tool_name = name or fn.__name__
        sig = read_signature(fn, tool_name)
        return cls(
            name=tool_name,
            description=description if description is not None else sig.description,
            parameters=sig.parameters,
            function=fn,
            risk=risk,
            idempotent=idempotent,
            timeout_s=timeout_s,
            max_output_chars=max_output_chars,
            takes_ctx=sig.takes_ctx,
            sandboxed=sandboxed,
            validator=ArgumentsValidator(tool_name, sig.parameters, sig.model),
        )

    def spec(self) -> ToolSpec:
        """What the model is shown (built once: every run offers it, every step sends it)."""
        return self._spec

    @functools.cached_property
    def _spec(self) -> ToolSpec:
        return ToolSpec(name=self.name, description=self.description, parameters=self.parameters)

    async def invoke(self, kwargs: dict[str, Any], ctx: ToolContext) -> Any:
        """Run the function with validated arguments; sync functions run in a thread."""
        args = (ctx,) if self.takes_ctx else ()
        if inspect.iscoroutinefunction(self.function):
            return await self.function(*args, **kwargs)
        # Sync tools do file I/O; keep it off the event loop (a thread cannot be killed,
        # so a time-out abandons it: sync tools must be short or bounded themselves).
        return await asyncio.to_thread(self.function, *args, **kwargs)


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...
@overload
def tool(
    *,
    name: str | None = None,
    risk: Risk = "low",
    idempotent: bool = True,
    timeout_s: float = DEFAULT_TOOL_TIMEOUT_S,
    max_output_chars: int = MAX_OUTPUT_CHARS,
    sandboxed: bool = False,
) -> Callable[[Callable[..., Any]], Tool]: ...
def tool(
    fn: Callable[..., Any] | None = None, /, **options: Any
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Decorator form of `Tool.from_function`: ``@tool`` or ``@tool(risk="high")``."""
    if fn is not None:
        return Tool.from_function(fn)
    return lambda f: Tool.from_function(f, **options)


class ToolRegistry:
    """Named tools, their specs for the model, and the one safe way to call them."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            self.register(t)

    def register(self, item: Tool | Callable[..., Any], **options: Any) -> Tool:
        """Add a `Tool` (or a function, described with `options`); names are unique."""
        if isinstance(item, Tool) and options:
            raise TypeError("options describe a function; a Tool already carries its own")
        new = item if isinstance(item, Tool) else Tool.from_function(item, **options)
        if new.name in self._tools:
            raise Conflict(f"a tool named {new.name!r} is already registered", tool=new.name)
        self._tools[new.name] = new
        return new

    def get(self, name: str) -> Tool:
        """The tool called `name`, or `NotFound`."""
        try:
            return self._tools[name]
        except KeyError:
            raise NotFound("tool", name) from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._tools)

    def specs(self, names: Iterable[str] | None = None) -> list[ToolSpec]:
        """Specs of `names` (all tools when None), in the order given; unknown names raise `NotFound`."""
        return [self.get(n).spec() for n in (self.names() if names is None else names)]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    async def call(self, name: str, arguments_json: str, ctx: ToolContext) -> ToolOutcome:
        """Validate, run and render one call; every failure but `ApprovalRequired` is an outcome."""
        found = self._tools.get(name)
        if found is None:
            available = ", ".join(self.names()) or "none"
            return _error(f"unknown tool {name!r}; available tools: {available}", "unknown_tool")
        try:
            kwargs = found.validator.parse(arguments_json)
            result = await _within_deadline(found, kwargs, ctx)
        except ApprovalRequired:
            raise
        except ToolRetry as exc:
            return _error(exc.message, "retry")
        except ToolFailed as exc:
            return _error(f"tool {name} failed: {exc.message}", "failed")
        except _DeadlineExceeded:
            return _error(f"tool {name} took longer than its {found.timeout_s:g} s limit", "timeout")
        except Exception as exc:
            logger.exception("tool %s raised (run %s, call %s)", name, ctx.run_id, ctx.tool_call_id)
            return _error(f"tool {name} failed: {type(exc).__name__}: {exc}", "exception")
        if isinstance(result, str) and len(result) <= found.max_output_chars:
            return render_output(result, found.max_output_chars)
        # Serialising a large result is CPU work; keep it off the event loop.
        return await asyncio.to_thread(render_output, result, found.max_output_chars)


class _DeadlineExceeded(Exception):
    """The tool ran past its time limit (distinct from a `TimeoutError` the tool raises)."""


async def _within_deadline(found: Tool, kwargs: dict[str, Any], ctx: ToolContext) -> Any:
    task = asyncio.create_task(found.invoke(kwargs, ctx), name=f"tool:{found.name}:{ctx.tool_call_id}")
    try:
        done, _ = await asyncio.wait({task}, timeout=found.timeout_s)
    except BaseException:  # our caller was cancelled: take the tool down with us
        task.cancel()
        raise
    if not done:
        task.cancel()
        # Let the tool clean up (kill its sandbox), but never wait on it forever.
        await asyncio.wait({task}, timeout=CANCEL_GRACE_S)
        if task.done() and not task.cancelled():
            task.exception()  # retrieved, so asyncio does not warn that nobody looked
        raise _DeadlineExceeded
    return task.result()


def _error(message: str, kind: str) -> ToolOutcome:
    return ToolOutcome(message, is_error=True, data={"error": kind})
