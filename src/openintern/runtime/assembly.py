"""Builds the services a worker and an API process share (tools, models, readers)."""

from __future__ import annotations

from typing import Any

from openintern.auth.crypto import SecretBox
from openintern.config import Settings
from openintern.db.orm import Provider
from openintern.db.session import Database
from openintern.llm import ChatModel
from openintern.memory import MemoryService
from openintern.runtime.context import RunContext
from openintern.runtime.events import read_events
from openintern.runtime.providers import chat_model, pick_provider
from openintern.tools import default_registry

EXPORT_EVENTS_MAX = 50_000  # export_trace stops here rather than load an unbounded log into a prompt


def build_services(db: Database, settings: Settings, box: SecretBox) -> dict[str, Any]:
    def models(ctx: RunContext, org_providers: list[Provider]) -> ChatModel:
        """The run's model, chosen among its org's providers (read at the run's start)."""
        config = pick_provider(org_providers, ctx.run.org_id, settings, ctx.run.config, box.decrypt)
        return chat_model(config)

    async def events_reader(org_id: str, run_id: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        async with db.tenant(org_id) as session:
            while len(events) < EXPORT_EVENTS_MAX:
                page = await read_events(
                    session, run_id, after=events[-1]["seq"] if events else 0, limit=1000
                )
                events.extend(page)
                if len(page) < 1000:
                    break
        return events

    memory = MemoryService.from_settings(db, settings)
    return {
        "tools": default_registry(),
        "models": models,
        "events_reader": events_reader,
        "box": box,
        "memory": memory,
    }
