"""Fixtures for the LLM tests: one fake server per session and the conformance targets.

Nothing here touches the database: `openintern.llm` has no storage, so these tests run
without PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from openintern.llm import aclose_clients
from openintern.testing import FakeLLMServer
from tests.llm.targets import FAKE_KEY, Target, http_target, scripted_target


@pytest.fixture(scope="session")
def fake_llm() -> Iterator[FakeLLMServer]:
    """The fake OpenAI/Anthropic server, requiring `FAKE_KEY`."""
    with FakeLLMServer(api_key=FAKE_KEY) as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
async def _close_llm_clients() -> AsyncIterator[None]:
    yield
    await aclose_clients()


@pytest.fixture(params=["openai", "anthropic", "gemini", "scripted"])
def target(request: pytest.FixtureRequest, fake_llm: FakeLLMServer) -> Target:
    """Each ChatModel implementation in turn: the adapters over HTTP, and ScriptedModel."""
    if request.param == "scripted":
        return scripted_target()
    return http_target(fake_llm, request.param)
