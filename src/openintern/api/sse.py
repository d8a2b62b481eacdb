"""Server-sent events for run streams: ``id: <seq>``, ``event: <type>``, ``data: <event JSON>``,
keep-alive comments while idle, closed after the run's terminal event. A reconnect
resumes after ``Last-Event-ID`` (or ``?cursor=``) with no gap and no duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from openintern.api.platform import Platform
from openintern.runtime.streams import EventHub, follow

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def resume_cursor(request: Request, cursor: int | None) -> int:
    last = request.headers.get("last-event-id", "").strip()
    if last.isdigit():
        return int(last)
    return cursor or 0


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def stream_run(platform: Platform, org_id: str, run_id: str, after: int) -> EventSourceResponse:
    hub: EventHub = platform.services["hub"]

    async def frames() -> AsyncIterator[ServerSentEvent]:
        async for event in follow(platform.db, hub, org_id, run_id, after):
            if event is None:
                yield ServerSentEvent(comment="keep-alive")
            else:
                yield ServerSentEvent(data=_json(event), event=event["type"], id=str(event["seq"]))

    return EventSourceResponse(frames(), headers=SSE_HEADERS, ping=3600, send_timeout=30)


def _json(event: dict[str, Any]) -> str:
    return orjson.dumps(event).decode()
