"""Runs: create, read, list, cancel, events (page or SSE), stream, trace, export; chat."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import PlainTextResponse

from openintern.api.deps import PlatformDep, ScopeDep, SessionDep, StreamScopeDep
from openintern.api.sse import resume_cursor, stream_run, wants_stream
from openintern.errors import ValidationFailed, field_error
from openintern.runs import service
from openintern.runs.trace import trace_spans
from openintern.runtime.streams import follow
from openintern.schemas import actions
from openintern.schemas.base import Cursor, Limit
from openintern.schemas.responses import Page
from openintern.schemas.runs import (
    ChatResponse,
    EventPage,
    Run,
    RunBatch,
    SessionRuns,
    Span,
    Trace,
    Usage,
)
from openintern.teams import roles

router = APIRouter(prefix="/api", tags=["runs"])
IdempotencyKey = Annotated[str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")]
SSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "With `Accept: text/event-stream`: SSE."}
}


@router.post("/runs", status_code=status.HTTP_201_CREATED)
async def create_run(
    body: actions.RunCreate,
    scope: ScopeDep,
    session: SessionDep,
    response: Response,
    platform: PlatformDep,
    idempotency_key: IdempotencyKey = None,
) -> Run:
    _check_tools(platform, body)
    base = await _role_config(session, scope, body)
    row, created = await service.create_run(
        session, scope, body, idempotency_key=idempotency_key, base_config=base
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return service.run_view(row)


@router.post("/runs/batch", status_code=status.HTTP_201_CREATED)
async def create_runs(
    body: actions.RunBatchCreate,
    scope: ScopeDep,
    session: SessionDep,
    platform: PlatformDep,
    idempotency_key: IdempotencyKey = None,
) -> RunBatch:
    """Create up to 1,000 runs in one request and one transaction (all or none): bulk jobs
    and evaluations without a request per run. Each run is then an ordinary run."""
    if idempotency_key is not None:
        raise ValidationFailed(
            "Idempotency-Key is not supported on /api/runs/batch: a batch is created all or none, "
            "so retry it only when the first attempt answered with an error",
            errors=[field_error(["header", "idempotency-key"], "not supported here", "unsupported_header")],
        )
    bases: dict[int, dict[str, Any]] = {}
    for i, run in enumerate(body.runs):
        _check_tools(platform, run, at=("runs", i))
        base = await _role_config(session, scope, run, at=f"runs.{i}.role_id")
        if base is not None:
            bases[i] = base
    rows = await service.create_runs(session, scope, body.runs, base_configs=bases)
    return RunBatch(runs=[service.run_view(r) for r in rows])


async def _role_config(
    session: Any, scope: Any, body: actions.RunCreate, at: str = "role_id"
) -> dict[str, Any] | None:
    """The config of the role the run names (a 422 naming the field if the org has none)."""
    if body.role_id is None:
        return None
    return roles.role_config(await roles.get_role(session, scope, body.role_id, field=at))


def _check_tools(platform: Any, body: actions.RunCreate, at: tuple[str | int, ...] = ()) -> None:
    registry = platform.services.tools
    for where, config in (("tools", body), ("agent.tools", body.agent)):
        for i, name in enumerate((config.tools if config else None) or []):
            if name not in registry:
                raise ValidationFailed(
                    f"unknown tool {name!r}; available: {', '.join(registry.names())}",
                    errors=[
                        field_error(
                            ["body", *at, *where.split("."), i], f"unknown tool {name!r}", "unknown_tool"
                        )
                    ],
                )


@router.get("/runs")
async def list_runs(
    scope: ScopeDep,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor | None = None,
    status_: Annotated[
        list[Literal["pending", "queued", "running", "waiting", "completed", "failed", "cancelled"]] | None,
        Query(alias="status"),
    ] = None,
    session_key: actions.SessionKey | None = None,
    kind: Literal["agent", "group", "workflow", "external"] | None = None,
    parent_run_id: Cursor | None = None,
) -> Page[Run]:
    rows = await service.list_runs(
        session,
        scope,
        limit=limit,
        cursor=cursor,
        status=list(status_ or []) or None,
        session_key=session_key,
        kind=kind,
        parent_run_id=parent_run_id,
    )
    return Page(
        items=[service.run_view(r) for r in rows], next_cursor=rows[-1].id if len(rows) == limit else None
    )


@router.get("/runs/{run_id}")
async def get_run(run_id: str, scope: ScopeDep, session: SessionDep) -> Run:
    return service.run_view(await service.get_run(session, scope, run_id))


@router.post("/runs/{run_id}/cancel")
async def cancel_run(run_id: str, scope: ScopeDep, session: SessionDep) -> Run:
    return service.run_view(await service.cancel_run(session, scope, run_id))


@router.get("/runs/{run_id}/events", response_model=EventPage, responses=SSE)
async def run_events(
    run_id: str,
    request: Request,
    scope: StreamScopeDep,
    platform: PlatformDep,
    cursor: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    type_: Annotated[list[str] | None, Query(alias="type", max_length=50)] = None,
) -> Any:
    types = [t for item in type_ or [] for t in item.split(",") if t] or None
    async with platform.db.tenant(scope.org_id) as session:
        if wants_stream(request):
            await service.get_run(session, scope, run_id)
        else:
            events, nxt = await service.run_events(
                session, scope, run_id, cursor=cursor, limit=limit, types=types
            )
            # The log's own JSON, byte for byte what the stream sends (the writer emitted it
            # against the RunEvent union; with runtime.check_events it validated it): no
            # model round trip that would add the payload models' defaults.
            return Response(
                orjson.dumps({"events": events, "next_cursor": nxt}), media_type="application/json"
            )
    return stream_run(platform, scope.org_id, run_id, resume_cursor(request, cursor))


@router.get("/runs/{run_id}/stream", responses=SSE)
async def stream(
    run_id: str,
    request: Request,
    scope: StreamScopeDep,
    platform: PlatformDep,
    cursor: Annotated[int | None, Query(ge=0)] = None,
) -> Any:
    async with platform.db.tenant(scope.org_id) as session:
        await service.get_run(session, scope, run_id)
    return stream_run(platform, scope.org_id, run_id, resume_cursor(request, cursor))


@router.get("/runs/{run_id}/trace")
async def trace(run_id: str, scope: ScopeDep, session: SessionDep) -> Trace:
    """The run's spans, derived on the server from its log and its children's (nested)."""
    row = await service.get_run(session, scope, run_id)
    spans = await trace_spans(session, run_id, service.all_events)
    return Trace(
        run_id=run_id, spans=[Span(**s) for s in spans], usage=Usage(**row.usage) if row.usage else Usage()
    )


@router.get("/runs/{run_id}/export", response_class=PlainTextResponse)
async def export(
    run_id: str, scope: ScopeDep, session: SessionDep, format: Literal["json", "jsonl"] = "json"
) -> PlainTextResponse:
    run = service.run_view(await service.get_run(session, scope, run_id))
    events = await service.all_events(session, run_id)
    if format == "jsonl":
        body = "".join(orjson.dumps(e).decode() + "\n" for e in events)
        return PlainTextResponse(body, media_type="application/x-ndjson")
    doc = {"run": run.model_dump(mode="json"), "events": events}
    return PlainTextResponse(
        orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode(), media_type="application/json"
    )


@router.get("/sessions/{session_key}/runs")
async def session_runs(
    session_key: str,
    scope: ScopeDep,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Limit = 20,
) -> SessionRuns:
    rows, total = await service.session_runs(session, scope, session_key, page, limit)
    return SessionRuns(items=[service.run_view(r) for r in rows], total=total, page=page, limit=limit)


@router.post("/chat")
async def chat(body: actions.ChatRequest, scope: StreamScopeDep, platform: PlatformDep) -> ChatResponse:
    """Non-streaming fallback: start a run and answer when it ends."""
    run_body = actions.RunCreate(
        input=body.message, session_key=body.session_key, model=body.model, provider=body.provider
    )
    async with platform.db.tenant(scope.org_id) as session:
        row, _ = await service.create_run(session, scope, run_body)
        run_id = row.id

    async def until_done() -> None:
        async for _ in follow(platform.db, platform.hub, scope.org_id, run_id, 0, keepalive_s=5):
            pass

    # On timeout, answer with the run as it is; the client can follow /api/runs/{id}/stream.
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(until_done(), timeout=body.timeout_s)
    async with platform.db.tenant(scope.org_id) as session:
        row = await service.get_run(session, scope, run_id)
    return ChatResponse(run_id=row.id, status=row.status, output=row.output, error=row.error)  # type: ignore[arg-type]
