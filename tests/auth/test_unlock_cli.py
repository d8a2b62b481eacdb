"""`openintern users unlock` lifts a login lockout (issue 15, finding 6), as a real process."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from tests.cli.test_admin_commands import oi


def _lock(database_url: str, subject: str) -> None:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(
            "INSERT INTO login_failures VALUES (%s, 10, now(), now() + interval '15 minutes')", (subject,)
        )


def _subjects(database_url: str) -> set[str]:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return {r[0] for r in conn.execute("SELECT subject FROM login_failures")}


def test_unlock_a_user_and_an_address(database_url: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "OPENINTERN_ADMIN_PASSWORD": "pw-123456789",
    }
    assert oi("migrate", env=env).returncode == 0
    _lock(database_url, "user:admin")
    _lock(database_url, "addr:203.0.113.7")
    user = oi("users", "unlock", "admin", env=env)
    assert user.returncode == 0 and "unlocked admin" in user.stdout, user.stderr
    assert _subjects(database_url) == {"addr:203.0.113.7"}
    unlocked = oi("users", "unlock", "--address", "203.0.113.7", "--json", env=env)
    assert unlocked.returncode == 0, unlocked.stderr
    assert json.loads(unlocked.stdout) == {"subject": "address 203.0.113.7", "lifted": True}
    assert _subjects(database_url) == set()
    again = oi("users", "unlock", "--address", "203.0.113.7", env=env)
    assert again.returncode == 0 and "was not locked out" in again.stdout
