"""`doctor`, `migrate`, `keys`, `users` as real subprocesses against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def oi(*args: str, env: dict[str, str], input_: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a script runs it: stdin is never a terminal (no input: /dev/null)."""
    return subprocess.run(
        [sys.executable, "-m", "openintern", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        input=input_,
        stdin=subprocess.DEVNULL if input_ is None else None,
        timeout=60,
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "OPENINTERN_ADMIN_PASSWORD": "pw-123456789",
    }


def test_doctor_on_a_healthy_install(env: dict[str, str]) -> None:
    result = oi("doctor", "--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["database"]["status"] == "ok" and "PostgreSQL 18" in checks["database"]["detail"]
    assert checks["pgvector"]["status"] == "ok" and checks["migrations"]["status"] == "ok"
    assert checks["llm provider"]["status"] == "warn" and "LLM_PROVIDER" in checks["llm provider"]["fix"]
    assert checks["memory"]["status"] == "ok" and "local-hash" in checks["memory"]["detail"]
    assert "shared_buffers" in checks["huge pages"]["detail"]
    assert checks["sandbox"]["status"] == "ok" and "workspace only" in checks["sandbox"]["detail"]
    assert (
        "worker process" in checks["workers"]["detail"] or "in the API process" in checks["workers"]["detail"]
    )
    two = json.loads(oi("doctor", "--json", env={**env, "OPENINTERN_SERVER__WORKER_PROCESSES": "2"}).stdout)
    workers = next(c for c in two["checks"] if c["name"] == "workers")
    assert workers["detail"].startswith("serve: 2 worker process(es) beside the API (set)"), workers
    assert workers["detail"].endswith("on uvloop"), workers  # uvicorn[standard] installs it here
    human = oi("doctor", env=env)
    assert "ok  database" in human.stdout and "ready" in human.stdout


def test_doctor_says_why_exec_tools_are_blocked(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "OPENINTERN_SANDBOX__BWRAP_PATH": str(tmp_path / "no-such-bwrap")}
    result = oi("doctor", "--json", env=env)
    sandbox = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "sandbox")
    assert sandbox["status"] == "warn", sandbox
    assert sandbox["detail"].startswith("exec tools (run_command) are blocked: bubblewrap not found")
    assert "apt-get install bubblewrap" in sandbox["fix"]
    human = oi("doctor", env=env).stdout
    assert "warn  sandbox" in human and "apt-get install bubblewrap" in human


def test_doctor_on_an_unreachable_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://u:p@127.0.0.1:9/nowhere", "DATA_DIR": str(tmp_path)}
    result = oi("doctor", env=env)
    assert result.returncode == 1
    assert "fail  database" in result.stdout and "cannot connect" in result.stdout
    assert "check DATABASE_URL" in result.stdout


def test_doctor_reports_a_bad_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "agent.config.json"
    cfg.write_text('{"server": {"port": "eighty"}}')
    result = oi("doctor", "--config", str(cfg), env={"DATA_DIR": str(tmp_path)})
    assert result.returncode == 1 and "server.port" in result.stdout


def test_migrate_then_keys_and_users(env: dict[str, str]) -> None:
    assert oi("migrate", env=env).returncode == 0
    created = oi("keys", "create", "ci-key", "--json", env=env)
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert key["key"].startswith("oi_")
    listed = json.loads(oi("keys", "list", "--json", env=env).stdout)
    assert [k["id"] for k in listed] == [key["id"]] and listed[0]["status"] == "active"
    assert oi("keys", "revoke", key["id"], env=env).returncode == 0
    assert json.loads(oi("keys", "list", "--json", env=env).stdout)[0]["status"] == "revoked"
    bad = oi("keys", "revoke", "key_nope", env=env)
    assert bad.returncode == 1 and "not found" in bad.stderr
    made = oi(
        "users", "create", "carol", "--role", "admin", "--password", "carol-password", "--json", env=env
    )
    assert made.returncode == 0, made.stderr
    names = {u["username"]: u["role"] for u in json.loads(oi("users", "list", "--json", env=env).stdout)}
    assert names == {"admin": "owner", "carol": "admin"}


def test_users_create_without_a_terminal_names_the_missing_password(env: dict[str, str]) -> None:
    """No prompt that cannot be answered: the option it needs, by name (issue 23)."""
    missing = oi("users", "create", "dave", env=env)
    assert missing.returncode == 2 and "'--password'" in missing.stderr, missing.stderr
    assert "Aborted" not in missing.stdout + missing.stderr
    piped = oi("users", "create", "dave", "--password-stdin", "--json", env=env, input_="dave-password-1\n")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["username"] == "dave"
