"""Retries with exponential backoff and jitter for provider calls.

The SDKs' own retries are switched off (`max_retries=0`) so that there is one policy, one
place that honours `retry-after`, and one hook (`on_retry`) through which the runtime
logs each retry as an event.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from openintern.errors import LLMAuthError, LLMConnectionError, LLMError, LLMHTTPError, LLMTimeout

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""Besides every 5xx (Anthropic's 529 "overloaded" included): request timeout, lock
contention and rate limiting are the statuses providers document as transient."""

MAX_RETRY_AFTER_S = 60.0
"""A `retry-after` longer than this is capped: a run waiting minutes on one call is
better failed and rescheduled by the runtime than holding a worker slot."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    `max_attempts` counts every try, the first included. The n-th retry waits
    `base_delay_s * 2**(n-1)`, capped at `max_delay_s`, with "equal jitter" (half fixed,
    half random) so that a burst of 429s does not retry in lockstep. A `retry-after`
    header from the provider replaces the computed delay.
    """

    max_attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    retry_timeouts: bool = False
    """Off by default: a timed-out call has already cost the whole timeout, and
    repeating it quadruples the wait before the runtime hears about it."""


@dataclass(frozen=True)
class RetryEvent:
    """Passed to the `on_retry` hook before each wait."""

    attempt: int
    """The attempt that failed, 1-based."""
    delay_s: float
    """How long we will wait before the next attempt."""
    error: LLMError
    """What went wrong."""


RetryCallback = Callable[[RetryEvent], Awaitable[None] | None]
"""Hook called before each retry; may be sync or async. Its exceptions propagate."""


def is_retryable(error: BaseException, policy: RetryPolicy) -> bool:
    """Whether `error` is transient under `policy`."""
    if isinstance(error, LLMAuthError):
        return False
    if isinstance(error, LLMHTTPError):
        return error.status in RETRYABLE_STATUSES or error.status >= 500
    if isinstance(error, LLMTimeout):
        return policy.retry_timeouts
    return isinstance(error, LLMConnectionError)


def backoff_delay(attempt: int, policy: RetryPolicy, error: LLMError) -> float:
    """Seconds to wait after failed `attempt` (1-based)."""
    asked: float | None = error.retry_after if isinstance(error, LLMHTTPError) else None
    if asked is not None:
        return min(max(asked, 0.0), MAX_RETRY_AFTER_S)
    ceiling = min(policy.base_delay_s * 2.0 ** (attempt - 1), policy.max_delay_s)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    on_retry: RetryCallback | None = None,
) -> T:
    """Await `call()` until it succeeds, fails for good, or attempts run out."""
    attempt = 1
    while True:
        try:
            return await call()
        except LLMError as error:
            if attempt >= policy.max_attempts or not is_retryable(error, policy):
                raise
            delay = backoff_delay(attempt, policy, error)
            if on_retry is not None:
                result = on_retry(RetryEvent(attempt=attempt, delay_s=delay, error=error))
                if inspect.isawaitable(result):
                    await result
            await asyncio.sleep(delay)
            attempt += 1
