"""Shared test fixtures: real PostgreSQL, real HTTP.

One embedded PostgreSQL per test session (per xdist worker); a template database is
migrated once; each test that needs a database gets ``CREATE DATABASE … TEMPLATE`` (a
file copy, far cheaper than migrating, and it isolates LISTEN/NOTIFY channels too).
"""

from __future__ import annotations

import logging
import os
import re
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


# --- the log scan (issue 15): no secret in any log line the suite makes ---
#
# Every record logged in this process, and every `*.log` file the processes the tests
# start write under the session's temporary directory (acceptance `Procs`, the browser
# platform), is searched for a JWT, an OpenIntern API key and the test admin's password.
# One match fails the session, naming the line. Cost: one regular expression per emitted
# record and per log line at the end.

SECRET_IN_LOG = re.compile(
    r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+|\boi_[A-Za-z0-9_-]{40,}|" + re.escape(ADMIN_PASSWORD)
)
MAX_REPORTED = 20


class SecretScan(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage() + "\n" + (record.exc_text or "")
        except Exception:  # a record that cannot format is the formatter's problem, not ours
            return
        if len(self.found) < MAX_REPORTED and SECRET_IN_LOG.search(text):
            self.found.append(f"log record {record.name}: {text[:300]!r}")


_SCAN = SecretScan()


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(_SCAN)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_SCAN)
    found = _SCAN.found + _scan_log_files(session.config)
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "secrets found in logs (issue 15: every log line must redact them)", red=True)
        for line in found:
            reporter.write_line(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _scan_log_files(config: pytest.Config) -> list[str]:
    factory = getattr(config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None)
    if basetemp is None or not Path(basetemp).is_dir():
        return []
    found: list[str] = []
    for path in Path(basetemp).rglob("*.log"):
        if not path.is_file() or path.stat().st_size > 200 * 2**20:
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if SECRET_IN_LOG.search(line):
                found.append(f"{path}:{n}: {line[:300]!r}")
                if len(found) >= MAX_REPORTED:
                    return found
    return found


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
