"""What each member is asked: the team's task and, in order, what the others said.

A member's own role prompt is its system prompt (its child run's config); these are the
user messages of its turn. Contributions are quoted with who said them, capped so that a
long-winded member cannot crowd the lead's context out.
"""

from __future__ import annotations

from openintern.orchestration.state import GroupState

QUOTE_CHARS = 6_000  # of each earlier contribution in a later turn's prompt


def _quote(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def _task(state: GroupState) -> str:
    head = f"Team task:\n{state.task.strip()}"
    if state.previous:
        head = f"Earlier in this conversation the team decided:\n{_quote(state.previous)}\n\n{head}"
    return head


def _so_far(state: GroupState) -> str:
    said = state.contributions()
    if not said:
        return ""
    parts = [f"[{t.agent_id}]\n{_quote(t.output)}" for t in said]
    return "\n\nWhat the team has contributed so far:\n\n" + "\n\n".join(parts)


def member_turn(state: GroupState, agent_id: str, *, alone: bool = False) -> str:
    context = "" if alone else _so_far(state)
    return (
        f"{_task(state)}{context}\n\nYou are {agent_id}. Give your contribution to the task from your role."
    )


def lead_decides(state: GroupState) -> str:
    return (
        f"{_task(state)}{_so_far(state)}\n\nYou lead the team. Weigh the contributions and give the "
        "team's final decision: the answer to the task, with the reasons that carry it."
    )


def assigned(state: GroupState, agent_id: str, task: str) -> str:
    return f"{_task(state)}{_so_far(state)}\n\nYou are {agent_id}. The lead asks you:\n{task.strip()}"


def lead_directs(state: GroupState, members: list[str], final: bool) -> str:
    """The lead's first round sees the task; a later one (continuing the lead's own
    conversation) sees what the members reported since."""
    if any(t.lead for t in state.turns):
        reports = [t for t in state.turns if not t.lead and t.round == state.round - 1]
        said = "\n\n".join(f"[{t.agent_id}] ({t.status})\n{_quote(t.output or t.error)}" for t in reports)
        ask = (
            "Give the team's final decision now."
            if final
            else "Assign further tasks with assign_tasks, or answer with the team's final decision."
        )
        return f"The members reported:\n\n{said}\n\n{ask}"
    if final:
        return lead_decides(state)
    return (
        f"{_task(state)}{_so_far(state)}\n\nYou lead the team (members: {', '.join(members)}). Either call "
        "assign_tasks to give members their next tasks (they report back to you), or, when you can, "
        "answer with the team's final decision without calling it."
    )
