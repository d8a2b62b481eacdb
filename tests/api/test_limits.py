"""Limits on every input (issue 15, finding 3): each oversized input is a 413 or 422
problem that names the field and the limit, and nothing of it is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from httpx import ASGITransport, AsyncClient

from openintern.api.routes.memory import MAX_UPLOAD_BYTES
from openintern.config import Settings
from openintern.schemas.actions import MAX_INPUT_CHARS
from tests.conftest import ADMIN_PASSWORD

MEMORY_CONTENT_CHARS = 1_000_000


def _field_error(resp: Any, field: str) -> dict[str, Any]:
    """The error under ``field`` that names a limit (a union reports each of its forms)."""
    assert resp.status_code == 422, resp.text[:300]
    assert resp.headers["content-type"].startswith("application/problem+json")
    errors = [e for e in resp.json()["errors"] if e["field"].startswith(field)]
    assert errors, resp.json()["errors"]
    return dict(next((e for e in errors if "at most" in e["msg"]), errors[0]))


class TestRunInput:
    async def test_a_plain_string_input_over_the_limit_is_refused(self, admin: AsyncClient) -> None:
        resp = await admin.post("/api/runs", json={"input": "x" * (MAX_INPUT_CHARS + 1)})
        error = _field_error(resp, "body.input")
        assert f"{MAX_INPUT_CHARS}" in error["msg"]
        assert (await admin.get("/api/runs")).json()["items"] == []

    async def test_the_text_form_has_the_same_limit(self, admin: AsyncClient) -> None:
        resp = await admin.post("/api/runs", json={"input": {"text": "x" * (MAX_INPUT_CHARS + 1)}})
        assert f"{MAX_INPUT_CHARS}" in _field_error(resp, "body.input")["msg"]

    async def test_an_input_at_the_limit_is_accepted(self, admin: AsyncClient) -> None:
        resp = await admin.post("/api/runs", json={"input": "x" * MAX_INPUT_CHARS})
        assert resp.status_code == 201, resp.text[:300]

    async def test_a_batch_run_input_over_the_limit_is_refused(self, admin: AsyncClient) -> None:
        resp = await admin.post("/api/runs/batch", json={"runs": [{"input": "x" * (MAX_INPUT_CHARS + 1)}]})
        _field_error(resp, "body.runs.0.input")


async def test_a_chat_message_over_the_limit_is_refused(admin: AsyncClient) -> None:
    resp = await admin.post("/api/chat", json={"message": "x" * (MAX_INPUT_CHARS + 1)})
    assert f"{MAX_INPUT_CHARS}" in _field_error(resp, "body.message")["msg"]


class TestMemoryContent:
    async def test_create_over_the_limit_is_refused(self, admin: AsyncClient) -> None:
        big = "x" * (MEMORY_CONTENT_CHARS + 1)
        resp = await admin.post("/api/memory", json={"title": "t", "content": big})
        assert f"{MEMORY_CONTENT_CHARS}" in _field_error(resp, "body.content")["msg"]

    async def test_update_over_the_limit_is_refused(self, admin: AsyncClient) -> None:
        created = (await admin.post("/api/memory", json={"title": "t", "content": "c"})).json()
        big = "x" * (MEMORY_CONTENT_CHARS + 1)
        resp = await admin.patch(f"/api/memory/{created['id']}", json={"content": big})
        _field_error(resp, "body.content")
        assert (await admin.get(f"/api/memory/{created['id']}")).json()["content"] == "c"


class TestRequestBody:
    async def test_a_10_mb_body_is_refused_from_its_content_length(self, admin: AsyncClient) -> None:
        body = orjson.dumps({"input": "x" * 10_000_000})
        resp = await admin.post("/api/runs", content=body, headers={"content-type": "application/json"})
        assert resp.status_code == 413
        problem = resp.json()
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert problem["field"] == "body" and problem["limit"] == 8 * 2**20
        assert problem["setting"] == "server.max_body_bytes" and problem["request_id"]

    async def test_a_chunked_body_is_refused_once_it_passes_the_limit(self, admin: AsyncClient) -> None:
        sent = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal sent
            yield b'{"input": "'
            for _ in range(64):
                sent += 2**20
                yield b"x" * 2**20
            yield b'"}'

        resp = await admin.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
        assert resp.status_code == 413, resp.text[:300]
        assert resp.json()["limit"] == 8 * 2**20 and resp.json()["title"] == "Payload too large"

    async def test_the_limit_is_a_setting(self, settings: Settings, database_url: str) -> None:
        from openintern.api import create_app

        settings.server.max_body_bytes = 4096
        app = create_app(settings, database_url=database_url, migrate=False)
        async with (
            app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
        ):
            login = {"username": "admin", "password": ADMIN_PASSWORD}
            token = (await client.post("/api/auth/login", json=login)).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            assert (await client.post("/api/runs", json={"input": "x" * 4000})).status_code == 201
            resp = await client.post("/api/runs", json={"input": "x" * 5000})
            assert resp.status_code == 413 and resp.json()["limit"] == 4096


class TestUploads:
    async def test_a_file_over_the_per_file_limit_is_refused_by_name(self, admin: AsyncClient) -> None:
        data = b"x" * (MAX_UPLOAD_BYTES + 1)
        resp = await admin.post("/api/memory/ingest", files=[("files", ("big.md", data, "text/markdown"))])
        assert resp.status_code == 422 and resp.json()["file"] == "big.md"
        assert "50 MiB" in resp.json()["detail"]

    @pytest.mark.parametrize("size", [101 * 2**20])
    async def test_an_upload_over_the_request_limit_is_refused(self, admin: AsyncClient, size: int) -> None:
        half = b"x" * (size // 2)
        files = [("files", ("a.md", half, "text/markdown")), ("files", ("b.md", half, "text/markdown"))]
        resp = await admin.post("/api/memory/ingest", files=files)
        assert resp.status_code == 413
        assert resp.json()["setting"] == "server.max_upload_bytes" and resp.json()["limit"] == 100 * 2**20
