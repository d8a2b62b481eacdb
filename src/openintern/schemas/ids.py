"""Identifiers: a readable prefix and a time-sortable ULID body (``run_01jd3k…``).

Time order in the id keeps b-tree inserts local and makes ``ORDER BY id`` a creation
order, which the cursors rely on.
"""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _ulid() -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A new id such as ``run_01jd3k8x…``: unique, sortable by creation time."""
    return f"{prefix}_{_ulid()}"
