"""LLM providers of the org: the API key is write-only and encrypted at rest."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openintern import providers
from openintern.api.deps import PlatformDep, ScopeDep, SessionDep
from openintern.db.orm import Provider as ProviderRow
from openintern.schemas import actions
from openintern.schemas.responses import Page
from openintern.schemas.runs import Provider, ProviderTest

router = APIRouter(prefix="/api/providers", tags=["providers"])


def _view(row: ProviderRow) -> Provider:
    return Provider.model_validate(
        {
            **{
                k: getattr(row, k)
                for k in ("id", "name", "kind", "base_url", "model", "is_default", "created_at")
            },
            "has_api_key": row.api_key_encrypted is not None,
        }
    )


@router.get("")
async def list_providers(scope: ScopeDep, session: SessionDep) -> Page[Provider]:
    return Page(items=[_view(r) for r in await providers.list_providers(session, scope.org_id)])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_provider(
    body: actions.ProviderCreate, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> Provider:
    refused = await providers.refuse_private(
        session, scope.org_id, platform.settings.llm.allow_private_base_urls
    )
    return _view(await providers.create_provider(session, scope, body, platform.box.encrypt, refused=refused))


@router.delete("/{provider_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_provider(provider_id: str, scope: ScopeDep, session: SessionDep) -> Response:
    await providers.delete_provider(session, scope, provider_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{provider_id}/test")
async def test_provider(
    provider_id: str, scope: ScopeDep, session: SessionDep, platform: PlatformDep
) -> ProviderTest:
    """A one-token completion. Admins read why it failed; others get only "reachable and
    authenticated" or one generic failure (the answer must not map the server's ports)."""
    row = await providers.get_provider(session, scope, provider_id)
    config = await providers.provider_config(
        session, scope.org_id, platform.settings, {"provider": row.id}, platform.box.decrypt
    )
    refused = await providers.refuse_private(
        session, scope.org_id, platform.settings.llm.allow_private_base_urls
    )
    ok, detail, latency = await providers.test_provider(scope, config, refused=refused)
    return ProviderTest(ok=ok, detail=detail, latency_ms=latency)
