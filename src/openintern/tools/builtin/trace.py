"""export_trace: a run's event log, as the platform's ``events_reader`` returns it.

The reader is an async callable ``(org_id, run_id) -> list[dict]`` lent through
``ctx.services`` (`ToolServices`), so this module needs nothing from the engine and the
org comes from the context, never from the model: another tenant's run reads as not found.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import Field

from openintern.errors import ToolRetry
from openintern.tools.context import ToolContext, ToolOutcome
from openintern.tools.registry import tool


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
    reader = ctx.events_reader()
    wanted = run_id or ctx.run_id
    events = await reader(ctx.org_id, wanted)
    if not events and wanted != ctx.run_id:
        raise ToolRetry(f"run {wanted} has no events in this organisation (is the run id right?)")
    if format == "jsonl":
        text = "\n".join(json.dumps(e, ensure_ascii=False, default=str) for e in events)
    else:
        text = json.dumps(events, ensure_ascii=False, default=str)
    return ToolOutcome(text, data=events)
