"""Vendor SDK errors → `openintern.errors`, shared by the OpenAI and Anthropic adapters.

Both SDKs expose the same shapes (a status error carrying the HTTP response, a timeout
error that subclasses the connection error), so one mapping serves both; the caller
passes the SDK's classes.
"""

from __future__ import annotations

from collections.abc import Mapping

from openintern.errors import (
    LLMAuthError,
    LLMConnectionError,
    LLMError,
    LLMHTTPError,
    LLMModelNotFound,
    LLMTimeout,
)


def http_error(
    status: int, body: object, headers: Mapping[str, str], *, provider: str, model: str
) -> LLMHTTPError:
    """The `LLMHTTPError` subclass for an HTTP error answer, with a message that says what to do."""
    if status in (401, 403):
        return LLMAuthError(
            status,
            body,
            headers,
            message=f"{provider} rejected the API key (HTTP {status}); set LLM_API_KEY / the provider's key",
            provider=provider,
            model=model,
        )
    if status == 404:
        return LLMModelNotFound(
            status,
            body,
            headers,
            message=f"{provider} does not know model {model!r} (HTTP 404); check the model name and base_url",
            provider=provider,
            model=model,
        )
    return LLMHTTPError(status, body, headers, provider=provider, model=model)


def timeout_error(*, provider: str, model: str, timeout_s: float) -> LLMTimeout:
    """The model did not answer within `timeout_s`."""
    return LLMTimeout(
        f"{provider} model {model!r} sent nothing for {timeout_s:g} s", provider=provider, model=model
    )


def connection_error(
    reason: object, *, provider: str, model: str, base_url: str | None
) -> LLMConnectionError:
    """Could not reach the provider."""
    where = base_url or f"the default {provider} endpoint"
    return LLMConnectionError(f"could not connect to {where}: {reason}", provider=provider, model=model)


def refused_connection(exc: BaseException) -> bool:
    """Whether a timeout error really hides a failed connect.

    The SDKs' vendored aiohttp transport maps every `ClientConnectionError`, a refused
    connection included, to a connect *timeout*; the cause chain still holds the
    `OSError` that says what happened.
    """
    seen: BaseException | None = exc.__cause__ or exc.__context__
    while seen is not None:
        if isinstance(seen, OSError) and not isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def unsupported(provider: str, what: str, kind: object) -> LLMError:
    """A response part this adapter does not understand: raised, never dropped."""
    return LLMError(f"{provider} returned an unsupported {what} type {kind!r}; refusing to drop it")
