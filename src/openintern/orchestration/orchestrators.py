"""The three orchestrators: given the team and what has been said, who takes the next turn.

Each is a pure function ``(team, state, max_rounds) → list[Turn]``: the turns of the
next step (started together as child runs), or ``[]`` when the team is done (the lead's
decision is in ``state.decision``).

* ``serial`` (the seed's): non-lead members in order, each seeing the task and what came
  before; then the lead sums up and decides.
* ``parallel``: the non-lead members at once, then the lead decides.
* ``lead_directed``: the lead assigns work with ``assign_tasks`` (who does what), the
  members it named work at once and report back, and so on until the lead answers without
  assigning (its decision) or ``max_rounds`` is reached (then it must decide).
"""

from __future__ import annotations

from collections.abc import Callable

from openintern.orchestration import prompts
from openintern.orchestration.state import GroupState, Member, Turn

Plan = Callable[[list[Member], GroupState, int], list[Turn]]


def _split(team: list[Member]) -> tuple[list[Member], Member]:
    lead = next(m for m in team if m.lead)
    return [m for m in team if not m.lead], lead


def _lead_turn(lead: Member, state: GroupState) -> list[Turn]:
    return [Turn(lead.agent_id, prompts.lead_decides(state), lead=True, final=True)]


def serial(team: list[Member], state: GroupState, max_rounds: int) -> list[Turn]:
    if state.decision is not None:
        return []
    others, lead = _split(team)
    spoken = {t.agent_id for t in state.turns}
    for member in others:
        if member.agent_id not in spoken:
            return [Turn(member.agent_id, prompts.member_turn(state, member.agent_id))]
    return _lead_turn(lead, state)


def parallel(team: list[Member], state: GroupState, max_rounds: int) -> list[Turn]:
    if state.decision is not None:
        return []
    others, lead = _split(team)
    if others and not state.turns:
        return [Turn(m.agent_id, prompts.member_turn(state, m.agent_id, alone=True)) for m in others]
    return _lead_turn(lead, state)


def lead_directed(team: list[Member], state: GroupState, max_rounds: int) -> list[Turn]:
    if state.decision is not None:
        return []
    others, lead = _split(team)
    last = state.turns[-1] if state.turns else None
    if last is not None and last.lead and last.assignments:
        # The lead assigned work in its last turn: those members, at once.
        names = {m.agent_id for m in others}
        return [
            Turn(a["member"], prompts.assigned(state, a["member"], a["task"]), round=state.round)
            for a in last.assignments
            if a["member"] in names
        ]
    if last is not None and not last.lead:
        state.round += 1  # the members reported: the lead's next round
    final = state.round >= max_rounds or not others
    return [
        Turn(lead.agent_id, prompts.lead_directs(state, [m.agent_id for m in others], final), lead=True,
             round=state.round, final=final)
    ]  # fmt: skip


PLANS: dict[str, Plan] = {"serial": serial, "parallel": parallel, "lead_directed": lead_directed}
