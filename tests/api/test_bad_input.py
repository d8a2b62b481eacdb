"""Bad input on every endpoint → 4xx problem details, never a 500.

Driven by the OpenAPI document, so every endpoint a later issue adds is covered.
"""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient

_BAD_BODIES: list[tuple[str, Any]] = [
    ("not json", b"{not json"),
    ("array", b"[1, 2]"),
    ("unknown field", b'{"definitely_not_a_field": 1}'),
    ("huge string", b'{"name": "' + b"x" * 20_000 + b'"}'),
]


def _operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    ops = []
    for path, methods in app.openapi()["paths"].items():
        for method, op in methods.items():
            ops.append((method.upper(), path, op))
    return ops


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "zz_does_not_exist", path)


async def test_every_endpoint_rejects_bad_input_with_problem_details(app: Any, admin: AsyncClient) -> None:
    ops = _operations(app)
    assert len(ops) >= 15
    for method, path, op in ops:
        url = _fill(path)
        attempts: list[tuple[str, dict[str, Any]]] = [("garbage id", {})]
        if "requestBody" in op:
            attempts += [
                (label, {"content": body, "headers": {"content-type": "application/json"}})
                for label, body in _BAD_BODIES
            ]
        for param in op.get("parameters", []):
            if param["in"] == "query":
                attempts.append((f"query {param['name']}", {"params": {param["name"]: "-1\x00'\"<>"}}))
        for label, kwargs in attempts:
            resp = await admin.request(method, url, **kwargs)
            assert resp.status_code < 500, (
                f"{method} {path} [{label}] → {resp.status_code}: {resp.text[:300]}"
            )
            if resp.status_code >= 400:
                assert resp.headers["content-type"].startswith("application/problem+json"), (
                    f"{method} {path} [{label}]"
                )
                body = resp.json()
                assert {"type", "title", "status", "detail"} <= body.keys()


async def test_validation_error_names_the_field(admin: AsyncClient) -> None:
    resp = await admin.post("/api/projects", json={"name": "", "nmae": "typo"})
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.json()["errors"]}
    assert {"body.name", "body.nmae"} <= fields


async def test_unknown_route_is_problem_404(admin: AsyncClient) -> None:
    resp = await admin.get("/api/nothing-here")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_unknown_route_with_any_method_is_problem_404(admin: AsyncClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        resp = await admin.request(method, "/api/nothing-here", json={})
        assert resp.status_code == 404, method
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_openapi_documents_problem_details(app: object) -> None:
    schema = app.openapi()  # type: ignore[attr-defined]
    assert (
        "Problem" in schema["components"]["schemas"]
        and "HTTPValidationError" not in schema["components"]["schemas"]
    )
    errors = schema["paths"]["/api/projects"]["post"]["responses"]["422"]["content"]
    assert errors == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


async def test_every_endpoint_with_a_body_refuses_one_over_the_limit(app: Any, admin: AsyncClient) -> None:
    """Issue 15: the request body is bounded as a whole (server.max_body_bytes), on every
    route, before the route reads it; uploads have their own larger limit."""
    from openintern.api.middleware import UPLOAD_PATHS

    oversized = b'{"name": "' + b"x" * (8 * 2**20) + b'"}'
    checked = 0
    for method, path, op in _operations(app):
        if "requestBody" not in op or path in UPLOAD_PATHS:
            continue
        resp = await admin.request(
            method, _fill(path), content=oversized, headers={"content-type": "application/json"}
        )
        assert resp.status_code == 413, f"{method} {path} → {resp.status_code}"
        assert resp.json()["limit"] == 8 * 2**20
        checked += 1
    assert checked >= 10
