"""Building teams through the API for the tests."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient


async def role(client: AsyncClient, name: str, model: str = "fake/echo", **fields: Any) -> dict[str, Any]:
    body = {"name": name, "system_prompt": f"You are the {name}.", "model": model, **fields}
    resp = await client.post("/api/roles", json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def team(
    client: AsyncClient,
    name: str,
    members: list[tuple[dict[str, Any], bool]],
    orchestrator: str = "serial",
    **fields: Any,
) -> dict[str, Any]:
    """A group with ``members`` ((role, is_lead), in order)."""
    resp = await client.post("/api/groups", json={"name": name, "orchestrator": orchestrator, **fields})
    assert resp.status_code == 201, resp.text
    group = dict(resp.json())
    for the_role, lead in members:
        added = await client.post(
            f"/api/groups/{group['id']}/members", json={"role_id": the_role["id"], "is_lead": lead}
        )
        assert added.status_code == 201, added.text
    return group


async def start(client: AsyncClient, group_id: str, text: str, **fields: Any) -> dict[str, Any]:
    resp = await client.post(f"/api/groups/{group_id}/runs", json={"input": text, **fields})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def messages(log: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The team's messages as (type, member)."""
    return [(e["type"], e["payload"]["agent_id"]) for e in log if e["type"].startswith("message.")]
