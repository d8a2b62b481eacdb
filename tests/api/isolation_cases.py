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
    ("GET", "/api/orgs/{b.org_id}", None),
    ("PATCH", "/api/orgs/{b.org_id}", {"allow_private_base_urls": False}),  # issue 15
    ("PATCH", "/api/orgs/{b.org_id}", {"name": "stolen"}),
    # runs (issue 3)
    ("GET", "/api/runs/{b.run_id}", None),
    ("POST", "/api/runs/{b.run_id}/cancel", None),
    ("GET", "/api/runs/{b.run_id}/events", None),
    ("GET", "/api/runs/{b.run_id}/stream", None),
    ("GET", "/api/runs/{b.run_id}/trace", None),
    ("GET", "/api/runs/{b.run_id}/export", None),
    ("GET", "/api/approvals/{b.approval_id}", None),
    ("POST", "/api/approvals/{b.approval_id}/approve", {"comment": "stolen"}),
    ("POST", "/api/approvals/{b.approval_id}/reject", None),
    ("POST", "/api/providers/{b.provider_id}/test", None),
    ("DELETE", "/api/providers/{b.provider_id}", None),
    ("DELETE", "/api/tool-policies/{b.policy_id}", None),
    # memory (issue 4)
    ("GET", "/api/memory/{b.memory_id}", None),
    ("PATCH", "/api/memory/{b.memory_id}", {"title": "stolen"}),
    ("DELETE", "/api/memory/{b.memory_id}", None),
    # teams (issue 16)
    ("GET", "/api/roles/{b.role_id}", None),
    ("PUT", "/api/roles/{b.role_id}", {"name": "stolen"}),
    ("DELETE", "/api/roles/{b.spare_role_id}", None),
    ("GET", "/api/roles/{b.role_id}/stats", None),
    ("POST", "/api/roles/batch-delete", {"ids": ["{b.spare_role_id}"]}),
    ("GET", "/api/groups/{b.group_id}", None),
    ("PUT", "/api/groups/{b.group_id}", {"name": "stolen"}),
    ("DELETE", "/api/groups/{b.group_id}", None),
    ("GET", "/api/groups/{b.group_id}/stats", None),
    ("GET", "/api/groups/{b.group_id}/runs", None),
    ("POST", "/api/groups/batch-delete", {"ids": ["{b.group_id}"]}),
    ("GET", "/api/groups/{b.group_id}/members", None),
    ("POST", "/api/groups/{b.group_id}/members", {"role_id": "{b.spare_role_id}"}),
    ("PUT", "/api/groups/{b.group_id}/members/{b.member_id}", {"is_lead": False}),
    ("DELETE", "/api/groups/{b.group_id}/members/{b.member_id}", None),
    ("POST", "/api/groups/{b.group_id}/runs", {"input": "stolen"}),
    ("GET", "/api/groups/{b.group_id}/blackboard", None),
    ("POST", "/api/groups/{b.group_id}/blackboard", {"title": "stolen", "content": "x"}),
    ("GET", "/api/groups/{b.group_id}/blackboard/{b.entry_id}", None),
    ("GET", "/api/runs/{b.group_run_id}", None),
    ("GET", "/api/runs/{b.group_run_id}/events", None),
]

# Lists that must never show any of org B's ids.
LISTS: list[str] = [
    "/api/projects",
    "/api/keys",
    "/api/members",
    "/api/users",
    "/api/audit",
    "/api/orgs",
    "/api/runs",
    "/api/approvals",
    "/api/approvals?status=approved",
    "/api/providers",
    "/api/tool-policies",
    "/api/sessions/b-session/runs",
    "/api/memory",
    "/api/memory?tier=archival&q=secret",
    "/api/roles",
    "/api/groups",
    "/api/runs?kind=group",
]

# Searches (POST bodies) whose results must never show any of org B's ids; B's memory is
# seeded below, so each would find it if the search crossed the tenant wall.
SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("/api/memory/search", {"query": "b's secret memory", "mode": mode, "top_k": 100})
    for mode in ("hybrid", "vector", "text")
]

# Seeders create more of B's objects and return {name: id} for the placeholders.
Seeder = Callable[[AsyncClient, dict[str, str]], Awaitable[dict[str, str]]]


async def _runs_of_b(client: AsyncClient, b_auth: dict[str, str]) -> dict[str, str]:
    """A run of B in a session, a pending approval, a provider and a policy (through B's API).
    The app under test has no LLM configured, so B's runs fail fast; the approval row is
    written directly, as the executor would."""
    run = (
        await client.post(
            "/api/runs", json={"input": "b's secret", "session_key": "b-session"}, headers=b_auth
        )
    ).json()
    provider = (
        await client.post(
            "/api/providers", json={"name": "b-llm", "kind": "openai", "model": "m"}, headers=b_auth
        )
    ).json()
    policy = (
        await client.post("/api/tool-policies", json={"pattern": "x*", "action": "block"}, headers=b_auth)
    ).json()
    from tests.api.isolation_support import insert_approval

    approval_id = await insert_approval(client, run["run_id"])
    return {
        "run_id": run["run_id"],
        "provider_id": provider["id"],
        "policy_id": policy["id"],
        "approval_id": approval_id,
    }


async def _memories_of_b(client: AsyncClient, b_auth: dict[str, str]) -> dict[str, str]:
    """An archival memory of B (through B's API)."""
    resp = await client.post(
        "/api/memory", json={"title": "b's secret", "content": "b's secret memory"}, headers=b_auth
    )
    assert resp.status_code == 201, resp.text
    return {"memory_id": resp.json()["id"]}


async def _teams_of_b(client: AsyncClient, b_auth: dict[str, str]) -> dict[str, str]:
    """B's roles, a group with a member, a blackboard entry and a group run (B's API)."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = await client.post(path, json=body, headers=b_auth)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    role = await post("/api/roles", {"name": "b-role", "system_prompt": "b's secret role"})
    spare = await post("/api/roles", {"name": "b-spare", "system_prompt": "b's spare role"})
    group = await post("/api/groups", {"name": "b-group", "orchestrator": "serial"})
    member = await post(f"/api/groups/{group['id']}/members", {"role_id": role["id"], "is_lead": True})
    entry = await post(
        f"/api/groups/{group['id']}/blackboard", {"title": "b's secret", "content": "b's plan"}
    )
    run = await post(f"/api/groups/{group['id']}/runs", {"input": "b's secret task"})
    return {
        "role_id": role["id"],
        "spare_role_id": spare["id"],
        "group_id": group["id"],
        "member_id": member["id"],
        "entry_id": entry["id"],
        "group_run_id": run["id"],
    }


SEEDERS: list[Seeder] = [_runs_of_b, _memories_of_b, _teams_of_b]
