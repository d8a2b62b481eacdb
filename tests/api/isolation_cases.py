"""The tenant-isolation table. Each issue that adds endpoints adds its rows (and, if it
needs objects of org B, a seeder) here; ``test_isolation.py`` runs them all.

A row is (method, path, json body). ``{b.…}`` placeholders are filled with org B's ids.
Every row is tried as org A with every narrowing trick (headers, query, body naming B);
the only acceptable answers are 403 (a scope A names but may not use) or 404 (B's object
does not exist for A).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from httpx import AsyncClient

Row = tuple[str, str, dict[str, Any] | None]

CASES: list[Row] = [
    ("GET", "/api/projects/{b.project_id}", None),
    ("PATCH", "/api/projects/{b.project_id}", {"name": "stolen"}),
    ("DELETE", "/api/projects/{b.project_id}", None),
    ("GET", "/api/keys/{b.key_id}", None),
    ("PATCH", "/api/keys/{b.key_id}", {"status": "disabled"}),
    ("POST", "/api/keys/{b.key_id}/revoke", None),
    ("PATCH", "/api/members/{b.user_id}", {"role": "viewer"}),
    ("DELETE", "/api/members/{b.user_id}", None),
]

# Lists that must never show any of org B's ids.
LISTS: list[str] = ["/api/projects", "/api/keys", "/api/members", "/api/users", "/api/audit", "/api/orgs"]

# Seeders create more of B's objects and return {name: id} for the placeholders.
Seeder = Callable[[AsyncClient, dict[str, str]], Awaitable[dict[str, str]]]
SEEDERS: list[Seeder] = []
