"""An org's LLM providers: create, list, read, delete, and a test connection.

Keys are encrypted before they reach the row (``encrypt`` comes from the platform's
`SecretBox`) and are never returned.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.db.orm import Org, Provider
from openintern.db.session import flush_or_conflict
from openintern.errors import NotFound, OpenInternError, ValidationFailed, field_error
from openintern.llm import Message, ModelSettings, ProviderConfig
from openintern.providers.addresses import PrivateAddressRefused, check_base_url, private_refusal
from openintern.providers.choice import chat_model
from openintern.schemas.actions import ProviderCreate
from openintern.schemas.ids import new_id


async def list_providers(session: AsyncSession, org_id: str) -> list[Provider]:
    query = select(Provider).where(Provider.org_id == org_id).order_by(Provider.id)
    return list((await session.execute(query)).scalars())


# The org's own setting; the platform's (the ceiling) comes from Settings. orgs' primary key.
_ORG_ALLOWS_PRIVATE = select(Org.allow_private_base_urls).where(Org.id == bindparam("org_id"))


async def refuse_private(session: AsyncSession, org_id: str, platform_allows: bool) -> str | None:
    """Why this org's providers may not point at private addresses (`private_refusal`), or
    None; ``platform_allows`` is ``llm.allow_private_base_urls``. The org is read only
    when the platform allows them."""
    if not platform_allows:
        return private_refusal(False, None)
    return private_refusal(True, await session.scalar(_ORG_ALLOWS_PRIVATE, {"org_id": org_id}))


async def create_provider(
    session: AsyncSession, scope: Scope, body: ProviderCreate, encrypt: Any, *, refused: str | None = None
) -> Provider:
    """``refused`` (`refuse_private`) says why private base URLs are refused here: then a
    base URL that is (or resolves to) a private or loopback address is a 422 naming the field."""
    scope.require("admin", "configure providers")
    if body.base_url and refused is not None:
        try:
            await check_base_url(body.base_url, refused)
        except PrivateAddressRefused as exc:
            raise ValidationFailed(
                exc.message, errors=[field_error(["body", "base_url"], exc.message, "private_address")]
            ) from None
    if body.is_default:
        await session.execute(
            update(Provider).where(Provider.org_id == scope.org_id).values(is_default=False)
        )
    row = Provider(
        id=new_id("llm"),
        org_id=scope.org_id,
        name=body.name,
        kind=body.kind,
        base_url=body.base_url,
        model=body.model,
        api_key_encrypted=encrypt(body.api_key) if body.api_key else None,
        is_default=body.is_default,
    )
    session.add(row)
    await flush_or_conflict(session, f"provider {body.name!r}")
    await session.refresh(row)
    return row


async def get_provider(session: AsyncSession, scope: Scope, provider_id: str) -> Provider:
    row = await session.get(Provider, provider_id)
    if row is None or row.org_id != scope.org_id:
        raise NotFound("provider", provider_id)
    return row


async def delete_provider(session: AsyncSession, scope: Scope, provider_id: str) -> None:
    scope.require("admin", "configure providers")
    await session.delete(await get_provider(session, scope, provider_id))
    await session.flush()


async def test_provider(
    scope: Scope, config: ProviderConfig, *, refused: str | None = None
) -> tuple[bool, str, float]:
    """A one-token completion: proves the URL, the key and the model name. ``refused``
    (`refuse_private`): the base URL must not be a private address, checked first.

    Only admins read why a test failed. Anyone else gets `REACHABLE` or `UNREACHABLE` and
    nothing more: "connection refused" against "HTTP 404" would tell a member which of
    the server's ports are open, so the answer must not depend on what is behind the URL."""
    started = time.perf_counter()
    try:
        if config.base_url and refused is not None:
            await check_base_url(config.base_url, refused)
        response = await chat_model(config).complete(
            [Message.user("Reply with OK.")],
            settings=ModelSettings(max_tokens=1, timeout=PROVIDER_TEST_TIMEOUT_S),
        )
    except OpenInternError as exc:
        detail = exc.message if scope.at_least("admin") else UNREACHABLE
        return False, detail, round((time.perf_counter() - started) * 1000, 1)
    detail = f"{response.provider} answered with model {response.model}"
    return (
        True,
        detail if scope.at_least("admin") else REACHABLE,
        round((time.perf_counter() - started) * 1000, 1),
    )


PROVIDER_TEST_TIMEOUT_S = 15.0  # a test connection should fail fast, not hang the settings page
REACHABLE = "reachable and authenticated"
UNREACHABLE = "the provider could not be reached, or refused the credentials or the model"
