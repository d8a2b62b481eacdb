"""1,000 concurrent calls per process through one shared client (the aiohttp backend)."""

from __future__ import annotations

import asyncio

from openintern.llm import Message, ModelResponse, ProviderConfig, create_chat_model
from openintern.testing import FakeLLMServer
from tests.llm.targets import FAKE_KEY

CONCURRENCY = 1_000


async def test_a_thousand_concurrent_completions(fake_llm: FakeLLMServer) -> None:
    model = create_chat_model(
        ProviderConfig(kind="openai", model="fake/echo", api_key=FAKE_KEY, base_url=fake_llm.openai_base_url)
    )

    responses = await asyncio.gather(*(model.complete([Message.user(f"n{i}")]) for i in range(CONCURRENCY)))

    assert [r.text for r in responses] == [f"echo: n{i}" for i in range(CONCURRENCY)]


async def test_a_thousand_concurrent_streams(fake_llm: FakeLLMServer) -> None:
    model = create_chat_model(
        ProviderConfig(kind="anthropic", model="fake/echo", api_key=FAKE_KEY, base_url=fake_llm.base_url)
    )

    async def final(i: int) -> ModelResponse:
        events = [e async for e in model.stream([Message.user(f"stream {i}")])]
        assert isinstance(events[-1], ModelResponse)
        return events[-1]

    responses = await asyncio.gather(*(final(i) for i in range(CONCURRENCY)))

    assert [r.text for r in responses] == [f"echo: stream {i}" for i in range(CONCURRENCY)]
