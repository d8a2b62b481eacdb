"""Login throttling per username and per client address (issue 15, finding 6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text

from tests.conftest import ADMIN_PASSWORD

RIGHT = {"username": "admin", "password": ADMIN_PASSWORD}
WRONG = {"username": "admin", "password": "not-the-password"}


@pytest.fixture
async def from_address(app: Any) -> AsyncIterator[Any]:
    """Clients of the same app seen from chosen client addresses."""
    opened: list[AsyncClient] = []

    def make(address: str) -> AsyncClient:
        transport = ASGITransport(app=app, client=(address, 40000))
        client = AsyncClient(transport=transport, base_url="http://test")
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()


async def _audit(app: Any) -> list[Any]:
    await app.state.platform.audit.flush()
    async with app.state.platform.db.system() as session:
        rows = await session.execute(
            text("SELECT status, detail FROM audit_log WHERE path = '/api/auth/login' ORDER BY id")
        )
        return list(rows)


async def test_fifty_wrong_passwords_then_the_right_one(app: Any, from_address: Any) -> None:
    attacker = from_address("203.0.113.7")
    answers = [await attacker.post("/api/auth/login", json=WRONG) for _ in range(50)]
    statuses = [r.status_code for r in answers]
    assert statuses[:3] == [401, 401, 401]  # auth.login_free_failures
    assert set(statuses[3:]) == {429}
    for resp in answers[3:]:
        assert int(resp.headers["Retry-After"]) >= 1
        assert resp.headers["content-type"].startswith("application/problem+json")
    resp = await attacker.post("/api/auth/login", json=RIGHT)
    assert resp.status_code == 429 and resp.json()["locked"] is True
    assert 890 <= int(resp.headers["Retry-After"]) <= 900  # auth.lockout_s

    audit = await _audit(app)
    events = [row.detail["event"] for row in audit]
    assert events.count("login.locked") == 1 and events.count("login.failed") >= 9
    failed = next(row for row in audit if row.detail["event"] == "login.failed")
    assert failed.status == 401 and failed.detail["address"] == "203.0.113.7"
    assert failed.detail["username"] == "admin" and "password" not in failed.detail


async def test_other_users_and_addresses_are_not_affected(
    app: Any, admin: AsyncClient, from_address: Any
) -> None:
    body = {"username": "bob", "password": "bob-password", "role": "member"}
    assert (await admin.post("/api/users", json=body)).status_code == 201
    attacker = from_address("203.0.113.7")
    for _ in range(20):
        await attacker.post("/api/auth/login", json=WRONG)
    assert (await attacker.post("/api/auth/login", json=RIGHT)).status_code == 429
    elsewhere = from_address("198.51.100.9")
    bob = {"username": "bob", "password": "bob-password"}
    assert (await elsewhere.post("/api/auth/login", json=bob)).status_code == 200
    # The locked username stays locked from any address; the attacker's address for anyone.
    assert (await elsewhere.post("/api/auth/login", json=RIGHT)).status_code == 429
    assert (await attacker.post("/api/auth/login", json=bob)).status_code == 429


async def test_an_admin_lifts_a_lockout(app: Any, admin: AsyncClient, from_address: Any) -> None:
    attacker = from_address("203.0.113.7")
    for _ in range(20):
        await attacker.post("/api/auth/login", json=WRONG)
    assert (await attacker.post("/api/auth/login", json=RIGHT)).status_code == 429
    assert (await admin.delete("/api/auth/lockouts/users/admin")).status_code == 204
    assert (await attacker.post("/api/auth/login", json=RIGHT)).status_code == 429  # the address still is
    assert (await admin.delete("/api/auth/lockouts/addresses/203.0.113.7")).status_code == 204
    assert (await attacker.post("/api/auth/login", json=RIGHT)).status_code == 200
    assert (await admin.delete("/api/auth/lockouts/addresses/not-an-ip")).status_code == 422
    assert (await admin.delete("/api/auth/lockouts/users/nobody")).status_code == 404


async def test_members_cannot_lift_lockouts(admin: AsyncClient, from_address: Any) -> None:
    body = {"username": "mia", "password": "mia-password", "role": "member"}
    assert (await admin.post("/api/users", json=body)).status_code == 201
    mia = from_address("198.51.100.20")
    token = (await mia.post("/api/auth/login", json={"username": "mia", "password": "mia-password"})).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await mia.delete("/api/auth/lockouts/users/admin", headers=headers)).status_code == 403


async def test_a_success_clears_the_usernames_count(from_address: Any) -> None:
    client = from_address("198.51.100.30")
    for _ in range(2):
        assert (await client.post("/api/auth/login", json=WRONG)).status_code == 401
    assert (await client.post("/api/auth/login", json=RIGHT)).status_code == 200
    other = from_address("198.51.100.31")
    for _ in range(3):  # a fresh address: the username's count started again
        assert (await other.post("/api/auth/login", json=WRONG)).status_code == 401
