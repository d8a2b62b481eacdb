"""Server-sent events for run streams: ``id: <seq>``, ``event: <type>``, ``data: <event JSON>``,
keep-alive comments while idle, closed after the run's terminal event. A reconnect
resumes after ``Last-Event-ID`` (or ``?cursor=``) with no gap and no duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import Request
from sse_starlette import EventSourceResponse

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


KEEPALIVE_FRAME = b": keep-alive\n\n"


def stream_run(platform: Platform, org_id: str, run_id: str, after: int) -> EventSourceResponse:
    hub: EventHub = platform.hub

    async def frames() -> AsyncIterator[bytes]:
        async for event in follow(platform.db, hub, org_id, run_id, after):
            yield KEEPALIVE_FRAME if event is None else frame(event)

    return EventSourceResponse(frames(), headers=SSE_HEADERS, ping=3600, send_timeout=30)


def frame(event: dict[str, Any]) -> bytes:
    """One SSE message, encoded here rather than through `ServerSentEvent` (its line
    splitting and clean-up regexes cost more than the rest of a token's trip through the
    API at 5,000 tokens/s, bench W3): the id is an integer, the type one of the event
    names, and compact JSON has no line breaks, so each field is one line as it stands."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (event["seq"], event["type"].encode(), orjson.dumps(event))


def document_streams(schema: dict[str, Any]) -> None:
    """Name the event union in the OpenAPI document (`RunEvent`) and give every
    ``text/event-stream`` response its schema: each message's ``data`` is one `RunEvent`
    (``event:`` is its ``type``, ``id:`` its ``seq``). The UI's generated types then
    have the same union the events page returns."""
    from pydantic import TypeAdapter

    from openintern.schemas.events import RunEvent

    union = TypeAdapter(RunEvent).json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(union.pop("$defs", {}))
    components["RunEvent"] = union
    stream = {"schema": {"$ref": "#/components/schemas/RunEvent"}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                if "text/event-stream" in response.get("content", {}):
                    response["content"]["text/event-stream"] = stream
