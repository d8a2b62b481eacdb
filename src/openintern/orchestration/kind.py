"""The ``group`` run kind: a team of role agents works on one task.

    [ plan → message.task per turn → child runs (park) → collect → message.proposal /
      evidence / status ]* → message.decision → blackboard entry → run.completed

Each member turn is a child ``agent`` run with its role's config (`runtime.children`):
nested in the trace, governed by its role's tool rules, paused durably on an approval (the
group waits with it), cancelled with the group. The group's checkpoint is committed with
each step's children, so a worker killed at any point resumes without re-running a member
whose turn ended: its answer is read back from its run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.errors import OpenInternError
from openintern.memory import MemoryService, PlainScope
from openintern.orchestration.orchestrators import PLANS
from openintern.orchestration.state import GroupState, Member, Turn
from openintern.runtime.children import (
    ChildResult,
    ChildSpec,
    child_ids,
    collect_children,
    read_children,
    rolled_up,
    start_children,
)
from openintern.runtime.context import ClaimedRun, RunContext
from openintern.runtime.kinds import RunKind
from openintern.teams.blackboard import RunRecord, write_run_entry
from openintern.teams.tools import ASSIGN_TASKS

EVIDENCE_CHARS = 1_000
TEAM = "team"  # the agent id of the group run's own events (the task, the decision's run)

LATEST_CHECKPOINT = text("SELECT state FROM checkpoints WHERE run_id = :run_id ORDER BY step DESC LIMIT 1")

# prefetch -- a claim batch's group runs resuming: each one's latest checkpoint, at once.
LATEST_CHECKPOINTS = text(
    """
    SELECT DISTINCT ON (run_id) run_id, state FROM checkpoints
     WHERE run_id = ANY(:ids) ORDER BY run_id, step DESC
    """
)

# What the members' tools did, for message.evidence, and the lead's assignments
# (lead_directed), in one read over the step's children's logs.
TURN_TOOLS = text(
    """
    SELECT run_id, type, payload FROM run_events
     WHERE run_id = ANY(:ids) AND type IN ('tool.called', 'tool.result')
     ORDER BY run_id, seq
    """
)

# The session's last decision: a group run with a session key continues that conversation.
SESSION_DECISION = text(
    """
    SELECT output FROM runs
     WHERE org_id = :org_id AND session_key = :session_key AND kind = 'group' AND status = 'completed'
       AND id < :run_id AND parent_run_id IS NULL
     ORDER BY id DESC LIMIT 1
    """
)


@dataclass(frozen=True)
class Resume:
    """What a resumed group run reads, read with its claim (`GroupKind.prefetch`)."""

    state: GroupState
    children: dict[str, Any]  # its pending turns' child runs
    tools: dict[str, dict[str, Any]]  # what their tools did (`_turn_tools`)


@dataclass
class GroupKind(RunKind):
    name: ClassVar[str] = "group"
    memory: MemoryService | None

    async def execute(self, ctx: RunContext) -> None:
        config = ctx.run.config
        team = [Member.load(m) for m in config["team"]]
        plan = PLANS[config.get("orchestrator", "serial")]
        resume: Resume | None = ctx.prefetched
        state = resume.state if resume is not None else await _load(ctx)
        if state.pending:
            rows = resume.children if resume is not None else None
            results = await collect_children(ctx, state.step, len(state.pending), rows=rows)
            if results is None:
                return
            tools = (
                resume.tools if resume is not None else await _turn_tools(ctx, [r.run_id for r in results])
            )
            await _absorb(ctx, state, results, tools)
        turns = plan(team, state, int(config.get("max_rounds") or 3))
        if turns:
            await _start_turns(ctx, state, team, turns)
            return
        await self._finish(ctx, state, team)

    async def prefetch(self, session: AsyncSession, runs: list[ClaimedRun]) -> dict[str, Any]:
        """Resumed runs only (a first attempt has no checkpoint): the latest checkpoint, the
        pending turns' child runs and their tools' events, three reads for the whole batch
        in the claim's transaction instead of three transactions per run."""
        resumed = [r.id for r in runs if r.attempt > 1]
        if not resumed:
            return {}
        states = {
            row.run_id: GroupState.load(row.state)
            for row in await session.execute(LATEST_CHECKPOINTS, {"ids": resumed})
        }
        pending = {
            run_id: child_ids(run_id, s.step, len(s.pending)) for run_id, s in states.items() if s.pending
        }
        children = await read_children(session, pending)
        tools = _tools_by_run(await session.execute(TURN_TOOLS, {"ids": list(children)})) if children else {}
        return {run_id: Resume(state, children, tools) for run_id, state in states.items()}

    async def _finish(self, ctx: RunContext, state: GroupState, team: list[Member]) -> None:
        assert state.decision is not None
        lead = next(m for m in team if m.lead)
        if self.memory is not None:  # before `completed`: a finished run's entry is there
            record = RunRecord(
                run_id=ctx.run.id,
                group_id=ctx.run.config["group_id"],
                task=state.task,
                decision=state.decision,
                lead=lead.agent_id,
                contributions=[
                    (t.agent_id, t.status or "", t.output or t.error or "") for t in state.turns if not t.lead
                ],
                session_key=ctx.run.session_key,
            )
            await write_run_entry(self.memory, PlainScope(ctx.run.org_id, ctx.run.project_id), record)
        ctx.emit("run.completed", {"output": state.decision, "usage": _usage(state.usage)}, agent_id=TEAM)
        await ctx.writer.commit(
            ctx.handle, checkpoint=(state.step, state.dump()), status="completed", output=state.decision,
            steps=state.step, usage=state.usage,
        )  # fmt: skip


