"""Runs as a resource: create, read, list, cancel, their events; what the API and the CLI
ask of the engine.

Every function takes the session and the scope explicitly; sessions are tenant
transactions (RLS on), and every query filters by ``org_id`` too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import Approval, Run
from openintern.errors import Conflict, Forbidden, NotFound
from openintern.runtime import lifecycle
from openintern.runtime.events import append_event_outside_worker, read_events
from openintern.runtime.queue import CANCEL_CHANNEL, NOTIFY, WAKE_CHANNEL
from openintern.schemas import actions
from openintern.schemas.ids import new_id
from openintern.schemas.runs import Run as RunView
from openintern.schemas.runs import Usage
from openintern.schemas.text import storable, storable_text


def run_view(row: Run) -> RunView:
    return RunView(
        run_id=row.id,
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        session_key=row.session_key,
        input=str(row.input.get("text", "")),
        output=row.output,
        error=row.error,
        model=row.config.get("model"),
        agent_id=row.agent_id,
        parent_run_id=row.parent_run_id,
        depth=row.depth,
        wait_reason=row.wait_reason,  # type: ignore[arg-type]
        project_id=row.project_id,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        steps=row.steps,
        attempt=row.attempt,
        cancel_requested=row.cancel_requested,
        usage=Usage(**row.usage) if row.usage else Usage(),
        metadata=row.run_metadata,
    )


def _agent_config(body: actions.RunCreate) -> dict[str, Any]:
    base = body.agent.model_dump(exclude_none=True) if body.agent else {}
    top = body.model_dump(
        include={
            "system_prompt",
            "model",
            "provider",
            "tools",
            "max_steps",
            "model_settings",
            "recall",
            "remember",
        },
        exclude_none=True,
    )
    config = {**base, **top}
    if "stream" in body.model_fields_set or body.agent is None:
        config["stream"] = body.stream
    return config


def _narrow_from_body(scope: Scope, body: actions.RunCreate) -> str | None:
    if body.org_id is not None and body.org_id != scope.org_id:
        raise Forbidden(f"org {body.org_id!r} in the body is not your org")
    if body.project_id and scope.project_id and body.project_id != scope.project_id:
        raise Forbidden(f"project {body.project_id!r} in the body differs from your scope's project")
    return body.project_id or scope.project_id


async def create_run(
    session: AsyncSession,
    scope: Scope,
    body: actions.RunCreate,
    *,
    kind: str = "agent",
    idempotency_key: str | None = None,
    parent_run_id: str | None = None,
    base_config: dict[str, Any] | None = None,
) -> tuple[Run, bool]:
    """Insert a queued run and wake the workers; ``(run, created)``. ``base_config`` is
    what the run's own fields override (a role's config, a group run's team)."""
    scope.require("member", "start runs")
    project_id = _narrow_from_body(scope, body)
    await _check_project(session, scope, project_id)
    if idempotency_key is not None:
        existing = await _by_idempotency_key(session, scope, idempotency_key)
        if existing is not None:
            if existing.input.get("text") != storable_text(body.text):
                raise Conflict(
                    "Idempotency-Key was used before with a different input", constraint="idempotency_key"
                )
            return existing, False
    values = _run_values(scope, body, project_id, kind, idempotency_key, parent_run_id)
    if base_config:
        values["config"] = storable({**base_config, **values["config"]})
    # INSERT … RETURNING in one round trip (an ORM add + flush + refresh took three and
    # was a quarter of the CPU of POST /api/runs under load), with the values as parameters
    # of one cached statement: `.values(**values)` built and compiled a new one per call.
    row = (await session.execute(_INSERT_RUN, [values])).scalar_one()
    await session.execute(NOTIFY, {"channel": WAKE_CHANNEL, "payload": row.id})
    return row, True


