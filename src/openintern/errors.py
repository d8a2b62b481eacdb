"""The one exception hierarchy of OpenIntern.

Every error a service raises is one of these; ``api/problems.py`` maps each class to an
RFC 9457 problem-details response in one place, so no service raises ``HTTPException``.
The class docstring is the default message; structured fields travel as attributes.

    OpenInternError
    ├── ConfigError                 bad config file / env value (file, key, reason)
    ├── DatabaseError               the database is unreachable, too old, lacks pgvector
    ├── ValidationFailed            input that passed the schema but not the rules (422)
    ├── NotFound                    no such object *in this scope* (404)
    ├── Conflict                    unique constraint, idempotency clash (409)
    ├── InvalidTransition           a lifecycle move that the transition table forbids (409)
    ├── Unauthenticated             no / bad / expired credentials (401)
    ├── Forbidden                   authenticated, but not allowed (403)
    │   └── PolicyDenied            a ToolPolicy rule blocked a tool
    ├── QuotaExceeded               a limit was reached (429)
    │   └── LoginThrottled          too many failed logins: wait ``retry_after`` seconds
    ├── ProviderNotConfigured       no LLM provider configured (422 at run time)
    ├── LLMError                    anything that went wrong talking to a model
    │   ├── LLMHTTPError            the provider answered with an HTTP error (status, body, headers)
    │   │   ├── LLMAuthError        401/403: bad key
    │   │   └── LLMModelNotFound    404: unknown model
    │   ├── LLMTimeout              no answer in time
    │   └── LLMConnectionError      could not connect
    └── ToolError                   agent-level tool outcomes (the model sees these)
        ├── ToolRetry               bad arguments or a retryable failure: tell the model, let it retry
        ├── ToolFailed              the tool failed; the model is told
        │   └── SandboxUnavailable  exec tools are refused: this host cannot confine them
        └── ApprovalRequired        the call needs a human: the run goes ``waiting``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class OpenInternError(Exception):
    """Something went wrong in OpenIntern."""

    status_code: int = 500

    def __init__(self, message: str | None = None, **fields: Any) -> None:
        self.message = message or (self.__doc__ or type(self).__name__).strip().splitlines()[0]
        self.fields: dict[str, Any] = fields
        super().__init__(self.message)

    def __getattr__(self, name: str) -> Any:
        # Structured fields read like attributes (`exc.resource`); only reached when
        # normal lookup fails, so real attributes always win.
        fields = self.__dict__.get("fields", {})
        if name in fields:
            return fields[name]
        raise AttributeError(name)


class ConfigError(OpenInternError):
    """The configuration is invalid."""

    def __init__(self, message: str | None = None, *, problems: Sequence[str] = (), **fields: Any):
        self.problems = list(problems)
        detail = message or "The configuration is invalid"
        if self.problems:
            detail += ":\n  " + "\n  ".join(self.problems)
        super().__init__(detail, **fields)


class DatabaseError(OpenInternError):
    """The database cannot be used."""

    status_code = 503


def field_error(loc: Sequence[str | int], msg: str, type_: str) -> dict[str, Any]:
    """One entry of a problem's ``errors``: where (``loc`` and the dotted ``field``), what, which kind."""
    return {"loc": list(loc), "field": ".".join(str(p) for p in loc), "msg": msg, "type": type_}


class ValidationFailed(OpenInternError):
    """The request is not valid."""

    status_code = 422

    def __init__(
        self, message: str | None = None, *, errors: Sequence[Mapping[str, Any]] = (), **fields: Any
    ):
        self.errors = [dict(e) for e in errors]
        super().__init__(message, **fields)


class NotFound(OpenInternError):
    """The object does not exist."""

    status_code = 404

    def __init__(self, resource: str, id: object, message: str | None = None) -> None:
        super().__init__(message or f"{resource} {id!s} not found", resource=resource, id=str(id))


class Conflict(OpenInternError):
    """The request conflicts with the current state."""

    status_code = 409


class InvalidTransition(Conflict):
    """That state change is not allowed."""


class Unauthenticated(OpenInternError):
    """Authentication is required."""

    status_code = 401


class Forbidden(OpenInternError):
    """You are not allowed to do that."""

    status_code = 403


class PolicyDenied(Forbidden):
    """A tool policy forbids that."""


class QuotaExceeded(OpenInternError):
    """A limit was reached."""

    status_code = 429


class LoginThrottled(QuotaExceeded):
    """Too many failed logins; try again later."""

    def __init__(self, retry_after: int, message: str | None = None, *, locked: bool = False) -> None:
        super().__init__(message, retry_after=retry_after, locked=locked)


class ProviderNotConfigured(OpenInternError):
    """No LLM provider is configured."""

    status_code = 422


class LLMError(OpenInternError):
    """The language model call failed."""

    status_code = 502


class LLMHTTPError(LLMError):
    """The model provider answered with an HTTP error."""

    def __init__(
        self,
        status: int,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        message: str | None = None,
        **fields: Any,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        super().__init__(message or f"provider answered HTTP {status}: {body!s}"[:500], **fields)

    @property
    def retry_after(self) -> float | None:
        """Seconds the provider asked us to wait, from `retry-after(-ms)` headers."""
        lowered = {k.lower(): v for k, v in self.headers.items()}
        try:
            if "retry-after-ms" in lowered:
                return float(lowered["retry-after-ms"]) / 1000
            if "retry-after" in lowered:
                return float(lowered["retry-after"])
        except ValueError:
            return None
        return None


class LLMAuthError(LLMHTTPError):
    """The provider rejected the API key."""


class LLMModelNotFound(LLMHTTPError):
    """The provider does not know that model."""


class LLMTimeout(LLMError):
    """The model did not answer in time."""

    status_code = 504


class LLMConnectionError(LLMError):
    """Could not connect to the model provider."""


class ToolError(OpenInternError):
    """A tool call did not succeed."""

    status_code = 422


class ToolRetry(ToolError):
    """The tool asks the model to try again."""


class ToolFailed(ToolError):
    """The tool failed."""


class SandboxUnavailable(ToolFailed):
    """Sandboxed execution is disabled: this host cannot confine a process (fields: reason, fix)."""


class ApprovalRequired(ToolError):
    """The tool call needs a human's approval."""

    status_code = 409