async def _load(ctx: RunContext) -> GroupState:
    """The latest checkpoint, or a fresh state. A first attempt has no checkpoint (only the
    worker holding a run writes them, and every claim counts an attempt): it reads nothing
    unless it continues a session."""
    previous = None
    if ctx.run.attempt > 1 or ctx.run.session_key:
        async with ctx.db.system() as session:
            data = (
                await session.scalar(LATEST_CHECKPOINT, {"run_id": ctx.run.id})
                if ctx.run.attempt > 1
                else None
            )
            if data is not None:
                return GroupState.load(data)
            if ctx.run.session_key:
                previous = await session.scalar(
                    SESSION_DECISION,
                    {"org_id": ctx.run.org_id, "session_key": ctx.run.session_key, "run_id": ctx.run.id},
                )
    state = GroupState(task=str(ctx.run.input.get("text", "")), previous=previous)
    state.usage = _usage({})
    return state


async def _start_turns(ctx: RunContext, state: GroupState, team: list[Member], turns: list[Turn]) -> None:
    """Start the step's turns as child runs; the group parks until they have all ended."""
    by_agent = {m.agent_id: m for m in team}
    step = state.step + 1
    state.step = step
    last_lead = next((t.run_id for t in reversed(state.turns) if t.lead and t.status == "completed"), None)
    specs = [_spec(ctx, by_agent[t.agent_id], t, last_lead if t.lead else None) for t in turns]
    for turn, run_id in zip(turns, child_ids(ctx, step, len(turns)), strict=True):
        turn.run_id = run_id
        payload = {"agent_id": turn.agent_id, "content": turn.task, "run_id": run_id, "round": turn.round}
        ctx.emit("message.task", payload, step=step, agent_id=turn.agent_id)
        ctx.emit(
            "message.status", {"agent_id": turn.agent_id, "status": "working", "run_id": run_id},
            step=step, agent_id=turn.agent_id,
        )  # fmt: skip
    state.pending = turns
    started_before = len(state.turns)  # every earlier turn was one child run
    await start_children(ctx, step, specs, checkpoint=state.dump(), started_before=started_before)


def _spec(ctx: RunContext, member: Member, turn: Turn, earlier: str | None = None) -> ChildSpec:
    config = dict(member.config)
    if turn.lead and ctx.run.config.get("orchestrator") == "lead_directed":
        if not turn.final:
            config["extra_tools"] = [*config.get("extra_tools", []), ASSIGN_TASKS]
            config["team_members"] = [m["agent_id"] for m in ctx.run.config["team"] if not m["lead"]]
        if earlier:  # the lead's rounds are one conversation: it remembers what it assigned
            config["continues"] = earlier
    metadata = {"group_id": ctx.run.config["group_id"], "member": member.agent_id, "round": turn.round}
    return ChildSpec("agent", {"text": turn.task}, config, member.agent_id, metadata)


async def _absorb(
    ctx: RunContext, state: GroupState, results: list[ChildResult], tools: dict[str, dict[str, Any]]
) -> None:
    """Record the step's turns: proposals, evidence, status; the lead's decision."""
    state.usage = rolled_up(state.usage, results)
    step = state.step
    for turn, result in zip(state.pending, results, strict=True):
        turn.status, turn.output, turn.error = result.status, result.output, result.error
        agent = turn.agent_id
        for name, content in tools.get(result.run_id, {}).get("results", []):
            evidence = {
                "agent_id": agent,
                "content": content[:EVIDENCE_CHARS],
                "run_id": result.run_id,
                "tool": name,
            }
            ctx.emit("message.evidence", evidence, step=step, agent_id=agent)
        turn.assignments = tools.get(result.run_id, {}).get("assignments", []) if turn.lead else []
        done = "done" if result.ok else result.status
        ctx.emit(
            "message.status", {"agent_id": agent, "status": done, "run_id": result.run_id, "detail": result.error},
            step=step, agent_id=agent,
        )  # fmt: skip
        if not result.ok and turn.lead:
            raise OpenInternError(
                f"the lead ({agent}) did not finish its turn: {result.error or result.status}"
            )
        if result.ok:
            message = {
                "agent_id": agent,
                "content": result.output or "",
                "run_id": result.run_id,
                "round": turn.round,
            }
            decided = turn.lead and (turn.final or not turn.assignments)
            ctx.emit(
                "message.decision" if decided else "message.proposal", message, step=step, agent_id=agent
            )
            if decided:
                state.decision = result.output or ""
    state.turns.extend(state.pending)
    state.pending = []


async def _turn_tools(ctx: RunContext, run_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per child run: its tools' results (evidence) and, from its last ``assign_tasks``
    call that succeeded, the lead's assignments."""
    async with ctx.db.system() as session:
        return _tools_by_run(await session.execute(TURN_TOOLS, {"ids": run_ids}))


def _tools_by_run(rows: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    called: dict[str, Any] = {}
    for run_id, type_, payload in rows:
        entry = out.setdefault(run_id, {"results": [], "assignments": []})
        name = str(payload.get("name", ""))
        if type_ == "tool.called" and name == ASSIGN_TASKS:
            called[payload["tool_call_id"]] = payload.get("arguments") or {}
        elif type_ == "tool.result" and not payload.get("is_error"):
            if name == ASSIGN_TASKS:
                arguments = called.get(payload["tool_call_id"], {})
                entry["assignments"] = [
                    {"member": str(a.get("member", "")), "task": str(a.get("task", ""))}
                    for a in arguments.get("assignments", [])
                    if isinstance(a, dict)
                ]
            elif not name.startswith("blackboard_"):
                entry["results"].append((name, str(payload.get("result", ""))))
    return out


def _usage(usage: dict[str, Any]) -> dict[str, Any]:
    return rolled_up(usage, [])
