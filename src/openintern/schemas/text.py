"""Storable text: what PostgreSQL can keep, made from whatever a model, a tool or a user sent.

PostgreSQL's ``text`` and ``jsonb`` cannot hold U+0000 (``\\u0000 cannot be converted to
text``), and a lone UTF-16 surrogate (U+D800–U+DFFF without its partner) is not valid
UTF-8, so neither orjson nor PostgreSQL accepts it. Both reach us legally: JSON allows
``"\\u0000"`` and ``"\\ud800"`` escapes, and a model or a tool may produce them. Every entry
point (the event writer, run input, memory writes) passes text through :func:`storable`,
which replaces each such character with U+FFFD (the replacement character) and leaves
everything else — other control characters included — as it was. A surrogate *pair* is
joined into the character it encodes.

Invariant: ``storable(storable(x)) == storable(x)``, and a value with nothing to replace is
returned as the same object (no copy), so the common case costs one scan per string.
"""

from __future__ import annotations

import json
import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")  # in JSON text: NUL or a surrogate half


def storable_text(value: str) -> str:
    """``value`` with NULs and lone surrogates replaced by U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", REPLACEMENT)
    if not value.isascii() and _SURROGATE.search(value) is not None:
        # UTF-16 with surrogatepass keeps a pair's halves together, so decoding joins each
        # pair into its character and turns each lone half into U+FFFD.
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value


def storable(value: Any) -> Any:
    """``value`` with every string in it (dict keys included, through lists and tuples)
    made storable; the same object when nothing needed replacing."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        out: dict[Any, Any] | None = None
        for i, (key, item) in enumerate(value.items()):
            new_key, new_item = storable(key), storable(item)
            if out is None and (new_key is not key or new_item is not item):
                out = dict(list(value.items())[:i])
            if out is not None:
                out[new_key] = new_item
        return value if out is None else out
    if isinstance(value, (list, tuple)):
        items = [storable(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def storable_json(text: str) -> str:
    """JSON text (e.g. a tool call's arguments) whose strings are made storable: its
    ``\\u0000`` and lone surrogate escapes decoded and replaced. Text that is not JSON
    is made storable as text."""
    if _UNSTORABLE_ESCAPE.search(text) is None:
        return storable_text(text)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return storable_text(text)
    fixed = storable(value)
    return text if fixed is value else json.dumps(fixed, ensure_ascii=False)
