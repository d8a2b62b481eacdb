"""Checking a model's tool arguments on the way in and bounding the result on the way out.

Arguments are checked twice: first against the JSON schema the model was shown (Draft
2020-12, so the error names the same path the model sees), then by the Pydantic model,
which turns JSON into the Python values the function declared (``Literal``, models …).
Failures raise `ToolRetry`; the registry turns that into an error outcome the model reads.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import jsonschema
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from openintern.errors import ToolRetry
from openintern.tools.context import ToolOutcome

MAX_OUTPUT_CHARS = 64_000
"""Default bound on the text a tool returns to the model (~16k tokens): one runaway
result must not crowd the rest of the conversation out of the context window."""

MAX_SCHEMA_HINT_CHARS = 2_000
"""How much of the expected schema an argument error quotes back to the model."""

MAX_REPORTED_ERRORS = 5
"""A badly confused call can fail dozens of checks; the first few are enough to correct it."""


class ArgumentsValidator:
    """Parses and validates the raw JSON arguments of one tool."""

    def __init__(self, tool_name: str, schema: dict[str, Any], model: type[BaseModel]) -> None:
        jsonschema.Draft202012Validator.check_schema(schema)
        self._tool = tool_name
        self._schema = schema
        self._model = model
        self._validator = jsonschema.Draft202012Validator(schema)

    def parse(self, arguments_json: str) -> dict[str, Any]:
        """The keyword arguments for the function, or `ToolRetry` saying what is wrong."""
        arguments = self._load(arguments_json)
        errors = sorted(self._validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        if errors:
            self._fail(f"{_json_path(e)}: {e.message}" for e in errors)
        try:
            validated = self._model.model_validate(arguments)
        except ValidationError as exc:
            self._fail(f"$.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return {name: getattr(validated, name) for name in type(validated).model_fields}

    def _load(self, arguments_json: str) -> Any:
        # Some providers send "" for a call without arguments.
        if not arguments_json.strip():
            return {}
        try:
            return json.loads(arguments_json)
        except json.JSONDecodeError as exc:
            self._fail([f"$: the arguments are not valid JSON ({exc})"])

    def _fail(self, problems: Any) -> NoReturn:
        listed = list(problems)
        shown = "; ".join(listed[:MAX_REPORTED_ERRORS])
        if len(listed) > MAX_REPORTED_ERRORS:
            shown += f"; and {len(listed) - MAX_REPORTED_ERRORS} more"
        hint = json.dumps(self._schema, separators=(",", ":"))
        if len(hint) > MAX_SCHEMA_HINT_CHARS:
            hint = hint[:MAX_SCHEMA_HINT_CHARS] + "…"
        raise ToolRetry(f"invalid arguments for {self._tool}: {shown}; expected schema {hint}")


def _json_path(error: jsonschema.ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def render_output(result: Any, max_chars: int = MAX_OUTPUT_CHARS) -> ToolOutcome:
    """Turn a tool's return value into the bounded text the model sees.

    A string passes through; a `ToolOutcome` keeps its flags; anything else (dicts,
    lists, Pydantic models, numbers) becomes JSON text, and `data` holds its JSON form.
    """
    if isinstance(result, ToolOutcome):
        return ToolOutcome(truncate(result.content, max_chars), result.is_error, result.data)
    if isinstance(result, str):
        return ToolOutcome(truncate(result, max_chars), data=result)
    if result is None:
        return ToolOutcome("", data=None)
    data = to_jsonable_python(result, fallback=str)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return ToolOutcome(truncate(text, max_chars), data=data)


def truncate(text: str, max_chars: int) -> str:
    """`text` cut to `max_chars`, with a marker saying how much was left out."""
    if len(text) <= max_chars:
        return text
    dropped = len(text) - max_chars
    return f"{text[:max_chars]}\n[… output truncated: {dropped:,} of {len(text):,} characters left out]"
