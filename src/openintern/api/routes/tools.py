"""Tools available to agents, and the org's tool policy rules."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openintern import policies
from openintern.api.deps import PlatformDep, ScopeDep, SessionDep
from openintern.schemas import actions
from openintern.schemas.responses import Page
from openintern.schemas.runs import ToolInfo, ToolPolicy
from openintern.tools import decide, sandbox_isolation

router = APIRouter(prefix="/api", tags=["tools"])


@router.get("/tools")
async def list_tools(scope: ScopeDep, platform: PlatformDep) -> Page[ToolInfo]:
    registry = platform.services.tools
    sandbox = platform.services.settings.sandbox
    isolation = await sandbox_isolation(sandbox)
    refused = None
    if not isolation.confined and sandbox.require_isolation:
        refused = f"sandboxed execution is disabled on this server: {isolation.detail} (fix: {isolation.fix})"
    items = []
    for name in registry.names():
        tool = registry.get(name)
        items.append(
            ToolInfo(
                name=tool.name,
                description=tool.description,
                risk=tool.risk,
                idempotent=tool.idempotent,
                parameters=tool.parameters,
                default_action=decide(tool, [], project_id=None, role_id=None).action,
                unavailable=refused if tool.sandboxed else None,
            )
        )
    return Page(items=items)


@router.get("/tool-policies")
async def list_policies(scope: ScopeDep, session: SessionDep) -> Page[ToolPolicy]:
    return Page(items=[ToolPolicy.model_validate(r) for r in await policies.list_policies(session, scope)])


@router.post("/tool-policies", status_code=status.HTTP_201_CREATED)
async def create_policy(body: actions.ToolPolicyCreate, scope: ScopeDep, session: SessionDep) -> ToolPolicy:
    return ToolPolicy.model_validate(await policies.create_policy(session, scope, body))


@router.delete("/tool-policies/{policy_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_policy(policy_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    await policies.delete_policy(session, scope, policy_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
