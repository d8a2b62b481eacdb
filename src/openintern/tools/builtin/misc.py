"""Small built-ins: echo, current_time, and run_command (a shell command in the sandbox)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field

from openintern.errors import ToolFailed, ToolRetry
from openintern.tools.context import ToolContext, ToolOutcome
from openintern.tools.registry import tool
from openintern.tools.sandbox import SandboxLimits, SandboxResult, run_sandboxed

COMMAND_MAX_TIMEOUT_S = 300
"""Longest run_command a model may ask for; longer jobs belong in a workflow, not a tool call."""

COMMAND_LIMITS = SandboxLimits()
"""Resource limits of run_command (its wall-clock limit comes from the call)."""


# Trivial tools are coroutines: a sync tool runs in a worker thread, and that hop cost
# ~8 % of the API process's CPU at W1.
@tool
async def echo(text: Annotated[str, Field(description="The text to return.")]) -> str:
    """Return the text unchanged (useful for demos and tests)."""
    return text


@tool
async def current_time(
    timezone: Annotated[str, Field(description="IANA time zone name, e.g. 'Europe/Berlin'.")] = "UTC",
) -> str:
    """The current date and time in ISO 8601, in the given time zone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolRetry(
            f"unknown time zone {timezone!r}; use an IANA name such as 'UTC' or 'Asia/Tokyo'"
        ) from None
    return datetime.now(zone).isoformat(timespec="seconds")


@tool(risk="high", idempotent=False, timeout_s=COMMAND_MAX_TIMEOUT_S + 15, sandboxed=True)
async def run_command(
    ctx: ToolContext,
    command: Annotated[str, Field(description="A /bin/sh command line, run in the workspace directory.")],
    timeout_s: Annotated[
        int, Field(ge=1, le=COMMAND_MAX_TIMEOUT_S, description="Seconds before the command is killed.")
    ] = 30,
) -> ToolOutcome:
    """Run a shell command in a sandbox: it sees only the workspace (and the system, read-only), runs as
    an unprivileged user with resource limits and no network."""
    if not ctx.workspace.is_dir():
        raise ToolFailed(f"the project workspace {ctx.workspace} does not exist")
    limits = replace(COMMAND_LIMITS, wall_timeout_s=float(timeout_s), cpu_seconds=timeout_s)
    # Raises SandboxUnavailable (a ToolFailed the model reads) where this host cannot confine it.
    result = await run_sandboxed(
        ["/bin/sh", "-c", command], limits=limits, cwd=ctx.workspace, settings=ctx.services.sandbox
    )
    return ToolOutcome(_report(result, timeout_s), is_error=False, data=asdict(result))


def _report(result: SandboxResult, timeout_s: int) -> str:
    if result.timed_out:
        head = f"timed out after {timeout_s} s; the command and its children were killed"
    elif result.exit_code < 0:
        head = f"killed by signal {-result.exit_code} (a resource limit may have been reached)"
    else:
        head = f"exit code {result.exit_code}"
    network = "no network" if result.network_isolated else "network NOT isolated on this host"
    confined = "workspace only" if result.confined else "NOT confined to the workspace"
    parts = [f"{head} ({result.duration_ms} ms, {network}, {confined})"]
    if result.stdout:
        parts.append(f"--- stdout ---\n{result.stdout}")
    if result.stderr:
        parts.append(f"--- stderr ---\n{result.stderr}")
    return "\n".join(parts)
