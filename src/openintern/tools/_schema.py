"""A tool's JSON schema and description, read from its Python signature and docstring.

The parameters (all but a leading `ctx: ToolContext`) become a Pydantic model with
``extra="forbid"``, so a misspelt argument is reported to the model rather than dropped.
Per-parameter descriptions come from ``Annotated[..., Field(description=...)]`` or, when
absent, from a Google-style ``Args:`` section of the docstring.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from openintern.tools.context import ToolContext

_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Yields|Raises|Examples?|Notes?):\s*$")
_ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
# Keys under which a JSON schema nests further schemas; `title` is stripped only there,
# never from a `properties` mapping, where "title" may be a real parameter name.
_NESTED = ("items", "additionalProperties", "not", "if", "then", "else", "contains")
_NESTED_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_NESTED_MAPS = ("properties", "$defs", "patternProperties")


@dataclass(frozen=True)
class Signature:
    """What `Tool.from_function` needs from a function."""

    description: str
    model: type[BaseModel]
    parameters: dict[str, Any]
    takes_ctx: bool


def read_signature(fn: Callable[..., Any], name: str) -> Signature:
    """Describe `fn` as a tool named `name`; raises `TypeError` for untyped or *args parameters."""
    doc = inspect.getdoc(fn) or ""
    summary, arg_docs = _parse_docstring(doc)
    params = list(inspect.signature(fn).parameters.values())
    hints = typing.get_type_hints(fn, include_extras=True)
    takes_ctx = bool(params) and hints.get(params[0].name) is ToolContext
    fields = {p.name: _field(p, hints, arg_docs, name) for p in params[1 if takes_ctx else 0 :]}
    model = create_model(  # type: ignore[call-overload]
        _model_name(name), __config__=ConfigDict(extra="forbid"), **fields
    )
    schema = model.model_json_schema()
    schema.pop("title", None)
    _strip_titles(schema)
    schema.setdefault("properties", {})
    return Signature(summary, model, schema, takes_ctx)


def _field(
    param: inspect.Parameter, hints: dict[str, Any], arg_docs: dict[str, str], tool: str
) -> tuple[Any, FieldInfo]:
    if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
        raise TypeError(f"tool {tool}: parameter {param.name!r} must be a plain named parameter")
    if param.name not in hints:
        raise TypeError(f"tool {tool}: parameter {param.name!r} needs a type annotation")
    default = ... if param.default is param.empty else param.default
    doc = arg_docs.get(param.name)
    # Passing description=None would erase one given in Annotated[..., Field(...)].
    if doc and not _has_description(hints[param.name]):
        return hints[param.name], Field(default, description=doc)
    return hints[param.name], Field(default)


def _has_description(annotation: Any) -> bool:
    metadata = getattr(annotation, "__metadata__", ())
    return any(isinstance(m, FieldInfo) and m.description for m in metadata)


def _model_name(tool: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", tool)) + "Arguments"


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """The first paragraph (joined into one line) and the ``Args:`` entries."""
    first = doc.strip().split("\n\n")[0].splitlines()
    if first and _SECTION.match(first[0].strip()):
        first = []  # the docstring starts with "Args:": there is no summary
    summary = " ".join(line.strip() for line in first).strip()
    return summary, _parse_args_section(doc.splitlines())


def _parse_args_section(lines: list[str]) -> dict[str, str]:
    docs: dict[str, str] = {}
    current: str | None = None
    entry_indent: int | None = None  # the indent of the section's first entry
    in_args = False
    for line in lines:
        stripped, indent = line.strip(), len(line) - len(line.lstrip())
        if _SECTION.match(stripped) and indent == 0:
            in_args = stripped.startswith(("Args", "Arguments", "Parameters"))
            current, entry_indent = None, None
            continue
        if not in_args or not stripped:
            continue
        match = _ARG_LINE.match(stripped)
        if match and (entry_indent is None or indent <= entry_indent):
            entry_indent = indent
            current = match.group(1).lstrip("*")
            docs[current] = match.group(2).strip()
        elif current is not None:  # a deeper line continues the current entry
            docs[current] = f"{docs[current]} {stripped}".strip()
    return docs


def _strip_titles(schema: dict[str, Any]) -> None:
    # Pydantic titles every property ("Path", "Offset"); they add tokens and no meaning.
    if isinstance(schema.get("title"), str):
        del schema["title"]
    for key in _NESTED:
        if isinstance(schema.get(key), dict):
            _strip_titles(schema[key])
    for key in _NESTED_LISTS:
        for sub in schema.get(key, ()):
            if isinstance(sub, dict):
                _strip_titles(sub)
    for key in _NESTED_MAPS:
        for sub in (schema.get(key) or {}).values():
            if isinstance(sub, dict):
                _strip_titles(sub)
