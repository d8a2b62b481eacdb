from __future__ import annotations

from httpx import AsyncClient


async def _login(client: AsyncClient, name: str, password: str) -> dict[str, str]:
    token = (await client.post("/api/auth/login", json={"username": name, "password": password})).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


class TestMembers:
    async def test_admin_adds_user_who_can_log_in(self, admin: AsyncClient) -> None:
        resp = await admin.post(
            "/api/users", json={"username": "mia", "password": "mia-password", "role": "member"}
        )
        assert resp.status_code == 201 and resp.json()["role"] == "member"
        mia = await _login(admin, "mia", "mia-password")
        me = (await admin.get("/api/me", headers=mia)).json()
        assert me["org"]["id"] == "org_default" and me["role"] == "member"
        names = {m["username"] for m in (await admin.get("/api/members")).json()["items"]}
        assert names == {"admin", "mia"}

    async def test_duplicate_username_is_409_naming_constraint(self, admin: AsyncClient) -> None:
        body = {"username": "dup", "password": "dup-password"}
        assert (await admin.post("/api/users", json=body)).status_code == 201
        resp = await admin.post("/api/users", json=body)
        assert resp.status_code == 409 and "uq_users_username" in resp.json()["detail"]

    async def test_members_cannot_manage_members(self, admin: AsyncClient) -> None:
        await admin.post("/api/users", json={"username": "max", "password": "max-password"})
        mx = await _login(admin, "max", "max-password")
        resp = await admin.post(
            "/api/users", json={"username": "evil", "password": "evil-password"}, headers=mx
        )
        assert resp.status_code == 403 and "admin" in resp.json()["detail"]

    async def test_last_owner_cannot_be_demoted(self, admin: AsyncClient) -> None:
        me = (await admin.get("/api/me")).json()
        resp = await admin.patch(f"/api/members/{me['user']['id']}", json={"role": "member"})
        assert resp.status_code == 409


class TestProjects:
    async def test_crud(self, admin: AsyncClient) -> None:
        created = (await admin.post("/api/projects", json={"name": "Sales Bot", "description": "d"})).json()
        assert created["slug"] == "sales-bot"
        pid = created["id"]
        assert (await admin.patch(f"/api/projects/{pid}", json={"name": "Sales"})).json()["name"] == "Sales"
        assert (await admin.post("/api/projects", json={"name": "Sales Bot"})).status_code == 409
        assert (await admin.delete(f"/api/projects/{pid}")).status_code == 204
        assert (await admin.get(f"/api/projects/{pid}")).status_code == 404

    async def test_project_header_scopes_me(self, admin: AsyncClient) -> None:
        me = (await admin.get("/api/me", headers={"x-project-id": "prj_default"})).json()
        assert me["project"]["id"] == "prj_default"
        assert (await admin.get("/api/me", headers={"x-project-id": "prj_nope"})).status_code == 403

    async def test_user_in_two_orgs_picks_with_header(self, admin: AsyncClient) -> None:
        org = (await admin.post("/api/orgs", json={"name": "Second"})).json()
        assert (await admin.get("/api/me", headers={"x-org-id": org["id"]})).json()["org"]["id"] == org["id"]
        orgs = (await admin.get("/api/orgs")).json()["items"]
        assert {o["id"] for o in orgs} == {"org_default", org["id"]}
        assert (await admin.get("/api/me", headers={"x-org-id": "org_other"})).status_code == 403
