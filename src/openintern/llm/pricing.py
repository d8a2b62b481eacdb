"""List prices of common models, and the cost of a call.

Figures are USD per 1M tokens (input, output), standard tier, no batch or cache
discounts, as published on openai.com/api/pricing and anthropic.com/pricing; checked
2025-11. Prices change: a wrong figure misreports cost but never breaks a run, and an
unknown model costs `None` (unknown), never 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from openintern.llm.messages import Usage


@dataclass(frozen=True)
class Price:
    """USD per 1M tokens."""

    input: float
    output: float


PRICES: dict[str, Price] = {
    # OpenAI
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "o1": Price(15.00, 60.00),
    "o1-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
    "text-embedding-3-small": Price(0.02, 0.0),
    "text-embedding-3-large": Price(0.13, 0.0),
    # Anthropic
    "claude-opus-4-5": Price(5.00, 25.00),
    "claude-opus-4-1": Price(15.00, 75.00),
    "claude-opus-4": Price(15.00, 75.00),
    "claude-sonnet-4-5": Price(3.00, 15.00),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-haiku-4-5": Price(1.00, 5.00),
    "claude-3-7-sonnet": Price(3.00, 15.00),
    "claude-3-5-sonnet": Price(3.00, 15.00),
    "claude-3-5-haiku": Price(0.80, 4.00),
    "claude-3-opus": Price(15.00, 75.00),
    "claude-3-haiku": Price(0.25, 1.25),
}

# Longest first, so "gpt-4o-mini-2024-07-18" is priced as gpt-4o-mini, not gpt-4o.
_BY_LENGTH = sorted(PRICES, key=len, reverse=True)


@functools.lru_cache(maxsize=1024)  # called twice per model call; model ids repeat
def price_of(model: str) -> Price | None:
    """The list price of `model`, matching dated or suffixed ids by prefix.

    A routing prefix such as ``openai/`` or ``anthropic/`` is ignored. A prefix only
    matches at a ``-`` boundary, so ``o1`` does not price ``o1x``.
    """
    name = model.rsplit("/", 1)[-1].lower()
    for known in _BY_LENGTH:
        if name == known or name.startswith(known + "-"):
            return PRICES[known]
    return None


def cost_usd(model: str, usage: Usage) -> float | None:
    """USD cost of `usage` on `model`, or None when the model has no known price."""
    price = price_of(model)
    if price is None:
        return None
    return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000
