"""Shared test fixtures: real PostgreSQL, real HTTP.

One embedded PostgreSQL per test session (per xdist worker); a template database is
migrated once; each test that needs a database gets ``CREATE DATABASE … TEMPLATE`` (a
file copy, far cheaper than migrating, and it isolates LISTEN/NOTIFY channels too).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from httpx import ASGITransport, AsyncClient

from openintern.config import Settings, load_settings
from openintern.db.embedded import socket_url, start_embedded
from openintern.db.migrate import upgrade

TEMPLATE = "oi_template"
ADMIN_PASSWORD = "admin-password-for-tests"


def pytest_configure(config: pytest.Config) -> None:
    # The processes tests start (acceptance, browser) inherit this: every event any of
    # them emits is validated against the event contract, and a bad one fails its run.
    os.environ["OPENINTERN_RUNTIME__CHECK_EVENTS"] = "true"


@pytest.fixture(scope="session")
def pg_socket(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A server of this session's own (per xdist worker too): initdb costs ~0.4 s and no
    two test sessions on the machine can then touch each other's databases."""
    data_dir = tmp_path_factory.mktemp("pg")
    url = start_embedded(data_dir, database="postgres")
    socket_dir = url.split("host=")[1]
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    upgrade(socket_url(socket_dir, TEMPLATE))
    return socket_dir


def _admin(socket_dir: str) -> psycopg.Connection[Any]:
    return psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True)


def clone_database(socket_dir: str) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    with _admin(socket_dir) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return name


def drop_database(socket_dir: str, name: str) -> None:
    with _admin(socket_dir) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(pg_socket: str) -> Iterator[str]:
    name = clone_database(pg_socket)
    yield socket_url(pg_socket, name)
    drop_database(pg_socket, name)


@pytest.fixture
def empty_database_url(pg_socket: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    with _admin(pg_socket) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield socket_url(pg_socket, name)
    drop_database(pg_socket, name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "data_dir": tmp_path / "data",
            "auth": {"admin_password": ADMIN_PASSWORD},
            "runtime": {"check_events": True},
        },
        environ={},
    )


@pytest.fixture
async def app(settings: Settings, database_url: str) -> AsyncIterator[Any]:
    from openintern.api import create_app

    application = create_app(settings, database_url=database_url, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as c:
        yield c


@pytest.fixture
async def admin_token(client: AsyncClient) -> str:
    resp = await client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


@pytest.fixture
async def admin(client: AsyncClient, admin_token: str) -> AsyncClient:
    """The same client, authenticated as the bootstrap admin of org_default."""
    client.headers["Authorization"] = f"Bearer {admin_token}"
    return client


# --- the fake LLM and apps with an in-process worker (issue 3) ---


@pytest.fixture(scope="session")
def fake_llm() -> Iterator[Any]:
    from openintern.testing import FakeLLMServer

    with FakeLLMServer() as server:
        yield server


FAST_RUNTIME = {
    "heartbeat_s": 0.5,
    "lease_s": 3.0,
    "poll_s": 0.5,
    "worker_concurrency": 50,
    "check_events": True,  # every event any test makes is validated against the contract
}


def llm_settings(fake: Any, model: str = "fake/echo") -> dict[str, Any]:
    return {"provider": "openai", "base_url": fake.openai_base_url, "api_key": "test-key", "model": model}


@pytest.fixture
def run_settings(tmp_path: Path, fake_llm: Any) -> Settings:
    return load_settings(
        {
            "data_dir": tmp_path / "data",
            "auth": {"admin_password": ADMIN_PASSWORD},
            "llm": llm_settings(fake_llm),
            "runtime": FAST_RUNTIME,
        },
        environ={},
    )


@pytest.fixture
async def run_app(run_settings: Settings, database_url: str) -> AsyncIterator[Any]:
    from openintern.api import create_app

    application = create_app(run_settings, database_url=database_url, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def runner(run_app: Any) -> AsyncIterator[AsyncClient]:
    """An admin client of an app whose worker runs in-process and talks to the fake LLM."""
    async with AsyncClient(transport=ASGITransport(app=run_app), base_url="http://test", timeout=30) as c:
        resp = await c.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        c.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        yield c
