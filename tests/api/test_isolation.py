"""One principal of org A can never read, list, change or delete org B's objects."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from httpx import AsyncClient

from tests.api.isolation_cases import CASES, LISTS, SEARCHES, SEEDERS
from tests.fixtures.tenants import Tenant, make_tenant


@pytest.fixture
async def tenants(admin: AsyncClient) -> tuple[Tenant, Tenant, dict[str, str]]:
    admin_headers = {"Authorization": admin.headers["Authorization"]}
    a = await make_tenant(admin, admin_headers, "alice")
    b = await make_tenant(admin, admin_headers, "bob")
    b_auth = b.auth
    me = (await admin.get("/api/me", headers=b_auth)).json()
    keys = (await admin.get("/api/keys", headers=b_auth)).json()["items"]
    ids = {
        "org_id": b.org_id,
        "project_id": b.project_id,
        "user_id": me["user"]["id"],
        "key_id": keys[0]["id"],
    }
    for seed in SEEDERS:
        ids.update(await seed(admin, b_auth))
    return a, b, ids


def _tricks(b: dict[str, str]) -> list[tuple[str, dict[str, str], dict[str, str], dict[str, Any]]]:
    """(label, headers, query, body additions) that try to widen A's scope to B's."""
    return [
        ("plain", {}, {}, {}),
        ("x-org-id", {"x-org-id": b["org_id"]}, {}, {}),
        ("x-project-id", {"x-project-id": b["project_id"]}, {}, {}),
        ("x-user-id", {"x-user-id": b["user_id"]}, {}, {}),
        ("query", {}, {"org_id": b["org_id"], "project_id": b["project_id"]}, {}),
        ("body", {}, {}, {"org_id": b["org_id"], "project_id": b["project_id"]}),
    ]


def _filled(value: Any, fill: SimpleNamespace) -> Any:
    """``{b.…}`` placeholders in a body's strings too (e.g. ids in a batch-delete)."""
    if isinstance(value, str):
        return value.format(b=fill)
    if isinstance(value, list):
        return [_filled(v, fill) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, fill) for k, v in value.items()}
    return value


async def test_org_a_cannot_touch_org_b(
    client: AsyncClient, tenants: tuple[Tenant, Tenant, dict[str, str]]
) -> None:
    a, b, ids = tenants
    fill = SimpleNamespace(**ids)
    for credential in (a.auth, {"Authorization": f"Bearer {a.api_key}"}):
        for method, template, body in CASES:
            path = template.format(b=fill)
            for label, headers, query, extra in _tricks(ids):
                filled = _filled(body, fill)
                payload = {**filled, **extra} if filled is not None else (extra or None)
                resp = await client.request(
                    method, path, headers={**credential, **headers}, params=query, json=payload
                )
                assert resp.status_code in (403, 404, 422), (
                    f"{method} {path} [{label}] → {resp.status_code}: {resp.text}"
                )
                assert resp.headers["content-type"].startswith("application/problem+json")
        for path in LISTS:
            for label, headers, query, _ in _tricks(ids):
                resp = await client.get(path, headers={**credential, **headers}, params=query)
                if resp.status_code in (403, 404):
                    continue
                assert resp.status_code == 200, f"GET {path} [{label}] → {resp.status_code}"
                assert not set(ids.values()) & _all_strings(resp.json()), f"GET {path} [{label}] leaks org B"
        for path, search in SEARCHES:
            for label, headers, query, extra in _tricks(ids):
                resp = await client.post(
                    path, headers={**credential, **headers}, params=query, json={**search, **extra}
                )
                if resp.status_code in (403, 404, 422):
                    continue
                assert resp.status_code == 200, f"POST {path} {search} [{label}] → {resp.status_code}"
                assert not set(ids.values()) & _all_strings(resp.json()), (
                    f"POST {path} {search} [{label}] leaks org B"
                )
    # B's objects are untouched.
    assert (await client.get(f"/api/projects/{ids['project_id']}", headers=b.auth)).status_code == 200
    key = (await client.get(f"/api/keys/{ids['key_id']}", headers=b.auth)).json()
    assert key["status"] == "active"
    org = (await client.get(f"/api/orgs/{ids['org_id']}", headers=b.auth)).json()
    assert org["allow_private_base_urls"] is True and org["name"] == "bob inc"
    # ... and the searches above would have found B's memory: B's own do.
    for path, search in SEARCHES:
        found = (await client.post(path, headers=b.auth, json=search)).json()["results"]
        assert ids["memory_id"] in {r["memory_id"] for r in found}, search


def _all_strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_all_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_all_strings(v) for v in value)) if value else set()
    return set()


async def test_rls_hides_other_orgs_even_without_filters(
    app: Any, tenants: tuple[Tenant, Tenant, dict[str, str]]
) -> None:
    """The second wall: a tenant transaction sees only its org, whatever the query."""
    from sqlalchemy import text

    a, _, ids = tenants
    db = app.state.platform.db
    async with db.tenant(a.org_id) as session:
        orgs = {r[0] for r in (await session.execute(text("SELECT org_id FROM projects"))).all()}
        assert orgs == {a.org_id}
        keys = {r[0] for r in (await session.execute(text("SELECT org_id FROM api_keys"))).all()}
        assert ids["org_id"] not in keys
        with pytest.raises(Exception, match="row-level security"):
            await session.execute(
                text("INSERT INTO projects (id, org_id, name, slug) VALUES ('prj_x', :o, 'x', 'x')"),
                {"o": ids["org_id"]},
            )
