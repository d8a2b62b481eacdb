"""`openintern memory search|ingest` through a running platform's HTTP API (`cli/memory.py`
decides: `client.platform_client`), so that a command does not open the embedded database
a second time beside the platform. The answers have the same shape as the direct ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openintern.cli.client import Client

INGEST_TIMEOUT_S = 600.0
"""One file's upload, extraction, chunking and embedding (a long PDF takes minutes)."""


def scope_headers(org: str | None, project: str | None) -> dict[str, str]:
    """The org and project to act in (unset: the token's own)."""
    headers = {"X-Org-Id": org} if org else {}
    return headers | ({"X-Project-Id": project} if project else {})


def search(
    client: Client, query: str, *, top_k: int, tiers: list[str] | None, headers: dict[str, str]
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"query": query, "top_k": top_k}
    if tiers:
        body["tiers"] = tiers
    found = client.request("POST", "/api/memory/search", json=body, headers=headers)
    keys = ("memory_id", "title", "tier", "snippet", "score", "scores")
    return [{k: r[k] for k in keys} for r in found["results"]]


def ingest(
    client: Client,
    files: list[Path],
    sources: dict[Path, str],
    *,
    tier: str,
    headers: dict[str, str],
    done: Callable[[Path], None],
) -> list[dict[str, Any]]:
    """One upload per file (the API's limits are per request), each keyed by its path as
    the direct ingest keys it, so either way re-ingesting finds the same memories."""
    items = []
    for path in files:
        with path.open("rb") as fh:
            answer = client.request(
                "POST",
                "/api/memory/ingest",
                files=[("files", (path.name, fh))],
                data={"tier": tier, "source": sources[path]},
                headers=headers,
                timeout=INGEST_TIMEOUT_S,
            )
        item = answer["items"][0]
        items.append({**item, "filename": str(path)})
        done(path)
    return items
