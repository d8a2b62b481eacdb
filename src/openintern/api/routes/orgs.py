"""Orgs: list the ones you belong to, create a new one (you become its owner), read and
change the one you act in (its name, and whether its providers may use private addresses)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from openintern.api.deps import PlatformDep, PrincipalDep, ScopeDep, SessionDep, resolve_principal
from openintern.auth import create_org as do_create_org
from openintern.auth import get_org as do_get_org
from openintern.auth import orgs_of
from openintern.auth import update_org as do_update_org
from openintern.errors import Forbidden
from openintern.schemas import actions, core
from openintern.schemas.responses import Page

router = APIRouter(prefix="/api/orgs", tags=["orgs"])


@router.get("")
async def list_orgs(principal: PrincipalDep, session: SessionDep) -> Page[core.OrgMembership]:
    return Page(items=await orgs_of(session, principal))


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_org(body: actions.OrgCreate, request: Request, platform: PlatformDep) -> core.Org:
    # A system transaction: the new org is nobody's scope until it exists.
    async with platform.db.system() as session:
        principal = await resolve_principal(session, request, platform)
        if principal.api_key_id is not None:
            raise Forbidden("API keys are bound to one org and cannot create orgs")
        org = await do_create_org(session, principal.user_id, body)
        return core.Org.model_validate(org)


@router.get("/{org_id}")
async def get_org(org_id: str, scope: ScopeDep, session: SessionDep) -> core.Org:
    """The org this request acts in (another org is 404: select it with ``x-org-id``)."""
    return core.Org.model_validate(await do_get_org(session, scope, org_id))


@router.patch("/{org_id}")
async def update_org(org_id: str, body: actions.OrgUpdate, scope: ScopeDep, session: SessionDep) -> core.Org:
    """Admins: rename the org, or forbid (``allow_private_base_urls: false``) its providers'
    private, loopback and link-local base URLs under the platform's ceiling. Audited."""
    return core.Org.model_validate(await do_update_org(session, scope, org_id, body))
