"""Tools from typed functions, and `ToolRegistry.call` turning every failure into an outcome.

No database: the registry works on functions and a `ToolContext` only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from openintern.errors import ApprovalRequired, Conflict, NotFound, ToolFailed, ToolRetry
from openintern.llm.messages import ToolSpec
from openintern.tools import MAX_OUTPUT_CHARS, Tool, ToolContext, ToolOutcome, ToolRegistry, tool


async def add(
    ctx: ToolContext, a: int, b: Annotated[int, Field(description="The second number.")] = 1
) -> int:
    """Add two numbers.

    This paragraph is detail for people, not for the model.

    Args:
        a: The first number,
            which may be negative.
        b: Ignored here: the Annotated description wins.

    Returns:
        The sum.
    """
    return a + b


def shout(text: str, times: int = 1) -> str:
    """Shout the text.

    Args:
        text (str): What to shout.
    """
    return text.upper() * times


class Point(BaseModel):
    x: int
    y: int


def make_point(kind: Literal["origin", "unit"]) -> Point:
    """Return a point."""
    return Point(x=0, y=0) if kind == "origin" else Point(x=1, y=1)


@pytest.fixture
def registry() -> ToolRegistry:
    return ToolRegistry([Tool.from_function(add), Tool.from_function(shout), Tool.from_function(make_point)])


class TestSchemaFromSignature:
    def test_description_is_the_first_paragraph(self) -> None:
        assert Tool.from_function(add).description == "Add two numbers."

    def test_parameters_follow_the_signature_without_ctx(self) -> None:
        schema = Tool.from_function(add).parameters
        assert schema["type"] == "object"
        assert list(schema["properties"]) == ["a", "b"]
        assert schema["required"] == ["a"]
        assert schema["additionalProperties"] is False
        assert schema["properties"]["b"] == {
            "type": "integer",
            "default": 1,
            "description": "The second number.",
        }

    def test_args_section_describes_parameters_across_lines(self) -> None:
        schema = Tool.from_function(add).parameters
        assert schema["properties"]["a"]["description"] == "The first number, which may be negative."
        assert Tool.from_function(shout).parameters["properties"]["text"]["description"] == "What to shout."

    def test_titles_are_stripped_but_a_parameter_named_title_survives(self) -> None:
        def titled(title: str) -> str:
            """Echo a title."""
            return title

        schema = Tool.from_function(titled).parameters
        assert "title" not in schema
        assert schema["properties"] == {"title": {"type": "string"}}

    def test_literal_becomes_enum_and_function_without_ctx_is_supported(self) -> None:
        made = Tool.from_function(make_point)
        assert made.parameters["properties"]["kind"]["enum"] == ["origin", "unit"]
        assert made.takes_ctx is False

    def test_options_and_spec(self) -> None:
        made = Tool.from_function(shout, name="yell", risk="medium", idempotent=False)
        assert (made.name, made.risk, made.idempotent) == ("yell", "medium", False)
        assert made.spec() == ToolSpec(name="yell", description="Shout the text.", parameters=made.parameters)

    def test_decorator_forms(self) -> None:
        @tool
        def plain(x: int) -> int:
            """Plain."""
            return x

        @tool(risk="high", idempotent=False)
        def risky(x: int) -> int:
            """Risky."""
            return x

        assert isinstance(plain, Tool) and plain.risk == "low"
        assert (risky.risk, risky.idempotent) == ("high", False)

    def test_untyped_and_star_parameters_are_refused(self) -> None:
        def untyped(x):  # type: ignore[no-untyped-def]
            return x

        def star(*args: int) -> int:
            return 0

        with pytest.raises(TypeError, match="'x' needs a type annotation"):
            Tool.from_function(untyped)
        with pytest.raises(TypeError, match="'args' must be a plain named parameter"):
            Tool.from_function(star)


class TestRegistry:
    def test_names_get_and_specs(self, registry: ToolRegistry) -> None:
        assert registry.names() == ["add", "make_point", "shout"]
        assert registry.get("add").name == "add"
        assert [s.name for s in registry.specs(["shout", "add"])] == ["shout", "add"]
        assert len(registry.specs()) == 3 and "add" in registry and len(registry) == 3

    def test_unknown_name_and_duplicates_raise(self, registry: ToolRegistry) -> None:
        with pytest.raises(NotFound):
            registry.get("nope")
        with pytest.raises(NotFound):
            registry.specs(["add", "nope"])
        with pytest.raises(Conflict, match="already registered"):
            registry.register(add)

    def test_register_a_function_with_options(self, registry: ToolRegistry) -> None:
        made = registry.register(shout, name="shout2", risk="high")
        assert registry.get("shout2") is made and made.risk == "high"


class TestArgumentValidation:
    async def test_valid_call(self, registry: ToolRegistry, ctx: ToolContext) -> None:
        assert await registry.call("add", '{"a": 2, "b": 3}', ctx) == ToolOutcome("5", data=5)

    async def test_invalid_json(self, registry: ToolRegistry, ctx: ToolContext) -> None:
        outcome = await registry.call("add", '{"a": 2', ctx)
        assert outcome.is_error
        assert outcome.content.startswith("invalid arguments for add: $: the arguments are not valid JSON")
        assert "expected schema {" in outcome.content

    @pytest.mark.parametrize(
        ("arguments", "expected"),
        [
            ("{}", "$: 'a' is a required property"),
            ('{"a": "two"}', "$.a: 'two' is not of type 'integer'"),
            ('{"a": 1, "c": 2}', "('c' was unexpected)"),
            ("[1, 2]", "$: [1, 2] is not of type 'object'"),
        ],
    )
    async def test_schema_failures_name_the_field(
        self, registry: ToolRegistry, ctx: ToolContext, arguments: str, expected: str
    ) -> None:
        outcome = await registry.call("add", arguments, ctx)
        assert outcome.is_error and outcome.data == {"error": "retry"}
        assert outcome.content.startswith("invalid arguments for add: ")
        assert expected in outcome.content

    async def test_empty_arguments_mean_an_empty_object(self, ctx: ToolContext) -> None:
        def noargs() -> str:
            """No arguments."""
            return "ok"

        assert (await ToolRegistry([Tool.from_function(noargs)]).call("noargs", "", ctx)).content == "ok"

    async def test_unknown_tool_names_the_available_ones(
        self, registry: ToolRegistry, ctx: ToolContext
    ) -> None:
        outcome = await registry.call("nope", "{}", ctx)
        assert outcome.is_error
        assert outcome.content == "unknown tool 'nope'; available tools: add, make_point, shout"


class TestResults:
    async def test_str_passes_through_and_sync_tools_run(
        self, registry: ToolRegistry, ctx: ToolContext
    ) -> None:
        assert (await registry.call("shout", '{"text": "hi", "times": 2}', ctx)).content == "HIHI"

    async def test_pydantic_and_dict_results_become_json(self, ctx: ToolContext) -> None:
        def info() -> dict[str, Any]:
            """Info."""
            return {"name": "Zoë", "tags": ["a"]}

        registry = ToolRegistry([Tool.from_function(make_point), Tool.from_function(info)])
        point = await registry.call("make_point", '{"kind": "unit"}', ctx)
        assert (point.content, point.data) == ('{"x":1,"y":1}', {"x": 1, "y": 1})
        assert (await registry.call("info", "{}", ctx)).content == '{"name":"Zoë","tags":["a"]}'

    async def test_long_output_is_truncated_with_a_marker(self, ctx: ToolContext) -> None:
        def flood(n: int) -> str:
            """Flood."""
            return "x" * n

        registry = ToolRegistry([Tool.from_function(flood)])
        outcome = await registry.call("flood", f'{{"n": {MAX_OUTPUT_CHARS + 10}}}', ctx)
        assert outcome.content.startswith("x" * MAX_OUTPUT_CHARS + "\n[… output truncated: 10 of")
        assert len(outcome.data) == MAX_OUTPUT_CHARS + 10
        small = ToolRegistry([Tool.from_function(flood, max_output_chars=5)])
        assert (await small.call("flood", '{"n": 8}', ctx)).content.startswith(
            "xxxxx\n[… output truncated: 3 of 8"
        )


def _raising(exc: BaseException) -> Tool:
    async def boom(ctx: ToolContext) -> str:
        """Fail."""
        raise exc

    return Tool.from_function(boom)


class TestFailures:
    async def test_tool_retry_gives_its_message(self, ctx: ToolContext) -> None:
        outcome = await ToolRegistry([_raising(ToolRetry("use a smaller n"))]).call("boom", "{}", ctx)
        assert (outcome.content, outcome.is_error, outcome.data) == (
            "use a smaller n",
            True,
            {"error": "retry"},
        )

    async def test_tool_failed(self, ctx: ToolContext) -> None:
        outcome = await ToolRegistry([_raising(ToolFailed("disk full"))]).call("boom", "{}", ctx)
        assert (outcome.content, outcome.is_error) == ("tool boom failed: disk full", True)

    async def test_other_exceptions_are_reported_and_logged(
        self, ctx: ToolContext, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.ERROR, logger="openintern.tools.registry"):
            outcome = await ToolRegistry([_raising(ValueError("bad value"))]).call("boom", "{}", ctx)
        assert (outcome.content, outcome.is_error) == ("tool boom failed: ValueError: bad value", True)
        assert caplog.records[0].exc_info is not None

    async def test_a_timeout_error_raised_by_the_tool_is_not_our_time_limit(self, ctx: ToolContext) -> None:
        outcome = await ToolRegistry([_raising(TimeoutError("upstream"))]).call("boom", "{}", ctx)
        assert outcome.content == "tool boom failed: TimeoutError: upstream"

    async def test_approval_required_propagates(self, ctx: ToolContext) -> None:
        with pytest.raises(ApprovalRequired):
            await ToolRegistry([_raising(ApprovalRequired("ask"))]).call("boom", "{}", ctx)


class TestTimeLimit:
    async def test_async_tool_is_cancelled_and_cleans_up(self, ctx: ToolContext) -> None:
        cleaned = asyncio.Event()

        async def slow(ctx: ToolContext) -> str:
            """Slow."""
            try:
                await asyncio.sleep(30)
            finally:
                cleaned.set()
            return "never"

        registry = ToolRegistry([Tool.from_function(slow, timeout_s=0.1)])
        started = time.monotonic()
        outcome = await registry.call("slow", "{}", ctx)
        assert outcome.is_error and outcome.data == {"error": "timeout"}
        assert outcome.content == "tool slow took longer than its 0.1 s limit"
        assert cleaned.is_set() and time.monotonic() - started < 5

    async def test_sync_tool_time_limit(self, ctx: ToolContext) -> None:
        def sleepy() -> str:
            """Sleepy."""
            time.sleep(0.5)
            return "late"

        outcome = await ToolRegistry([Tool.from_function(sleepy, timeout_s=0.05)]).call("sleepy", "{}", ctx)
        assert outcome.content == "tool sleepy took longer than its 0.05 s limit"

    async def test_cancelling_the_caller_cancels_the_tool(self, ctx: ToolContext) -> None:
        cancelled = asyncio.Event()

        async def slow(ctx: ToolContext) -> str:
            """Slow."""
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return "never"

        task = asyncio.create_task(ToolRegistry([Tool.from_function(slow)]).call("slow", "{}", ctx))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
        assert cancelled.is_set()
