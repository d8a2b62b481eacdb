"""export_trace: a run's event log, as the runtime's ``events_reader`` service returns it.

The reader is an async callable ``(org_id, run_id) -> list[dict]`` lent by the runtime
through ``ctx.services``, so this module needs nothing from `runtime` and the org comes
from the context, never from the model: another tenant's run reads as not found.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import Field

from openintern.errors import ToolRetry
from openintern.tools.context import ToolContext, ToolOutcome
from openintern.tools.registry import tool

EventsReader = Callable[[str, str], Awaitable[list[dict[str, Any]]]]
"""``await reader(org_id, run_id)`` → the run's events in order (empty or `NotFound` when unknown)."""

EVENTS_READER = "events_reader"
"""The `ToolContext.services` key the runtime registers the reader under."""


@tool
async def export_trace(
    ctx: ToolContext,
    run_id: Annotated[
        str | None, Field(description="The run to export; the current run when omitted.")
    ] = None,
    format: Annotated[  # shadows the builtin: it is the argument name the model sees
        Literal["json", "jsonl"], Field(description="'json' (one array) or 'jsonl' (one event per line).")
    ] = "json",
) -> ToolOutcome:
    """Export the events of a run (by default the current one) as JSON or JSON lines."""
    reader: EventsReader = ctx.service(EVENTS_READER)
    wanted = run_id or ctx.run_id
    events = await reader(ctx.org_id, wanted)
    if not events and wanted != ctx.run_id:
        raise ToolRetry(f"run {wanted} has no events in this organisation (is the run id right?)")
    if format == "jsonl":
        text = "\n".join(json.dumps(e, ensure_ascii=False, default=str) for e in events)
    else:
        text = json.dumps(events, ensure_ascii=False, default=str)
    return ToolOutcome(text, data=events)
