"""Spans derived from the event log: run → steps → LLM calls and tool calls → child runs
(each with its own steps, calls and children).

The one derivation: `GET /api/runs/{id}/trace` serves it, the trace page renders it (and
refetches it as the run's stream moves), and the OpenTelemetry exporter will use it.
A child run's span hangs under the step that started it; the spans inside a child carry
ids prefixed with the child's run id (``<run id>/step-1``), so ids stay unique in a tree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

EventsOf = Callable[[AsyncSession, str], Awaitable[list[dict[str, Any]]]]

_END_OF_RUN = {"run.completed": "ok", "run.failed": "error", "run.cancelled": "error"}


def _ts(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _span(
    span_id: str, parent: str | None, kind: str, name: str, start: datetime, **attrs: Any
) -> dict[str, Any]:
    return {
        "span_id": span_id,
        "parent_span_id": parent,
        "kind": kind,
        "name": name,
        "status": "running",
        "start": start,
        "end": None,
        "duration_ms": None,
        "attributes": attrs,
    }


def _close(span: dict[str, Any], end: datetime, status: str) -> None:
    span["end"] = end
    span["status"] = status
    span["duration_ms"] = round((end - span["start"]).total_seconds() * 1000, 3)


def build_spans(
    run_id: str,
    events: list[dict[str, Any]],
    children: list[dict[str, Any]] | None = None,
    *,
    prefix: str = "",
) -> list[dict[str, Any]]:
    """The spans of one run's log (``prefix`` before every span id but the root's), and a
    ``child_run`` span per row of ``children`` (``id, kind, agent_id, status, created_at,
    finished_at, metadata``) under the step that started it."""
    spans: dict[str, dict[str, Any]] = {}
    root = f"run-{run_id}"
    for raw in events:
        e = _prefixed(raw, prefix)
        ts, p, kind = _ts(e["ts"]), e["payload"], e["type"]
        if kind in ("run.started", "run.resumed") and root not in spans:
            spans[root] = _span(root, None, "run", f"run {run_id}", ts)
        elif kind in _END_OF_RUN and root in spans:
            _close(spans[root], ts, _END_OF_RUN[kind])
        elif kind == "step.started":
            spans[e["span_id"]] = _span(e["span_id"], root, "step", f"step {p['step']}", ts, step=p["step"])
        elif kind == "step.completed" and e["span_id"] in spans:
            _close(spans[e["span_id"]], ts, "ok")
        elif kind in ("llm.started", "llm.token") and e["span_id"] not in spans:
            spans[e["span_id"]] = _span(e["span_id"], e["parent_span_id"], "llm", "llm call", ts)
        elif kind == "llm.called":
            _llm(spans, e, ts, p)
        elif kind == "tool.called":
            spans[e["span_id"]] = _span(
                e["span_id"], e["parent_span_id"], "tool", p["name"], ts, arguments=p.get("arguments")
            )
        elif kind == "tool.result" and e["span_id"] in spans:
            _close(spans[e["span_id"]], ts, "error" if p.get("is_error") else "ok")
            spans[e["span_id"]]["attributes"]["result"] = p.get("result")
        elif kind == "tool.blocked":
            s = spans[e["span_id"]] = _span(
                e["span_id"], e["parent_span_id"], "tool", p["name"], ts, reason=p.get("reason")
            )
            _close(s, ts, "blocked")
        elif kind == "tool.requires_approval":
            spans[e["span_id"]] = _span(
                e["span_id"], e["parent_span_id"], "tool", p["name"], ts, approval_id=p.get("approval_id")
            )
            spans[e["span_id"]]["status"] = "waiting"
    for child in children or []:
        step_span = f"{prefix}step-{(child.get('metadata') or {}).get('parent_step')}"
        s = _span(
            f"run-{child['id']}",
            step_span if step_span in spans else root,
            "child_run",
            f"{child['kind']} {child['agent_id']}",
            child["created_at"],
            run_id=child["id"],
            status=child["status"],
            usage=child.get("usage") or None,
        )
        if child.get("finished_at"):
            _close(s, child["finished_at"], "ok" if child["status"] == "completed" else "error")
        elif child["status"] == "waiting":
            s["status"] = "waiting"
        spans[s["span_id"]] = s
    return sorted(spans.values(), key=lambda s: s["start"])


def _prefixed(event: dict[str, Any], prefix: str) -> dict[str, Any]:
    if not prefix:
        return event
    ids = {k: f"{prefix}{event[k]}" for k in ("span_id", "parent_span_id") if event.get(k)}
    return {**event, **ids}


def _llm(spans: dict[str, dict[str, Any]], e: dict[str, Any], ts: datetime, p: dict[str, Any]) -> None:
    span = spans.get(e["span_id"])
    if span is None:
        start = ts - timedelta(milliseconds=float(p.get("duration_ms") or 0))
        span = spans[e["span_id"]] = _span(e["span_id"], e["parent_span_id"], "llm", "llm call", start)
    span["name"] = f"{p.get('provider')} {p.get('model')}"
    span["attributes"].update(
        usage=p.get("usage"),
        cost_usd=p.get("cost_usd"),
        finish_reason=p.get("finish_reason"),
        model=p.get("model"),
        provider=p.get("provider"),
    )
    _close(span, ts, "ok")


TRACE_CHILDREN_MAX = 500  # child runs per run shown in a trace (max_children_per_run is lower by default)

_CHILDREN = text(
    """
    SELECT id, kind, agent_id, status, created_at, finished_at, metadata, usage
      FROM runs WHERE parent_run_id = :run_id ORDER BY id LIMIT :limit
    """
)


async def trace_spans(
    session: AsyncSession, run_id: str, read_events: EventsOf, *, prefix: str = "", depth: int = 0
) -> list[dict[str, Any]]:
    """The run's spans and, nested, its children's (the caller checked the scope; children
    share their parent's org). ``read_events(session, run_id)`` reads a whole log."""
    events = await read_events(session, run_id)
    rows = (await session.execute(_CHILDREN, {"run_id": run_id, "limit": TRACE_CHILDREN_MAX})).mappings()
    children = [dict(r) for r in rows]
    spans = build_spans(run_id, events, children, prefix=prefix)
    if depth >= TRACE_DEPTH_MAX:
        return spans
    for child in children:
        inner = await trace_spans(
            session, child["id"], read_events, prefix=f"{child['id']}/", depth=depth + 1
        )
        spans.extend(s for s in inner if s["span_id"] != f"run-{child['id']}")  # its row's span stands
    return sorted(spans, key=lambda s: s["start"])


TRACE_DEPTH_MAX = 32  # as deep as runtime.max_child_depth can be set
