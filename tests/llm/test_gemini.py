"""Gemini is the OpenAI adapter at Google's OpenAI-compatible endpoint (the conformance
suite runs it against the fake server). No database: `openintern.llm` has no storage."""

from __future__ import annotations

from openintern.llm import ProviderConfig, create_chat_model
from openintern.llm.gemini import GEMINI_BASE_URL, GeminiChatModel


def test_gemini_defaults_to_googles_openai_compatible_endpoint() -> None:
    model = create_chat_model(ProviderConfig(kind="gemini", model="gemini-2.5-flash", api_key="k"))
    assert isinstance(model, GeminiChatModel) and model.provider == "gemini"
    assert (
        model.config.base_url == GEMINI_BASE_URL == "https://generativelanguage.googleapis.com/v1beta/openai/"
    )
    proxied = ProviderConfig(kind="gemini", model="m", api_key="k", base_url="http://127.0.0.1:9/v1")
    assert GeminiChatModel(proxied).config.base_url == "http://127.0.0.1:9/v1"  # a given base_url wins
