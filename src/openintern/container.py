"""The composition root: what an API process and a worker process hold, typed.

`build_services` makes the long-lived services once per process (tool registry, memory,
the model chooser) and the run kinds with exactly the services each needs. Routes reach
them through `api.platform.Platform.services`; the worker gets `Services.kinds`. So a
reader (and mypy) can follow ``POST /api/runs`` → `runs.create_run` → the queue →
`runtime.Worker` → `AgentKind.execute` → the model, the tools and the event log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openintern.agents import AgentKind, delegate_tool, spawn_agent_tool
from openintern.auth.crypto import SecretBox
from openintern.config import Settings
from openintern.db.session import Database
from openintern.memory import MemoryService
from openintern.orchestration import GroupKind
from openintern.providers import ModelChooser
from openintern.runs import all_events
from openintern.runtime.kinds import KindRegistry, plugin_kinds
from openintern.teams import team_tools
from openintern.tools import ToolRegistry, ToolServices, default_registry

EXPORT_EVENTS_MAX = 50_000  # export_trace stops here rather than load an unbounded log into a prompt


@dataclass(frozen=True)
class Services:
    """One process's services. ``close`` releases what they hold."""

    settings: Settings
    db: Database
    box: SecretBox
    tools: ToolRegistry
    memory: MemoryService
    models: ModelChooser
    kinds: KindRegistry

    async def close(self) -> None:
        await self.memory.close()


def build_services(db: Database, settings: Settings, box: SecretBox) -> Services:
    async def events_reader(org_id: str, run_id: str) -> list[dict[str, Any]]:
        async with db.tenant(org_id) as session:
            return await all_events(session, run_id, limit=EXPORT_EVENTS_MAX)

    tools = default_registry()
    tools.register(delegate_tool())  # run by the agent loop: it starts child runs
    tools.register(spawn_agent_tool())  # likewise
    for tool in team_tools():  # a group run's members: the blackboard and the lead's assign_tasks
        tools.register(tool)
    memory = MemoryService.from_settings(db, settings)
    models = ModelChooser(settings, box.decrypt)
    lent = ToolServices(memory=memory, events_reader=events_reader, sandbox=settings.sandbox)
    kinds = KindRegistry(
        [AgentKind(tools=tools, lent=lent, models=models, memory=memory), GroupKind(memory=memory)]
    )
    services = Services(settings, db, box, tools, memory, models, kinds)
    for kind in plugin_kinds(services, skip=kinds.names()):
        kinds.register(kind)
    return services
