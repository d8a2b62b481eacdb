"""Gemini through Google's OpenAI-compatible endpoint.

Google serves Gemini models over the chat-completions protocol at `GEMINI_BASE_URL`
(``POST …/v1beta/openai/chat/completions``, the API key as a Bearer token), so the adapter
is the OpenAI one with that endpoint as its default and its own name in errors and events.
A ``base_url`` in the provider config still wins (a proxy, or the fake server in tests).
"""

from __future__ import annotations

from openintern.llm.base import ProviderConfig
from openintern.llm.openai import OpenAIChatModel
from openintern.llm.retry import RetryCallback

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"


class GeminiChatModel(OpenAIChatModel):
    """`ChatModel` for Gemini (chat completions at `GEMINI_BASE_URL` by default)."""

    provider = "gemini"

    def __init__(self, config: ProviderConfig, *, on_retry: RetryCallback | None = None) -> None:
        if config.base_url is None:
            config = config.model_copy(update={"base_url": GEMINI_BASE_URL})
        super().__init__(config, on_retry=on_retry)
