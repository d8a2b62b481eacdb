"""The ``agent`` run kind: one agent loops LLM → tools → LLM until it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from openintern.agents.loop import run_agent
from openintern.agents.startup import prefetch_agent_starts
from openintern.memory import MemoryService
from openintern.providers import ModelChooser
from openintern.runtime.context import ClaimedRun, RunContext
from openintern.runtime.kinds import RunKind
from openintern.tools import ToolRegistry, ToolServices


@dataclass
class AgentKind(RunKind):
    """What an agent run needs beyond the engine, each typed: the tool registry, what
    tools are lent (memory, the event reader), the model chooser and memory."""

    name: ClassVar[str] = "agent"
    tools: ToolRegistry
    lent: ToolServices
    models: ModelChooser
    memory: MemoryService | None

    async def execute(self, ctx: RunContext) -> None:
        await run_agent(ctx, self)

    async def prefetch(self, session: AsyncSession, runs: list[ClaimedRun]) -> dict[str, Any]:
        return dict(await prefetch_agent_starts(session, runs))
