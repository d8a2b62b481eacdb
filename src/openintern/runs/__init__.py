"""Runs as a resource (create, read, list, cancel, events) and their trace (spans
derived from the event log, in one place for the API, the UI and the exporter)."""

from openintern.runs.service import (
    all_events,
    cancel_run,
    create_run,
    create_runs,
    get_run,
    list_runs,
    run_events,
    run_view,
    session_runs,
)
from openintern.runs.trace import build_spans

__all__ = [
    "all_events",
    "build_spans",
    "cancel_run",
    "create_run",
    "create_runs",
    "get_run",
    "list_runs",
    "run_events",
    "run_view",
    "session_runs",
]
