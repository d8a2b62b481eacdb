"""Request id and audit, as one pure-ASGI middleware (no per-request task or body copy).

The request id is the incoming ``x-request-id`` when it looks sane, else a new one; it
is echoed on the response and put in every problem body. Mutating requests that reached
a scope are queued to the audit writer after the response has started.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

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