async def create_runs(
    session: AsyncSession,
    scope: Scope,
    bodies: list[actions.RunCreate],
    *,
    kind: str = "agent",
    base_configs: dict[int, dict[str, Any]] | None = None,
) -> list[Run]:
    """Insert many queued runs in one statement and wake the workers once; all or none
    (the caller's transaction). Rows come back in the order of ``bodies``."""
    scope.require("member", "start runs")
    checked: set[str | None] = set()  # projects already looked up in this batch
    values = []
    for i, body in enumerate(bodies):
        project_id = _narrow_from_body(scope, body)  # every run's own narrowing, org included
        if project_id not in checked:
            await _check_project(session, scope, project_id)
            checked.add(project_id)
        row = _run_values(scope, body, project_id, kind, None, None)
        if base_configs and i in base_configs:  # the run's role (see create_run)
            row["config"] = storable({**base_configs[i], **row["config"]})
        values.append(row)
    rows = list((await session.execute(_INSERT_RUN, values)).scalars())
    await session.execute(NOTIFY, {"channel": WAKE_CHANNEL, "payload": f"{len(rows)} runs"})
    return rows


async def _check_project(session: AsyncSession, scope: Scope, project_id: str | None) -> None:
    """A project named in the body (not the scope's own) must be one of the org's."""
    if project_id is not None and project_id != scope.project_id:
        from openintern.auth import get_project

        await get_project(session, scope, project_id)


def _run_values(
    scope: Scope,
    body: actions.RunCreate,
    project_id: str | None,
    kind: str,
    idempotency_key: str | None,
    parent_run_id: str | None,
) -> dict[str, Any]:
    lifecycle.check("pending", "queued")
    return {
        "id": new_id("run"),
        "org_id": scope.org_id,
        "project_id": project_id,
        "user_id": scope.user_id,
        "kind": kind,
        "status": "queued",
        "session_key": storable(body.session_key),
        "parent_run_id": parent_run_id,
        "agent_id": body.agent_id,
        # What a user sends may hold NUL or lone surrogates (JSON allows both; PostgreSQL
        # stores neither): stored with U+FFFD in their place (schemas/text.py).
        "input": {"text": storable_text(body.text)},
        "config": storable(_agent_config(body)),
        "run_metadata": storable(body.metadata),
        "usage": {},
        "idempotency_key": idempotency_key,
    }


_INSERT_RUN = insert(Run).returning(Run, sort_by_parameter_order=True)


async def _by_idempotency_key(session: AsyncSession, scope: Scope, key: str) -> Run | None:
    query = select(Run).where(Run.org_id == scope.org_id, Run.idempotency_key == key)
    return (await session.execute(query)).scalar_one_or_none()


