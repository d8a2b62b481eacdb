"""Cost from list prices: dated ids price as their family, unknown models are None."""

from __future__ import annotations

import pytest

from openintern.llm import Usage, cost_usd, price_of


def test_cost_is_per_million_tokens() -> None:
    # gpt-4o: $2.50 in, $10.00 out per 1M tokens.
    assert cost_usd("gpt-4o", Usage.of(1_000_000, 100_000)) == pytest.approx(2.50 + 1.00)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
    ],
)
def test_dated_and_routed_ids_price_as_their_family(model: str, family: str) -> None:
    assert price_of(model) == price_of(family) is not None


@pytest.mark.parametrize("model", ["fake/echo", "llama3.1:8b", "o1x", "gpt-4oo", ""])
def test_unknown_models_have_no_cost(model: str) -> None:
    assert cost_usd(model, Usage.of(10, 10)) is None


def test_no_tokens_cost_nothing() -> None:
    assert cost_usd("claude-3-5-haiku", Usage()) == 0.0
