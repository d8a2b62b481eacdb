"""No secrets in logs (issue 15, finding 5): tokens, API keys, passwords and provider keys
are redacted from every log line, the access log of a real `openintern api` included."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from openintern.auth import RedactSecrets, install_redaction, redact
from tests.acceptance.conftest import Procs
from tests.conftest import ADMIN_PASSWORD

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
KEY = "oi_" + "A1b2C3d4" * 5


class TestRedact:
    @pytest.mark.parametrize(
        ("line", "secret"),
        [
            (f'GET /api/runs/r/stream?access_token={JWT}&cursor=3 HTTP/1.1" 200', JWT),
            (f"GET /api/runs?api_key={KEY}", KEY),
            ("POST /login?password=hunter2hunter2", "hunter2hunter2"),
            ("calling https://llm.example/v1?key=AIzaSyD-provider-key", "AIzaSyD-provider-key"),
            (f"Authorization: Bearer {KEY}", KEY),
            (f"token in a message: {JWT}", JWT),
            ("provider key sk-proj-abcdefghijklmnopqrstuvwxyz", "sk-proj-abcdefghijklmnopqrstuvwxyz"),
            ('{"username": "admin", "password": "s3cret-pass"}', "s3cret-pass"),
        ],
    )
    def test_secrets_are_replaced(self, line: str, secret: str) -> None:
        cleaned = redact(line)
        assert secret not in cleaned and "[redacted]" in cleaned

    def test_ordinary_text_is_untouched(self) -> None:
        for line in (
            "GET /api/runs?cursor=5&limit=10 HTTP/1.1",
            "session_key=abc idempotency_key=x",
            "oi_runs",
        ):
            assert redact(line) == line

    def test_uvicorn_access_records_keep_their_arguments(self) -> None:
        from uvicorn.logging import AccessFormatter

        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", f"/api/runs/r/events?access_token={JWT}", "1.1", 200), None,
        )  # fmt: skip
        assert RedactSecrets().filter(record)
        line = AccessFormatter("%(client_addr)s %(request_line)s %(status_code)s").format(record)
        assert JWT not in line and "access_token=[redacted]" in line

    def test_the_process_wide_factory_redacts_any_logger_and_tracebacks(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        install_redaction()
        with caplog.at_level(logging.INFO, logger="openintern.somewhere"):
            logging.getLogger("openintern.somewhere").info("key %s in %r", KEY, {"t": JWT})
            try:
                raise ValueError(f"bad token {JWT}")
            except ValueError:
                logging.getLogger("openintern.somewhere").exception("failed")
        assert KEY not in caplog.text and JWT not in caplog.text
        assert "[redacted]" in caplog.records[1].exc_text  # type: ignore[operator]


@pytest.fixture
def api_procs(database_url: str, tmp_path: Path) -> Iterator[Procs]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "OPENINTERN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LLM_API_KEY": "sk-provider-secret-0123456789",
    }
    procs = Procs(env, tmp_path)
    yield procs
    procs.stop_all()


@pytest.mark.acceptance
def test_the_access_log_of_a_real_server_holds_no_token_or_key(api_procs: Procs, tmp_path: Path) -> None:
    url = api_procs.api()
    login = {"username": "admin", "password": ADMIN_PASSWORD}
    token = httpx.post(url + "/api/auth/login", json=login).json()["access_token"]
    key = httpx.post(
        url + "/api/keys", json={"name": "ci"}, headers={"Authorization": f"Bearer {token}"}
    ).json()["key"]
    assert httpx.get(url + "/api/runs", params={"access_token": token}).status_code == 200
    assert httpx.get(url + "/api/runs", params={"access_token": key}).status_code == 200
    assert httpx.get(url + "/api/runs", params={"access_token": "eyJ.eyJ.bad", "api_key": key}).status_code
    api_procs.stop_all()
    log = (tmp_path / "api.log").read_text(errors="replace")
    assert "/api/runs?access_token=[redacted]" in log  # the access log is on, and redacted
    for secret in (token, key, ADMIN_PASSWORD, "sk-provider-secret-0123456789"):
        assert secret not in log
    assert not re.search(r"eyJ[\w-]+\.eyJ[\w-]+", log)
