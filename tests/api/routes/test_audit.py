from __future__ import annotations

import asyncio

from httpx import AsyncClient


async def test_mutating_requests_are_audited(admin: AsyncClient, app: object) -> None:
    created = await admin.post("/api/projects", json={"name": "Audited"}, headers={"x-request-id": "req-123"})
    assert created.status_code == 201
    assert created.headers["x-request-id"] == "req-123"
    await admin.get("/api/projects")  # reads are not audited
    await admin.post("/api/projects", json={"name": ""})  # a rejected mutation is, if it had a scope
    await app.state.platform.audit.flush()  # type: ignore[attr-defined]
    await asyncio.sleep(0.1)
    entries = (await admin.get("/api/audit")).json()["items"]
    ours = [e for e in entries if e["request_id"] == "req-123"]
    assert len(ours) == 1
    entry = ours[0]
    assert entry["method"] == "POST" and entry["path"] == "/api/projects" and entry["status"] == 201
    assert entry["org_id"] == "org_default" and entry["user_id"].startswith("usr_")
    assert entry["latency_ms"] > 0
    assert all(e["method"] != "GET" for e in entries)


async def test_request_id_is_generated_when_missing(admin: AsyncClient) -> None:
    resp = await admin.get("/api/me")
    assert len(resp.headers["x-request-id"]) == 32


async def test_audit_is_for_admins_only(admin: AsyncClient) -> None:
    await admin.post("/api/users", json={"username": "vera", "password": "vera-password", "role": "viewer"})
    token = (
        await admin.post("/api/auth/login", json={"username": "vera", "password": "vera-password"})
    ).json()
    resp = await admin.get("/api/audit", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert resp.status_code == 403
