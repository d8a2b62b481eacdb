"""The app's pure-ASGI middleware (no per-request task or body copy): request id and
audit, the request body limit, and the security headers.

Request context: the request id is the incoming ``x-request-id`` when it looks sane, else
a new one; it is echoed on the response and put in every problem body. Mutating requests
that reached a scope are queued to the audit writer after the response has started.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openintern.auth import AuditRecord, AuditWriter

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status_holder = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._audit(scope, state, request_id, status_holder[0], started)

    def _audit(
        self, scope: Scope, state: dict[str, Any], request_id: str, status: int, started: float
    ) -> None:
        tenant = state.get("scope")
        platform = getattr(scope["app"].state, "platform", None) if "app" in scope else None
        if platform is None or scope["method"] not in MUTATING or tenant is None:
            return
        writer: AuditWriter = platform.audit
        writer.record(
            AuditRecord(
                org_id=tenant.org_id,
                project_id=tenant.project_id,
                user_id=tenant.user_id,
                api_key_id=tenant.api_key_id,
                method=scope["method"],
                path=scope["path"],
                status=status,
                request_id=request_id,
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


# --- request body limit (issue 15) ---

UPLOAD_PATHS = frozenset({"/api/memory/ingest"})
"""Routes that take documents: they get ``server.max_upload_bytes`` instead of
``server.max_body_bytes`` (each file is then bounded again by the route)."""


class BodyTooLarge(HTTPException):
    """The request body is larger than the limit; a problem naming the limit (413)."""

    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes ({setting})")
        self.limit = limit
        self.setting = setting


class BodyLimitMiddleware:
    """Refuses a body over the limit before reading it all: at once when ``Content-Length``
    says so, else (chunked) as soon as the bytes received pass it. The second case raises
    `BodyTooLarge` from ``receive``, inside the route, so the app's problem handler
    answers; no more of the body is read. Memory stays bounded by the limit either way."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in UPLOAD_PATHS
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        setting = "server.max_upload_bytes" if upload else "server.max_body_bytes"
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_problem(scope, send, BodyTooLarge(limit, setting))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
            return message

        await self.app(scope, counted, send)


async def _send_problem(scope: Scope, send: Send, exc: BodyTooLarge) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = orjson.dumps(
        {
            "type": "https://openintern.dev/problems/payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": exc.detail,
            "request_id": request_id,
            "field": "body",
            "limit": exc.limit,
            "setting": exc.setting,
        }
    )
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- security headers (issue 15) ---

UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The web UI's policy: its own files only, no inline script or style (the Vite build has
none: tests/api/test_security_headers.py checks index.html), never inside a frame."""

API_CSP = "default-src 'none'; frame-ancestors 'none'"
"""JSON, SSE and problem bodies are never documents: nothing may load from them."""

DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'"
)
"""FastAPI's Swagger page (/docs) loads its script from a CDN and starts it inline."""

HSTS = b"max-age=31536000; includeSubDomains"
_API_PATHS = ("/api/", "/health", "/ready", "/openapi.json")
_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """CSP, frame, sniffing and referrer headers on every response, and HSTS when
    ``server.behind_tls`` says the platform is served over HTTPS. Headers are added to
    the ``http.response.start`` message only, so a stream's body passes untouched."""

    def __init__(self, app: ASGIApp, *, behind_tls: bool) -> None:
        self.app = app
        self.behind_tls = behind_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*_COMMON, (b"content-security-policy", _policy(scope["path"]).encode())]
        if self.behind_tls:
            extra.append((b"strict-transport-security", HSTS))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _policy(path: str) -> str:
    if path.startswith(_API_PATHS):
        return API_CSP
    if path == "/docs" or path.startswith("/docs/"):
        return DOCS_CSP
    return UI_CSP
