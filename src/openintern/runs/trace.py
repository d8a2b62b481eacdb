"""Spans derived from the event log: run → steps → LLM calls and tool calls (+ child runs).

The trace view and the OpenTelemetry exporter both use this one derivation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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
    run_id: str, events: list[dict[str, Any]], children: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    spans: dict[str, dict[str, Any]] = {}
    root = f"run-{run_id}"
    for e in events:
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
        s = _span(
            f"run-{child['id']}",
            root,
            "child_run",
            f"{child['kind']} {child['agent_id']}",
            child["created_at"],
            run_id=child["id"],
            status=child["status"],
        )
        if child.get("finished_at"):
            _close(s, child["finished_at"], "ok" if child["status"] == "completed" else "error")
        spans[s["span_id"]] = s
    return sorted(spans.values(), key=lambda s: s["start"])


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
