"""A claim batch reads its runs' start-up rows once for all its orgs; each run must still
get only its own org's core blocks, tool-policy rules and provider."""

from __future__ import annotations

from typing import Any, cast

from httpx import AsyncClient

from openintern.agents.startup import prefetch_agent_starts
from openintern.agents.toolbox import load_toolbox
from openintern.memory import PlainScope, render_core
from openintern.providers import pick_provider
from openintern.providers.addresses import PublicOnly
from openintern.runtime.context import ClaimedRun, RunContext
from openintern.runtime.events import RunHandle
from openintern.tools import ToolServices


def claimed(run_id: str, org_id: str) -> ClaimedRun:
    return ClaimedRun(
        id=run_id,
        org_id=org_id,
        project_id=None,
        user_id=None,
        kind="agent",
        session_key=None,
        parent_run_id=None,
        agent_id="main",
        input={"text": "hi"},
        config={"tools": ["echo"]},
        attempt=1,
        last_seq=0,
        steps=0,
        usage={},
        cancel_requested=False,
    )


async def test_each_run_of_a_two_org_batch_gets_only_its_own(app: Any, admin: AsyncClient) -> None:
    org_b = (await admin.post("/api/orgs", json={"name": "Org B"})).json()["id"]
    as_b = {"x-org-id": org_b}
    for headers, name in (({}, "a"), (as_b, "b")):
        memory = {"tier": "core", "title": f"{name} fact", "content": f"{name}-secret"}
        assert (await admin.post("/api/memory", json=memory, headers=headers)).status_code == 201
        provider = {
            "name": f"{name}-llm",
            "kind": "openai",
            "model": f"model-{name}",
            "base_url": f"http://{name}.invalid/v1",
            "is_default": True,
        }
        assert (await admin.post("/api/providers", json=provider, headers=headers)).status_code == 201
    policy = {"pattern": "echo", "action": "block"}
    assert (await admin.post("/api/tool-policies", json=policy, headers=as_b)).status_code == 201
    forbid = {"allow_private_base_urls": False}
    assert (await admin.patch(f"/api/orgs/{org_b}", json=forbid, headers=as_b)).status_code == 200

    platform = app.state.platform
    runs = [claimed("run_a", "org_default"), claimed("run_b", org_b)]
    async with platform.db.system() as session:
        got = await prefetch_agent_starts(session, runs)
    assert got["run_a"] is got["run_b"], "one read for the whole batch"
    reads = got["run_a"]

    for run, mine, other, echo in ((runs[0], "a", "b", "allow"), (runs[1], "b", "a", "block")):
        core = render_core(reads.core, PlainScope(run.org_id, None), run.agent_id)
        assert f"{mine}-secret" in core and f"{other}-secret" not in core
        handle = RunHandle(run.id, run.org_id, run.agent_id, 0)
        ctx = RunContext(run, handle, cast(Any, None), platform.db, platform.settings)
        toolbox = load_toolbox(ctx, platform.services.tools, ToolServices(), reads.rules)
        assert toolbox.decide("echo").action == echo, run.org_id
        config = pick_provider(reads.providers, run.org_id, platform.settings, {}, platform.box.decrypt)
        assert config.model == f"model-{mine}" and config.base_url == f"http://{mine}.invalid/v1"
        # Each org's allow_private_base_urls came with its rows (B forbids them): B's model
        # checks its address before each call, A's does not.
        model = platform.services.models.for_run(run.org_id, {}, reads.providers)
        assert isinstance(model, PublicOnly) is (mine == "b"), run.org_id
    assert {r.org_id: r.org_allows_private_base_urls for r in reads.providers} == {
        "org_default": True,
        org_b: False,
    }
