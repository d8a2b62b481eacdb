"""Security headers on the UI, static files, the API and SSE streams (issue 15, finding 7)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from openintern.config import Settings
from tests.runtime.test_agent_runs import wait_status

WEB_INDEX = Path(__file__).parents[2] / "web" / "index.html"
COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _policy(headers: Any) -> dict[str, str]:
    csp = headers["content-security-policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in (p.strip() for p in csp.split(";")) if d}


def _assert_common(headers: Any) -> dict[str, str]:
    for name, value in COMMON.items():
        assert headers[name] == value, name
    policy = _policy(headers)
    assert policy["frame-ancestors"] == "'none'"
    assert "strict-transport-security" not in headers  # not told it is behind TLS
    return policy


@pytest.fixture
async def ui(settings: Settings, database_url: str, tmp_path: Path) -> AsyncIterator[AsyncClient]:
    """An app serving a UI build of the test's own (the package's build may not exist)."""
    from openintern.api import create_app

    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text('<!doctype html><script type="module" src="/assets/a.js"></script>')
    (static / "assets" / "a.js").write_text("console.log(1)")
    settings.server.static_dir = static
    app = create_app(settings, database_url=database_url, migrate=False)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


async def test_the_ui_gets_a_strict_policy(ui: AsyncClient) -> None:
    for path in ("/", "/runs/some-run", "/assets/a.js"):
        resp = await ui.get(path)
        assert resp.status_code == 200, path
        policy = _assert_common(resp.headers)
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", path
        assert policy["object-src"] == "'none'" and policy["default-src"] == "'self'", path


async def test_api_answers_and_problems_load_nothing(ui: AsyncClient) -> None:
    for path, status in (("/health", 200), ("/api/runs", 401), ("/api/nothing", 404)):
        resp = await ui.get(path)
        assert resp.status_code == status, path
        assert _assert_common(resp.headers)["default-src"] == "'none'", path


async def test_a_refused_body_carries_the_headers_too(ui: AsyncClient) -> None:
    resp = await ui.post(
        "/api/runs", content=b"x" * (9 * 2**20), headers={"content-type": "application/json"}
    )
    assert resp.status_code == 413
    _assert_common(resp.headers)


async def test_an_sse_stream_gets_the_headers(runner: AsyncClient, fake_llm: Any) -> None:
    model = fake_llm.register([{"text": "done"}])
    run_id = (await runner.post("/api/runs", json={"input": "x", "model": model})).json()["run_id"]
    await wait_status(runner, run_id, {"completed"})
    async with runner.stream("GET", f"/api/runs/{run_id}/stream") as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        _assert_common(resp.headers)
        lines = [line async for line in resp.aiter_lines() if line.startswith("event:")]
    assert lines[-1] == "event: run.completed"


async def test_hsts_only_behind_tls(settings: Settings, database_url: str) -> None:
    from openintern.api import create_app

    settings.server.behind_tls = True
    app = create_app(settings, database_url=database_url, migrate=False)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="https://test") as client,
    ):
        resp = await client.get("/health")
    assert resp.headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_ui_source_has_no_inline_script_or_style() -> None:
    """What makes ``script-src 'self'; style-src 'self'`` safe for the UI: Vite turns
    web/index.html into the served page, adding only external ``<script src>`` and
    ``<link>`` tags, so no inline code may be written there."""
    html = WEB_INDEX.read_text()
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert "<style" not in html and not re.search(r"\sstyle=", html) and not re.search(r"\son\w+=", html)
