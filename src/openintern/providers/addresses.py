"""Where an org's provider may point: public addresses only, when the platform or the org says so.

A provider's base URL is chosen by an org admin, and the server connects to it. On a
shared platform that is a way into the server's own network (its loopback ports, the
cloud metadata address, the private network). Who forbids it (`private_refusal`):

* the platform, ``llm.allow_private_base_urls`` false: the ceiling, every org is refused
  whatever its own setting says;
* else the org, ``orgs.allow_private_base_urls`` false (its admins decide,
  ``PATCH /api/orgs/{org_id}``): only that org is refused.

Refused, a base URL whose host is, or resolves to, a private, loopback, link-local,
reserved, multicast or unspecified address fails: when a provider is created, and again
each time a run or a test connection uses it (the name may resolve elsewhere by then, the
setting may have changed). Every address the name resolves to is checked, so one public
record beside a private one does not pass. The platform's own ``LLM_BASE_URL`` is the
operator's choice and is never checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from urllib.parse import urlsplit

from openintern.errors import Forbidden
from openintern.llm import ChatModel, Message, ModelResponse, ModelSettings, TextDelta, ToolSpec

RESOLVE_TIMEOUT_S = 5.0
"""A name that does not resolve in this time is let through: the connection fails anyway."""

CHECK_TTL_S = 60.0
"""A host's verdict is reused this long, so a run does not resolve its provider every step."""

_verdicts: dict[str, tuple[float, str | None]] = {}  # host → (expires, why refused or None)


PLATFORM_FORBIDS = "llm.allow_private_base_urls is false on this platform"
ORG_FORBIDS = "this org's allow_private_base_urls is false"


class PrivateAddressRefused(Forbidden):
    """The provider's base URL points at a private or loopback address, which this platform or org forbids."""


def private_refusal(platform_allows: bool, org_allows: bool | None) -> str | None:
    """Why private base URLs are refused for an org (`PLATFORM_FORBIDS`, `ORG_FORBIDS`), or
    None when they are allowed. The platform is the ceiling; an org that is not known to
    allow them (``None``: its setting was not read) is refused, so a missed read fails closed."""
    if not platform_allows:
        return PLATFORM_FORBIDS
    if org_allows is not True:
        return ORG_FORBIDS
    return None


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def _resolve(host: str, port: int) -> list[str]:
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=RESOLVE_TIMEOUT_S
        )
    except (OSError, asyncio.TimeoutError):
        return []
    return [str(info[4][0]) for info in infos]


async def check_base_url(base_url: str, because: str) -> None:
    """Raise `PrivateAddressRefused` when ``base_url``'s host is, or resolves to, an
    address that is not public; ``because`` (`private_refusal`) is said in the message."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    now = time.monotonic()
    cached = _verdicts.get(host)
    if cached is None or cached[0] < now:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        bad = [a for a in await _resolve(host, port) if _forbidden(a)]
        why = f"{host} resolves to {', '.join(sorted(set(bad)))}" if bad else None
        if not host:
            why = "the base URL has no host"
        cached = (now + CHECK_TTL_S, why)
        _verdicts[host] = cached
    if cached[1] is not None:
        raise PrivateAddressRefused(
            f"provider base URL {base_url!r} is not allowed: {cached[1]}, a private, loopback or "
            f"link-local address ({because})",
            field="base_url",
        )


class PublicOnly(ChatModel):
    """A chat model that checks its provider's base URL before every call, then delegates;
    ``because`` says who forbids private addresses (`private_refusal`)."""

    def __init__(self, inner: ChatModel, base_url: str, because: str) -> None:
        super().__init__(inner.model, retry=inner.retry, on_retry=inner.on_retry)
        self.provider = inner.provider
        self._inner = inner
        self._base_url = base_url
        self._because = because

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        settings: ModelSettings | None = None,
    ) -> ModelResponse:
        await check_base_url(self._base_url, self._because)
        return await self._inner.complete(messages, tools=tools, settings=settings)

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] | None = None,
        settings: ModelSettings | None = None,
    ) -> AsyncIterator[TextDelta | ModelResponse]:
        await check_base_url(self._base_url, self._because)
        async for event in self._inner.stream(messages, tools=tools, settings=settings):
            yield event

    async def _request(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> ModelResponse:
        raise NotImplementedError("PublicOnly delegates complete() and stream()")

    async def _open_stream(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], settings: ModelSettings
    ) -> AsyncGenerator[TextDelta | ModelResponse, None]:
        raise NotImplementedError("PublicOnly delegates complete() and stream()")
