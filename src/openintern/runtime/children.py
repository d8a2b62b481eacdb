"""Child runs: a run starts runs of any kind, waits for them without a worker, and resumes
with their results.

A kind uses two calls around one of its steps:

    await start_children(ctx, step, specs, checkpoint=state)   # then return from execute
    ...                                                         # (the run is `waiting`)
    results = await collect_children(ctx, step)                # on the resumed attempt

Invariants:

* **Durable and atomic.** The children's rows, the parent's checkpoint, its ``waiting``
  status (reason ``children``) and the ``run.children_started`` event commit in one
  transaction. A worker killed at any point leaves either all of it or none of it.
* **No double start.** A child's id is derived from (parent, step, index)
  (:func:`child_run_id`), and the insert is ``ON CONFLICT (id) DO NOTHING``: a parent
  that repeats the spawning step after a crash names the same children and starts none
  twice.
* **No worker slot while waiting.** The parent is not running while its children are;
  when the last child ends, the ``runs_wake_parent`` trigger (migration 0012) requeues it
  in that child's transaction, and any worker resumes it from its checkpoint.
* **Bounded.** ``runtime.max_child_depth`` and ``runtime.max_children_per_run`` are
  checked before anything is written; exceeding one fails the parent with a message
  naming the setting.
* **Cancel cascades down** (`openintern.runs.cancel_run` walks the descendants), and
  **usage rolls up**: a collected child's usage is added by :func:`rolled_up`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import text

from openintern.errors import QuotaExceeded
from openintern.runtime.context import RunContext
from openintern.runtime.queue import NOTIFY, WAKE_CHANNEL

OUTPUT_PREVIEW_CHARS = 2_000  # a child's output in the parent's `run.children_completed` event
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # the ids' Crockford base32

# start_children -- the parent is this worker's (the event writer's fence ran first in the
# same transaction) and now `waiting`; say why, and insert its children from its own row
# (org, project, user and depth come from the parent, never from the kind's spec; not its
# session: a child is no turn of the parent's conversation).
# ON CONFLICT (id): a repeated spawn of the same step starts nothing new.
START_CHILDREN = text(
    """
    WITH parent AS (
        UPDATE runs SET wait_reason = 'children' WHERE id = :parent_id
        RETURNING id, org_id, project_id, user_id, depth, priority
    )
    INSERT INTO runs (id, org_id, project_id, user_id, kind, status, session_key, parent_run_id,
                      agent_id, input, config, metadata, usage, depth, priority)
    SELECT c.id, p.org_id, p.project_id, p.user_id, c.kind, 'queued', NULL, p.id,
           c.agent_id, c.input, c.config, c.metadata, '{}', p.depth + 1, p.priority
      FROM parent p,
           jsonb_to_recordset(CAST(:children AS jsonb))
               AS c(id text, kind text, agent_id text, input jsonb, config jsonb, metadata jsonb)
    ON CONFLICT (id) DO NOTHING
    """
)

# requeue_if_done -- the parent waits for children that have all ended already (a spawn
# repeated after they finished, or a resume that found them done meanwhile): no child is
# left to wake it, so it goes back to the queue now. A separate statement, since the rows
# START_CHILDREN inserts are not visible to the statement that inserts them.
REQUEUE_IF_DONE = text(
    """
    UPDATE runs SET status = 'queued', wait_reason = NULL
     WHERE id = :parent_id AND status = 'waiting' AND wait_reason = 'children'
       AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = :parent_id
                          AND c.status IN ('pending', 'queued', 'running', 'waiting'))
    """
)

# park_again -- a resumed parent found a child still active (it was requeued by something
# other than its last child ending): wait for children again.
PARK_AGAIN = text("UPDATE runs SET wait_reason = 'children' WHERE id = :parent_id")

READ_CHILDREN = text(
    """
    SELECT id, kind, agent_id, status, output, error, usage
      FROM runs WHERE parent_run_id = :parent_id AND id = ANY(:ids)
    """
)

READ_ANY_CHILDREN = text(
    "SELECT id, kind, agent_id, status, output, error, usage FROM runs WHERE id = ANY(:ids)"
)

COUNT_OTHER_CHILDREN = text(
    "SELECT count(*) FROM runs WHERE parent_run_id = :parent_id AND NOT (id = ANY(:ids))"
)


@dataclass(frozen=True)
class ChildSpec:
    """One child to start: its kind, input and config (as `POST /api/runs` would store them)."""

    kind: str
    input: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    agent_id: str = "main"
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChildResult:
    run_id: str
    kind: str
    agent_id: str
    status: str  # completed | failed | cancelled
    output: str | None
    error: str | None
    usage: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == "completed"


def child_run_id(parent_id: str, step: int, index: int) -> str:
    """The same (parent, step, index) always names the same child. The id keeps the
    parent's time prefix (ids sort by creation, and a child sorts with its parent) and
    a hash of the rest, so it stays as long as any other run id at any depth."""
    body = parent_id.removeprefix("run_")
    digest = int.from_bytes(hashlib.sha256(f"{parent_id}/{step}/{index}".encode()).digest()[:10], "big")
    tail = "".join(_ALPHABET[(digest >> (5 * i)) & 31] for i in range(16))
    return f"run_{body[:10]}{tail}"


def child_ids(ctx: RunContext | str, step: int, count: int, start: int = 0) -> list[str]:
    """The ids of a step's children; ``ctx`` is the parent's context or its run id (a
    kind's prefetch has no context yet)."""
    parent = ctx if isinstance(ctx, str) else ctx.run.id
    return [child_run_id(parent, step, i) for i in range(start, start + count)]


async def start_children(
    ctx: RunContext,
    step: int,
    specs: list[ChildSpec],
    *,
    checkpoint: dict[str, Any],
    start: int = 0,
    started_before: int | None = None,
) -> list[str]:
    """Start ``specs`` as children of this run and park it until they have all ended.

    ``checkpoint`` is the kind's state to resume from (it should say that step ``step``
    waits for children). After this returns the kind returns from ``execute``. ``start``
    is the first child index: a step that starts children more than once numbers them on.
    ``started_before``: how many children the run started before this call, when the kind
    knows it from its own state (saves counting them)."""
    ids = child_ids(ctx, step, len(specs), start)
    await _check_limits(ctx, ids, started_before)
    children = [
        {
            "id": run_id,
            "kind": spec.kind,
            "agent_id": spec.agent_id,
            "input": spec.input,
            "config": spec.config,
            "metadata": {**spec.metadata, "parent_step": step},
        }
        for run_id, spec in zip(ids, specs, strict=True)
    ]
    ctx.emit(
        "run.children_started",
        {
            "step": step,
            "children": [{"run_id": c["id"], "kind": c["kind"], "agent_id": c["agent_id"]} for c in children],
        },
        step=step,
    )
    parent = {"parent_id": ctx.run.id}
    await ctx.writer.commit(
        ctx.handle,
        checkpoint=(step, checkpoint),
        status="waiting",
        extras=[
            (START_CHILDREN, {**parent, "children": orjson.dumps(children).decode()}),
            (REQUEUE_IF_DONE, parent),
            (NOTIFY, {"channel": WAKE_CHANNEL, "payload": f"{len(ids)} children"}),
        ],
    )
    return ids


async def _check_limits(ctx: RunContext, ids: list[str], others: int | None) -> None:
    runtime = ctx.settings.runtime
    if ctx.run.depth + 1 > runtime.max_child_depth:
        raise QuotaExceeded(
            f"run {ctx.run.id} is at depth {ctx.run.depth}; a child would pass "
            f"runtime.max_child_depth ({runtime.max_child_depth})"
        )
    if others is None:
        async with ctx.db.system() as session:
            params = {"parent_id": ctx.run.id, "ids": ids}
            others = int(await session.scalar(COUNT_OTHER_CHILDREN, params) or 0)
    if others + len(ids) > runtime.max_children_per_run:
        raise QuotaExceeded(
            f"run {ctx.run.id} would have {others + len(ids)} child runs; "
            f"runtime.max_children_per_run is {runtime.max_children_per_run}"
        )


async def read_children(session: Any, parent_ids: dict[str, list[str]]) -> dict[str, Any]:
    """For a kind's prefetch: the rows of these parents' children (parent → its child ids),
    read in the claim's transaction; `collect_children` takes them as ``rows``."""
    ids = [i for kids in parent_ids.values() for i in kids]
    if not ids:
        return {}
    return {r.id: r for r in await session.execute(READ_ANY_CHILDREN, {"ids": ids})}


async def collect_children(
    ctx: RunContext, step: int, count: int, start: int = 0, rows: dict[str, Any] | None = None
) -> list[ChildResult] | None:
    """The results of step ``step``'s ``count`` children (from index ``start``), in spawn
    order; or None after parking the run again when one of them is still active (the
    kind then returns). ``rows``: the children as the kind's prefetch read them
    (`read_children`), else they are read here."""
    ids = child_ids(ctx, step, count, start)
    if rows is None or any(i not in rows for i in ids):
        async with ctx.db.system() as session:
            params = {"parent_id": ctx.run.id, "ids": ids}
            rows = {r.id: r for r in await session.execute(READ_CHILDREN, params)}
    if any(i not in rows or rows[i].status not in ("completed", "failed", "cancelled") for i in ids):
        parent = {"parent_id": ctx.run.id}
        await ctx.writer.commit(
            ctx.handle, status="waiting", extras=[(PARK_AGAIN, parent), (REQUEUE_IF_DONE, parent)]
        )
        return None
    results = [
        ChildResult(r.id, r.kind, r.agent_id, r.status, r.output, r.error, dict(r.usage or {}))
        for r in (rows[i] for i in ids)
    ]
    ctx.emit(
        "run.children_completed",
        {"step": step, "children": [_summary(r) for r in results]},
        step=step,
    )
    return results


def _summary(result: ChildResult) -> dict[str, Any]:
    output = result.output
    if output is not None and len(output) > OUTPUT_PREVIEW_CHARS:
        output = output[:OUTPUT_PREVIEW_CHARS] + "…"
    return {
        "run_id": result.run_id,
        "kind": result.kind,
        "agent_id": result.agent_id,
        "status": result.status,
        "output": output,
        "error": result.error,
        "usage": _usage(result.usage),
    }


USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def _usage(usage: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: int(usage.get(k) or 0) for k in USAGE_KEYS}
    out["cost_usd"] = round(float(usage.get("cost_usd") or 0.0), 8)
    return out


def rolled_up(usage: dict[str, Any], results: list[ChildResult]) -> dict[str, Any]:
    """``usage`` plus the children's (each child's usage already includes its own
    children's, so a tree adds up level by level)."""
    total = _usage(usage)
    for result in results:
        child = _usage(result.usage)
        for key in USAGE_KEYS:
            total[key] += child[key]
        total["cost_usd"] = round(total["cost_usd"] + child["cost_usd"], 8)
    return {**usage, **total}
