"""`GET | PATCH /api/orgs/{org_id}`: the org a request acts in, its name and whether its
providers may point at private addresses (issue 15)."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient

from tests.fixtures.tenants import make_tenant


async def _login(client: AsyncClient, name: str, role: str) -> dict[str, str]:
    body = {"username": name, "password": f"{name}-password", "role": role}
    assert (await client.post("/api/users", json=body)).status_code == 201
    login = await client.post("/api/auth/login", json={"username": name, "password": f"{name}-password"})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


class TestUpdateOrg:
    async def test_an_admin_forbids_private_base_urls_and_everyone_sees_it(
        self, admin: AsyncClient, app: Any
    ) -> None:
        assert (await admin.get("/api/orgs/org_default")).json()["allow_private_base_urls"] is True
        resp = await admin.patch(
            "/api/orgs/org_default",
            json={"allow_private_base_urls": False},
            headers={"x-request-id": "org-flag"},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["allow_private_base_urls"] is False and resp.json()["name"] == "Default"
        member = await _login(admin, "mo", "member")
        assert (await admin.get("/api/orgs/org_default", headers=member)).json()[
            "allow_private_base_urls"
        ] is False
        assert (await admin.get("/api/me")).json()["org"]["allow_private_base_urls"] is False
        renamed = await admin.patch("/api/orgs/org_default", json={"name": "Acme"})
        assert renamed.json()["name"] == "Acme" and renamed.json()["allow_private_base_urls"] is False
        # Audited like every admin change: who, what path, the answer.
        await app.state.platform.audit.flush()
        await asyncio.sleep(0.1)
        entries = (await admin.get("/api/audit")).json()["items"]
        entry = next(e for e in entries if e["request_id"] == "org-flag")
        assert (entry["method"], entry["path"], entry["status"]) == ("PATCH", "/api/orgs/org_default", 200)
        assert entry["org_id"] == "org_default" and entry["user_id"].startswith("usr_")

    async def test_members_may_read_it_but_not_change_it(self, admin: AsyncClient) -> None:
        for role in ("member", "viewer"):
            headers = await _login(admin, f"x-{role}", role)
            resp = await admin.patch(
                "/api/orgs/org_default", json={"allow_private_base_urls": False}, headers=headers
            )
            assert resp.status_code == 403 and "admin" in resp.json()["detail"], role
            assert resp.headers["content-type"].startswith("application/problem+json")
        assert (await admin.get("/api/orgs/org_default")).json()["allow_private_base_urls"] is True

    async def test_bad_input_is_a_problem_naming_the_field(self, admin: AsyncClient) -> None:
        for body, field in (
            ({"allow_private_base_urls": "no"}, "body.allow_private_base_urls"),
            ({"allow_private_base_urls": 0}, "body.allow_private_base_urls"),
            ({"allow_private_base_urls": None}, "body.allow_private_base_urls"),
            ({"name": None}, "body.name"),
            ({"name": ""}, "body.name"),
            ({"slug": "new"}, "body.slug"),
        ):
            resp = await admin.patch("/api/orgs/org_default", json=body)
            assert resp.status_code == 422, body
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert field in {e["field"] for e in resp.json()["errors"]}, (body, resp.json())
        assert (await admin.patch("/api/orgs/org_default", json={})).json()["allow_private_base_urls"] is True

    async def test_another_orgs_admin_gets_404_and_changes_nothing(self, admin: AsyncClient) -> None:
        admin_headers = {"Authorization": admin.headers["Authorization"]}
        bob = await make_tenant(admin, admin_headers, "bob")  # the owner of another org
        for headers in (bob.auth, {"Authorization": f"Bearer {bob.api_key}"}):
            resp = await admin.patch(
                "/api/orgs/org_default", json={"allow_private_base_urls": False}, headers=headers
            )
            assert resp.status_code == 404, resp.text
            assert (await admin.get("/api/orgs/org_default", headers=headers)).status_code == 404
        assert (await admin.get("/api/orgs/org_default")).json()["allow_private_base_urls"] is True
        # ... while bob changes his own.
        own = await admin.patch(
            f"/api/orgs/{bob.org_id}", json={"allow_private_base_urls": False}, headers=bob.auth
        )
        assert own.status_code == 200 and own.json()["id"] == bob.org_id

    async def test_an_org_named_in_the_path_must_be_the_one_selected(self, admin: AsyncClient) -> None:
        """A user of two orgs changes the second by selecting it (x-org-id), as for every object."""
        second = (await admin.post("/api/orgs", json={"name": "Second"})).json()["id"]
        body = {"allow_private_base_urls": False}
        assert (await admin.patch(f"/api/orgs/{second}", json=body)).status_code == 404
        resp = await admin.patch(f"/api/orgs/{second}", json=body, headers={"x-org-id": second})
        assert resp.status_code == 200 and resp.json()["allow_private_base_urls"] is False
        assert (await admin.get("/api/orgs/org_default")).json()["allow_private_base_urls"] is True
