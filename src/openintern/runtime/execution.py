"""Running one claimed run: start/resume events, the kind's executor, and the endings
every kind shares (cancelled, failed, lease lost, worker shutdown, database lost).

The attempt limit holds whatever ended the earlier attempts (a crash, a lost lease, a
database outage, a batch the database refused): a run claimed for attempt
``MAX_ATTEMPTS + 1`` since it last parked is failed before it starts, with the reason. An
attempt that ended by parking (``waiting`` on children or an approval) is no failure: a
team of five resumes five times (``runs.parked_attempts``, migration 0015).
"""

from __future__ import annotations

import asyncio
import logging

from openintern.errors import OpenInternError
from openintern.runtime.context import RunContext
from openintern.runtime.events import LeaseLost, RunDataRejected
from openintern.runtime.kinds import KindRegistry
from openintern.runtime.outage import describe, is_connection_error

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a run whose infrastructure keeps failing under it is failed at last


async def execute_run(ctx: RunContext, kinds: KindRegistry) -> None:
    run = ctx.run
    try:
        if ctx.cancel_reason == "user":
            raise asyncio.CancelledError
        if run.attempt - run.parked_attempts > MAX_ATTEMPTS:
            await fail(
                ctx,
                f"gave up after {run.attempt - run.parked_attempts - 1} attempts: each ended without finishing the run "
                "(its worker stopped or lost the database, or its lease lapsed)",
            )
            return
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
    except OpenInternError as exc:
        await fail(ctx, exc.message)
    except Exception as exc:
        if is_connection_error(exc):
            # The database, not the run, failed (connection refused, server restarting, too
            # many clients). Stop here without a traceback (the worker's outage log counts
            # these): the lease lapses and the run resumes from its checkpoint.
            ctx.writer.outage.record(exc)
            log.debug("run %s: database lost (%s); it resumes after its lease lapses", run.id, describe(exc))
            return
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
    except RunDataRejected as exc:  # even the failure was refused: the next attempt fails it
        log.warning("run %s: could not record its failure (%s)", ctx.run.id, exc.message)
    except Exception as exc:
        if not is_connection_error(exc):
            raise
        ctx.writer.outage.record(exc)  # the lease lapses; the next attempt records it
