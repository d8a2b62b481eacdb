"""Building chat models from a `ProviderConfig`.

Adapters are imported on demand, so a process that only talks to one vendor never
imports the other SDK. Clients are shared: every model built for the same (kind,
base_url, api_key) reuses one SDK client and its aiohttp pool (see `_clients.py`).
"""

from __future__ import annotations

from openintern.llm._clients import aclose_clients
from openintern.llm.base import ChatModel, ProviderConfig
from openintern.llm.retry import RetryCallback

__all__ = ["aclose_clients", "create_chat_model"]


def create_chat_model(config: ProviderConfig, *, on_retry: RetryCallback | None = None) -> ChatModel:
    """The `ChatModel` for `config`; `on_retry` is called before each retry (for logging)."""
    if config.kind == "openai":
        from openintern.llm.openai import OpenAIChatModel

        return OpenAIChatModel(config, on_retry=on_retry)
    if config.kind == "anthropic":
        from openintern.llm.anthropic import AnthropicChatModel

        return AnthropicChatModel(config, on_retry=on_retry)
    if config.kind == "gemini":
        from openintern.llm.gemini import GeminiChatModel

        return GeminiChatModel(config, on_retry=on_retry)
    raise AssertionError(f"unhandled provider kind {config.kind!r}")  # ProviderConfig validates kind