async def get_run(session: AsyncSession, scope: Scope, run_id: str, *, lock: bool = False) -> Run:
    query = select(Run).where(Run.id == run_id, Run.org_id == scope.org_id)
    if scope.project_id is not None:
        query = query.where(Run.project_id == scope.project_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("run", run_id)
    return row


async def list_runs(
    session: AsyncSession,
    scope: Scope,
    *,
    limit: int,
    cursor: str | None = None,
    status: list[str] | None = None,
    session_key: str | None = None,
    kind: str | None = None,
    parent_run_id: str | None = None,
) -> list[Run]:
    query = select(Run).where(Run.org_id == scope.org_id)
    if scope.project_id is not None:
        query = query.where(Run.project_id == scope.project_id)
    if status:
        query = query.where(Run.status.in_(status))
    if session_key:
        query = query.where(Run.session_key == session_key)
    if kind:
        query = query.where(Run.kind == kind)
    if parent_run_id:
        query = query.where(Run.parent_run_id == parent_run_id)
    if cursor:
        query = query.where(Run.id < cursor)
    return list((await session.execute(query.order_by(Run.id.desc()).limit(limit))).scalars())


async def session_runs(
    session: AsyncSession, scope: Scope, session_key: str, page: int, limit: int
) -> tuple[list[Run], int]:
    base = select(Run).where(Run.org_id == scope.org_id, Run.session_key == session_key)
    if scope.project_id is not None:
        base = base.where(Run.project_id == scope.project_id)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.execute(base.order_by(Run.id).offset((page - 1) * limit).limit(limit))
    return list(rows.scalars()), int(total or 0)


async def cancel_run(session: AsyncSession, scope: Scope, run_id: str) -> Run:
    """Cancel now if no worker holds the run, else flag it and tell the worker; the same
    for every active descendant (child runs, their children, …)."""
    scope.require("member", "cancel runs")
    row = await get_run(session, scope, run_id, lock=True)
    if row.status in lifecycle.TERMINAL:
        lifecycle.check(row.status, "cancelled", run_id)
    await _cancel_one(session, row.id, row.org_id, row.status, scope.user_id)
    await _cancel_descendants(session, row.id, scope.user_id)
    await session.refresh(row)
    return row


async def _cancel_one(
    session: AsyncSession, run_id: str, org_id: str, status: str, user_id: str | None
) -> None:
    if status == "running":
        await session.execute(_FLAG_CANCEL, {"ids": [run_id]})
        await session.execute(NOTIFY, {"channel": CANCEL_CHANNEL, "payload": run_id})
        return
    lifecycle.check(status, "cancelled", run_id)
    await session.execute(
        update(Approval)
        .where(Approval.run_id == run_id, Approval.status == "pending")
        .values(status="rejected", comment="run cancelled", decided_by=user_id, decided_at=func.now())
    )
    await append_event_outside_worker(
        session, run_id, org_id, "run.cancelled", {"reason": "cancelled by request"}
    )
    await session.execute(_SET_CANCELLED, {"id": run_id})


# descendants -- every active run below :root (children, their children, …); a run's
# children share its org, and the scope was checked on the root.
_ACTIVE_DESCENDANTS = text(
    """
    WITH RECURSIVE tree AS (
        SELECT id FROM runs WHERE parent_run_id = :root
        UNION ALL
        SELECT r.id FROM runs r JOIN tree t ON r.parent_run_id = t.id
    )
    SELECT r.id, r.org_id, r.status FROM runs r JOIN tree t ON t.id = r.id
     WHERE r.status IN ('pending', 'queued', 'running', 'waiting')
     ORDER BY r.id
    """
)

# flag_cancel -- running runs belong to a worker, which ends them at its next await. Rows
# locked right now are skipped, not waited for: the lock holder is a worker's batch, whose
# trigger may be waiting for the parent row this transaction holds (a deadlock); the
# NOTIFY that follows cancels such a run all the same, the flag only backs up the NOTIFY.
_FLAG_CANCEL = text(
    """
    WITH mine AS (SELECT id FROM runs WHERE id = ANY(:ids) AND status = 'running' FOR UPDATE SKIP LOCKED)
    UPDATE runs SET cancel_requested = true FROM mine WHERE runs.id = mine.id
    """
)

# lock_idle -- queued or waiting runs no worker holds; a claim may hold one for a moment,
# after which it is running (and flagged instead).
_LOCK_IDLE = text(
    """
    SELECT id, org_id, status FROM runs
     WHERE id = ANY(:ids) AND status IN ('pending', 'queued', 'waiting') ORDER BY id FOR UPDATE
    """
)

_SET_CANCELLED = text(
    """
    UPDATE runs SET status = 'cancelled', wait_reason = NULL, finished_at = now(),
                    error = 'cancelled by request'
     WHERE id = :id
    """
)


async def _cancel_descendants(session: AsyncSession, root: str, user_id: str | None) -> None:
    rows = (await session.execute(_ACTIVE_DESCENDANTS, {"root": root})).all()
    if not rows:
        return
    idle = (await session.execute(_LOCK_IDLE, {"ids": [r.id for r in rows if r.status != "running"]})).all()
    idle_ids = {r.id for r in idle}
    running = [r.id for r in rows if r.id not in idle_ids]  # running, or claimed since the read
    for r in idle:
        await _cancel_one(session, r.id, r.org_id, r.status, user_id)
    if running:
        await session.execute(_FLAG_CANCEL, {"ids": running})
        for run_id in running:
            await session.execute(NOTIFY, {"channel": CANCEL_CHANNEL, "payload": run_id})


async def run_events(
    session: AsyncSession, scope: Scope, run_id: str, *, cursor: int, limit: int, types: list[str] | None
) -> tuple[list[dict[str, Any]], int | None]:
    await get_run(session, scope, run_id)
    events = await read_events(session, run_id, after=cursor, limit=limit, types=types)
    return events, (events[-1]["seq"] if len(events) == limit else None)


EVENTS_PAGE = 1000  # rows per read when a whole log is wanted


async def all_events(session: AsyncSession, run_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """A run's whole log (at most ``limit`` events), in pages (the caller checked the scope)."""
    events: list[dict[str, Any]] = []
    while limit is None or len(events) < limit:
        page = await read_events(session, run_id, after=events[-1]["seq"] if events else 0, limit=EVENTS_PAGE)
        events.extend(page)
        if len(page) < EVENTS_PAGE:
            break
    return events if limit is None else events[:limit]
