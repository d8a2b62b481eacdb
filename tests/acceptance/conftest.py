"""Real processes: `openintern worker` / `api` / `serve` against a cloned test database.

The fake LLM runs in the test process (a thread); the processes reach it over HTTP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.acceptance


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Procs:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "openintern", *args], env=self.env, stdout=log, stderr=log
        )
        self.started.append(proc)
        return proc

    def api(self, name: str = "api", serve: bool = False) -> str:
        port = free_port()
        self.spawn("serve" if serve else "api", "--port", str(port), name=name)
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, self.logs / f"{name}.log")
        return url

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_ready(url: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never became ready:\n{log.read_text()[-3000:]}")


@pytest.fixture
def procs(database_url: str, fake_llm: Any, tmp_path: Path) -> Iterator[Procs]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "OPENINTERN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LLM_PROVIDER": "openai",
        "LLM_BASE_URL": fake_llm.openai_base_url,
        "LLM_API_KEY": "test-key",
        "LLM_MODEL": "fake/echo",
        # Short, so kill -9 tests resume quickly; not so short that a worker whose event
        # loop stalls for a second on a loaded 2-core machine loses its own runs.
        "OPENINTERN_RUNTIME__LEASE_S": "3",
        "OPENINTERN_RUNTIME__HEARTBEAT_S": "0.75",
        "OPENINTERN_RUNTIME__POLL_S": "0.5",
    }
    p = Procs(env, tmp_path)
    yield p
    p.stop_all()


def login(url: str) -> dict[str, str]:
    token = httpx.post(url + "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def events(url: str, auth: dict[str, str], run_id: str) -> list[dict[str, Any]]:
    return list(
        httpx.get(f"{url}/api/runs/{run_id}/events", params={"limit": 1000}, headers=auth).json()["events"]
    )


def wait_for(predicate: Any, timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
