"""Login, JWTs and API keys over real HTTP against a real database."""

from __future__ import annotations

import time

import jwt
from httpx import AsyncClient

from tests.conftest import ADMIN_PASSWORD


class TestLogin:
    async def test_login_returns_bearer_token(self, client: AsyncClient) -> None:
        resp = await client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert resp.status_code == 200
        body = resp.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] > 0
        me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.json()["user"]["username"] == "admin"
        assert me.json()["org"]["id"] == "org_default"
        assert me.json()["role"] == "owner"

    async def test_wrong_password_is_401_problem(self, client: AsyncClient) -> None:
        resp = await client.post("/api/auth/login", json={"username": "admin", "password": "nope"})
        assert resp.status_code == 401
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["detail"] == "wrong username or password"

    async def test_unknown_user_is_401(self, client: AsyncClient) -> None:
        resp = await client.post("/api/auth/login", json={"username": "ghost", "password": "whatever"})
        assert resp.status_code == 401

    async def test_missing_token_is_401(self, client: AsyncClient) -> None:
        resp = await client.get("/api/me")
        assert resp.status_code == 401
        assert resp.headers["www-authenticate"] == "Bearer"


class TestJwt:
    async def test_expired_token_is_401(self, client: AsyncClient, app: object) -> None:
        secret = app.state.platform.jwt_secret  # type: ignore[attr-defined]
        me = await client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        sub = jwt.decode(me.json()["access_token"], options={"verify_signature": False})["sub"]
        old = jwt.encode({"sub": sub, "iat": 0, "exp": int(time.time()) - 60, "iss": "openintern"}, secret)
        resp = await client.get("/api/me", headers={"Authorization": f"Bearer {old}"})
        assert resp.status_code == 401
        assert "expired" in resp.json()["detail"]

    async def test_tampered_token_is_401(self, client: AsyncClient, admin_token: str) -> None:
        header, payload, sig = admin_token.split(".")
        forged = jwt.encode(  # signed with a secret of the right length, just not ours
            {"sub": "usr_someone_else", "exp": int(time.time()) + 60}, "guessed-secret-" + "x" * 32
        )
        for token in (f"{header}.{payload}.{sig[:-2]}xx", forged, "not-a-jwt"):
            resp = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert resp.status_code == 401, token


class TestApiKeys:
    async def test_create_use_disable_enable_revoke(self, admin: AsyncClient) -> None:
        created = await admin.post("/api/keys", json={"name": "ci"})
        assert created.status_code == 201
        key = created.json()["key"]
        key_id = created.json()["id"]
        assert key.startswith("oi_") and created.json()["prefix"] == key[:10]
        listed = (await admin.get("/api/keys")).json()["items"]
        assert [k["id"] for k in listed] == [key_id]
        assert "key" not in listed[0]

        as_key = {"Authorization": f"Bearer {key}"}
        me = await admin.get("/api/me", headers=as_key)
        assert me.status_code == 200 and me.json()["api_key_id"] == key_id
        assert (await admin.get(f"/api/keys/{key_id}")).json()["last_used_at"] is not None

        assert (await admin.patch(f"/api/keys/{key_id}", json={"status": "disabled"})).status_code == 200
        resp = await admin.get("/api/me", headers=as_key)
        assert resp.status_code == 401 and "disabled" in resp.json()["detail"]

        assert (await admin.patch(f"/api/keys/{key_id}", json={"status": "active"})).status_code == 200
        assert (await admin.get("/api/me", headers=as_key)).status_code == 200

        revoked = await admin.post(f"/api/keys/{key_id}/revoke")
        assert revoked.json()["status"] == "revoked" and revoked.json()["revoked_at"]
        resp = await admin.get("/api/me", headers=as_key)
        assert resp.status_code == 401 and "revoked" in resp.json()["detail"]
        again = await admin.patch(f"/api/keys/{key_id}", json={"status": "active"})
        assert again.status_code == 409

    async def test_unknown_key_is_401(self, client: AsyncClient) -> None:
        resp = await client.get("/api/me", headers={"Authorization": "Bearer oi_nonsense"})
        assert resp.status_code == 401

    async def test_project_bound_key_cannot_widen(self, admin: AsyncClient) -> None:
        other = (await admin.post("/api/projects", json={"name": "Other"})).json()["id"]
        key = (await admin.post("/api/keys", json={"name": "bound", "project_id": "prj_default"})).json()[
            "key"
        ]
        as_key = {"Authorization": f"Bearer {key}"}
        me = await admin.get("/api/me", headers=as_key)
        assert me.json()["project"]["id"] == "prj_default"
        resp = await admin.get("/api/me", headers={**as_key, "x-project-id": other})
        assert resp.status_code == 403

    async def test_key_role_never_exceeds_creator(self, admin: AsyncClient) -> None:
        key = (await admin.post("/api/keys", json={"name": "viewer", "role": "viewer"})).json()["key"]
        resp = await admin.post(
            "/api/projects", json={"name": "X"}, headers={"Authorization": f"Bearer {key}"}
        )
        assert resp.status_code == 403


class TestNoAuth:
    async def test_no_auth_mode_acts_as_admin(self, settings: object, database_url: str) -> None:
        from httpx import ASGITransport

        from openintern.api import create_app

        settings.server.no_auth = True  # type: ignore[attr-defined]
        app = create_app(settings, database_url=database_url, migrate=False)  # type: ignore[arg-type]
        transport = ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            AsyncClient(transport=transport, base_url="http://test") as c,
        ):
            me = await c.get("/api/me")
            assert me.status_code == 200 and me.json()["user"]["username"] == "admin"
