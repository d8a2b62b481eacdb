"""Errors → RFC 9457 problem details, in one place.

Every 4xx/5xx body is ``{"type", "title", "status", "detail", "request_id", …}`` with
``Content-Type: application/problem+json``; validation failures add ``errors[]`` with the
field path of each problem (``loc``), so a client can point at the offending field.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from openintern.api.middleware import BodyTooLarge
from openintern.errors import OpenInternError, ValidationFailed, field_error

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://openintern.dev/problems/"
MEDIA_TYPE = "application/problem+json"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(request: Request, status: int, title: str, detail: str, kind: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": getattr(request.state, "request_id", None),
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _title(exc: OpenInternError) -> str:
    return (type(exc).__doc__ or type(exc).__name__).strip().splitlines()[0]


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OpenInternError)
    extra: dict[str, Any] = {k: v for k, v in exc.fields.items() if isinstance(v, (str, int, float, bool))}
    if isinstance(exc, ValidationFailed) and exc.errors:
        extra["errors"] = exc.errors
    if exc.status_code >= 500:
        log.error("%s: %s", type(exc).__name__, exc.message)
    response = problem(
        request, exc.status_code, _title(exc), exc.message, _kebab(type(exc).__name__), **extra
    )
    if isinstance(exc.fields.get("retry_after"), int):
        response.headers["Retry-After"] = str(exc.fields["retry_after"])
    return response


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [field_error(e.get("loc", ()), e.get("msg", ""), e.get("type", "")) for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['msg']}" for e in errors[:5])
    return problem(request, 422, "Request validation failed", detail, "validation-failed", errors=errors)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}.get(
        exc.status_code, "HTTP error"
    )
    extra: dict[str, Any] = {}
    if isinstance(exc, BodyTooLarge):
        extra = {"field": "body", "limit": exc.limit, "setting": exc.setting}
    return problem(request, exc.status_code, title, str(exc.detail), title.lower().replace(" ", "-"), **extra)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The connection died under the request (server restart, killed backend). SQLAlchemy has
    # invalidated the pool, so a retry gets a fresh connection: 503 says exactly that.
    log.warning("database connection lost during %s %s: %s", request.method, request.url.path, exc)
    response = problem(
        request,
        503,
        "Database unavailable",
        "the database connection was lost; retry the request",
        "database-unavailable",
    )
    response.headers["Retry-After"] = "1"
    return response


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value the schema let through (a NUL byte, an out-of-range
    # number): the client's input, so a 422 rather than a 500.
    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
    return problem(request, 422, "Invalid value", f"the database rejected a value: {reason}", "invalid-value")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        request,
        500,
        "Internal server error",
        "An unexpected error occurred; the request id is in the logs.",
        "internal",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(OpenInternError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


def document(app: FastAPI) -> None:
    """Describe errors in OpenAPI as they really are: every 4xx/5xx is a Problem (FastAPI
    would otherwise advertise its own HTTPValidationError for 422)."""
    from fastapi.openapi.utils import get_openapi

    from openintern.api.sse import document_streams
    from openintern.schemas.responses import Problem

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(
            Problem.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs", {})
        )
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for code in list(responses):
                    if code.startswith(("4", "5")):
                        responses[code]["content"] = problem
                responses.setdefault("4XX", {"description": "Problem details", "content": problem})
        document_streams(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
