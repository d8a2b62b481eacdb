"""The implementations the conformance suite runs over (imported by conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openintern.llm import ChatModel, ProviderConfig, RetryEvent, RetryPolicy, create_chat_model
from openintern.testing import FakeLLMServer, ScriptedModel, ScriptLibrary

FAKE_KEY = "sk-fake-test-key"
"""The key the session's fake server requires."""


@dataclass
class Target:
    """One `ChatModel` implementation under the conformance suite."""

    name: str
    provider: str
    register: Callable[[Sequence[Mapping[str, Any]]], str]
    """Store a script; returns the model name that plays it."""
    build: Callable[..., ChatModel]
    """build(model, *, timeout_s=…, on_retry=…) → a model."""
    rejected_key: Callable[[], ChatModel]
    """A model whose API key the provider rejects."""


def http_target(server: FakeLLMServer, kind: str) -> Target:
    """The `kind` adapter pointed at the fake server."""
    # gemini speaks the OpenAI protocol (Google's compatible endpoint): the same fake routes.
    base_url = server.openai_base_url if kind in ("openai", "gemini") else server.base_url

    def build(model: str, *, api_key: str = FAKE_KEY, timeout_s: float = 10.0, **kwargs: Any) -> ChatModel:
        config = ProviderConfig(
            kind=kind, model=model, api_key=api_key, base_url=base_url, timeout_s=timeout_s
        )  # type: ignore[arg-type]
        return create_chat_model(config, **kwargs)

    return Target(
        name=f"{kind}-over-http",
        provider=kind,
        register=server.register,
        build=build,
        rejected_key=lambda: build("fake/echo", api_key="sk-wrong"),
    )


def scripted_target() -> Target:
    """`ScriptedModel`, resolving model names like the fake server does."""
    library = ScriptLibrary()

    def build(
        model: str, *, timeout_s: float = 10.0, on_retry: Callable[[RetryEvent], None] | None = None
    ) -> ChatModel:
        return ScriptedModel(
            model=model, library=library, timeout_s=timeout_s, retry=RetryPolicy(), on_retry=on_retry
        )

    return Target(
        name="scripted",
        provider="scripted",
        register=library.register,
        build=build,
        # In-process there is no key to check: the script plays the provider's 401.
        rejected_key=lambda: ScriptedModel([{"error": {"status": 401, "times": 1_000_000}}]),
    )
