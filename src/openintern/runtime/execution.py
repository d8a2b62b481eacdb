"""Running one claimed run: start/resume events, the kind's executor, and the endings
every kind shares (cancelled, failed, lease lost, worker shutdown)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import InterfaceError, OperationalError

from openintern.errors import OpenInternError
from openintern.runtime.context import RunContext
from openintern.runtime.events import LeaseLost
from openintern.runtime.kinds import KindRegistry

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a run whose infrastructure keeps failing under it is failed at last


async def execute_run(ctx: RunContext, kinds: KindRegistry) -> None:
    run = ctx.run
    try:
        if ctx.cancel_reason == "user":
            raise asyncio.CancelledError
        kind = kinds.get(run.kind)
        if kind is None:
            await fail(ctx, f"no executor for run kind {run.kind!r} in this worker (known: {kinds.names()})")
            return
        if run.attempt == 1:
            ctx.emit("run.started", {"kind": run.kind, "attempt": 1})
        else:
            ctx.emit("run.resumed", {"kind": run.kind, "attempt": run.attempt, "from_step": run.steps})
        await kind.execute(ctx)
    except asyncio.CancelledError:
        await _cancelled(ctx)
    except LeaseLost:
        log.warning("run %s: lease lost; another worker continues it", run.id)
    except (OperationalError, InterfaceError) as exc:
        # The database, not the run, failed (connection refused, server restarting, too many
        # clients). Stop here: the lease lapses and the run resumes from its checkpoint.
        if run.attempt >= MAX_ATTEMPTS:
            await fail(ctx, f"database unavailable after {run.attempt} attempts: {exc.orig or exc}")
        else:
            log.warning(
                "run %s: database error (%s); it will resume after its lease expires", run.id, exc.orig
            )
    except OpenInternError as exc:
        await fail(ctx, exc.message)
    except Exception as exc:
        log.exception("run %s crashed", run.id)
        await fail(ctx, f"internal error: {type(exc).__name__}: {exc}")


async def _cancelled(ctx: RunContext) -> None:
    if ctx.cancel_reason != "user":
        # Shutdown or a lost lease: the run is not over; whoever holds it next resumes it.
        return
    try:
        ctx.emit("run.cancelled", {"reason": "cancelled by request"})
        await ctx.writer.commit(ctx.handle, status="cancelled", error="cancelled by request")
        log.info("run %s cancelled", ctx.run.id)
    except LeaseLost:
        pass


async def fail(ctx: RunContext, message: str) -> None:
    try:
        ctx.emit("run.failed", {"error": message})
        await ctx.writer.commit(ctx.handle, status="failed", error=message)
        log.info("run %s failed: %s", ctx.run.id, message)
    except LeaseLost:
        pass
