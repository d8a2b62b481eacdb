"""Which model a run talks to: the run's provider (by id or name), else the org's default
provider, else the platform's LLM_* settings. Credentials are decrypted only here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression

from openintern.config import LLMSettings, Settings
from openintern.db.orm import Org, Provider
from openintern.errors import NotFound, ProviderNotConfigured
from openintern.llm import ChatModel, ProviderConfig, RetryEvent, create_chat_model
from openintern.providers.addresses import PublicOnly, private_refusal
from openintern.schemas.base import ProviderKind

log = logging.getLogger(__name__)

HOW_TO_CONFIGURE = (
    "No LLM provider is configured. Set LLM_PROVIDER (openai|anthropic|gemini), LLM_MODEL and LLM_API_KEY; "
    "or LLM_BASE_URL for any OpenAI-compatible server (Ollama, vLLM, LM Studio); or add a provider under "
    "Settings → Providers (POST /api/providers). For a demo: run `openintern dev fake-llm` and set "
    "LLM_BASE_URL=http://127.0.0.1:8999/v1 LLM_MODEL=fake-echo."
)


# The providers of a claim batch's orgs, each with its org's allow_private_base_urls in the
# same statement (a join on orgs' primary key; no read per run). populate_existing: a row
# the session already holds (the test route read it first) gets the flag too, where
# with_expression alone would leave the held row untouched and the flag None.
_ORG_PROVIDERS = (
    select(Provider)
    .join(Org, Org.id == Provider.org_id)
    .where(Provider.org_id.in_(bindparam("org_ids", expanding=True)))
    .options(with_expression(Provider.org_allows_private_base_urls, Org.allow_private_base_urls))
    .order_by(Provider.id)
    .execution_options(populate_existing=True)
)


async def org_providers(session: AsyncSession, org_ids: list[str]) -> list[Provider]:
    """The providers of these orgs, each with ``org_allows_private_base_urls`` filled in (a
    worker reads them for a whole claim batch at once)."""
    rows = await session.execute(_ORG_PROVIDERS, {"org_ids": org_ids})
    return list(rows.scalars())


def pick_provider(
    rows: list[Provider], org_id: str, settings: Settings, run_config: dict[str, Any], decrypt: Any
) -> ProviderConfig:
    """The run's provider (by id or name) among its org's, else the org's default provider,
    else the platform's LLM_* settings."""
    model = run_config.get("model")
    row = chosen_row(rows, org_id, run_config)
    if row is not None:
        key = decrypt(row.api_key_encrypted) if row.api_key_encrypted else None
        return ProviderConfig(kind=row.kind, model=model or row.model, api_key=key, base_url=row.base_url)  # type: ignore[arg-type]
    return settings_provider(settings, model)


def chosen_row(rows: list[Provider], org_id: str, run_config: dict[str, Any]) -> Provider | None:
    """The org's provider row a run uses (None: the platform settings)."""
    wanted = run_config.get("provider")
    mine = [r for r in rows if r.org_id == org_id]
    if wanted:
        row = next((r for r in mine if wanted in (r.id, r.name)), None)
        if row is None:
            raise NotFound("provider", wanted)
        return row
    return next((r for r in mine if r.is_default), None)  # the org's default stands in for the settings


async def provider_config(
    session: AsyncSession, org_id: str, settings: Settings, run_config: dict[str, Any], decrypt: Any
) -> ProviderConfig:
    return pick_provider(await org_providers(session, [org_id]), org_id, settings, run_config, decrypt)


def settings_kind(llm: LLMSettings) -> tuple[ProviderKind | None, SecretStr | None]:
    """The platform's provider kind and key: LLM_PROVIDER, else the kind whose own key is
    set (any LLM_BASE_URL: openai); LLM_API_KEY, else that kind's own key."""
    own_keys: dict[ProviderKind, SecretStr | None] = {
        "openai": llm.openai_api_key,
        "anthropic": llm.anthropic_api_key,
        "gemini": llm.gemini_api_key,
    }
    kind = llm.provider
    if kind is None:
        kind = "openai" if llm.base_url else next((k for k, v in own_keys.items() if v is not None), None)
    return kind, llm.api_key or (own_keys[kind] if kind is not None else None)


def settings_provider(settings: Settings, model: str | None) -> ProviderConfig:
    """The platform's LLM_* settings as a provider (`settings_kind`)."""
    llm = settings.llm
    kind, key = settings_kind(llm)
    model = model or llm.model
    if kind is None or model is None or (key is None and llm.base_url is None):
        raise ProviderNotConfigured(HOW_TO_CONFIGURE)
    return ProviderConfig(
        kind=kind,
        model=model,
        api_key=key.get_secret_value() if key else "not-needed",  # type: ignore[arg-type]
        base_url=llm.base_url,
        timeout_s=llm.timeout_s,
        max_retries=llm.max_retries,
    )


def chat_model(config: ProviderConfig) -> ChatModel:
    """A ChatModel for the config; the LLM layer shares SDK clients and pools per endpoint."""
    return create_chat_model(config, on_retry=_log_retry)


def _log_retry(event: RetryEvent) -> None:
    log.warning(
        "LLM call failed (attempt %d: %s); retrying in %.2fs", event.attempt, event.error, event.delay_s
    )


@dataclass(frozen=True)
class ModelChooser:
    """Chooses a run's `ChatModel` among its org's providers (read at the run's start by
    `org_providers`), else the platform settings; ``decrypt`` opens a provider's stored key.
    A provider row of an org that may not use private base URLs (`private_refusal`: the
    platform's setting, then the org's, read with the row) has its address checked before
    each call."""

    settings: Settings
    decrypt: Callable[[str], str]

    def for_run(self, org_id: str, run_config: dict[str, Any], org_rows: list[Provider]) -> ChatModel:
        model = chat_model(pick_provider(org_rows, org_id, self.settings, run_config, self.decrypt))
        row = chosen_row(org_rows, org_id, run_config)
        if row is None or not row.base_url:
            return model
        because = private_refusal(self.settings.llm.allow_private_base_urls, row.org_allows_private_base_urls)
        return model if because is None else PublicOnly(model, row.base_url, because)
