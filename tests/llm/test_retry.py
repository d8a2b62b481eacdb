"""The retry policy: what is retried, how long it waits, when it gives up.

The call under retry is a plain coroutine raising our own errors; the HTTP path is
covered by the conformance suite."""

from __future__ import annotations

import pytest

from openintern.errors import (
    LLMAuthError,
    LLMConnectionError,
    LLMError,
    LLMHTTPError,
    LLMModelNotFound,
    LLMTimeout,
)
from openintern.llm import RetryEvent, RetryPolicy, call_with_retries
from openintern.llm.retry import MAX_RETRY_AFTER_S, backoff_delay

FAST = RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.002)


class Flaky:
    """Fails with `error` for the first `failures` calls, then returns "ok"."""

    def __init__(self, error: LLMError, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


@pytest.mark.parametrize(
    "error", [LLMHTTPError(429), LLMHTTPError(500), LLMHTTPError(529), LLMConnectionError("x")]
)
async def test_transient_errors_are_retried(error: LLMError) -> None:
    call, seen = Flaky(error, 2), []

    assert await call_with_retries(call, FAST, seen.append) == "ok"
    assert [e.attempt for e in seen] == [1, 2]


@pytest.mark.parametrize("error", [LLMHTTPError(400), LLMAuthError(401), LLMModelNotFound(404), LLMTimeout()])
async def test_permanent_errors_and_timeouts_are_not_retried(error: LLMError) -> None:
    call = Flaky(error, 1)

    with pytest.raises(type(error)):
        await call_with_retries(call, FAST)
    assert call.calls == 1


async def test_timeouts_are_retried_when_the_policy_says_so() -> None:
    call = Flaky(LLMTimeout(), 1)

    assert await call_with_retries(call, RetryPolicy(base_delay_s=0.001, retry_timeouts=True)) == "ok"


async def test_attempts_are_bounded() -> None:
    call, seen = Flaky(LLMHTTPError(503), 10), []

    with pytest.raises(LLMHTTPError):
        await call_with_retries(call, FAST, seen.append)
    assert call.calls == 3 and len(seen) == 2


async def test_async_callbacks_are_awaited() -> None:
    seen: list[RetryEvent] = []

    async def on_retry(event: RetryEvent) -> None:
        seen.append(event)

    await call_with_retries(Flaky(LLMHTTPError(429), 1), FAST, on_retry)
    assert len(seen) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=8.0)
    error = LLMHTTPError(503)

    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [backoff_delay(attempt, policy, error) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "86400"}, MAX_RETRY_AFTER_S),
    ],
)
def test_retry_after_replaces_the_computed_delay(headers: dict[str, str], expected: float) -> None:
    assert backoff_delay(1, RetryPolicy(), LLMHTTPError(429, None, headers)) == expected
