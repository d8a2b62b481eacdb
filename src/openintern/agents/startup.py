"""What an agent run reads when it starts, read for a whole claim batch at once.

A run starts with its org's tool-policy rules, providers and core memory blocks. Read per
run, that was a transaction and three statements each: a quarter of a worker's CPU in
bench W2 (1,000 runs started together). The worker claims up to 100 runs in one statement;
in the same transaction it now reads these for all the batch's orgs (three statements),
and each run picks its own from them. A run started any other way reads its org alone
through the same functions, so there is one way to decide what a run gets.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from openintern.db.orm import Provider
from openintern.memory import CoreRow, core_rows
from openintern.policies import org_rules
from openintern.providers import org_providers
from openintern.runtime.context import ClaimedRun
from openintern.tools import PolicyRule


@dataclass(frozen=True)
class StartReads:
    """Rows of one or more orgs; each run filters to its own org (and project, agent)."""

    rules: list[PolicyRule]
    providers: list[Provider]
    core: list[CoreRow]


async def read_starts(session: AsyncSession, org_ids: list[str]) -> StartReads:
    orgs = sorted(set(org_ids))
    return StartReads(
        await org_rules(session, orgs), await org_providers(session, orgs), await core_rows(session, orgs)
    )


async def prefetch_agent_starts(session: AsyncSession, runs: list[ClaimedRun]) -> dict[str, StartReads]:
    """The claim's hook for agent runs: one `StartReads` shared by the batch's runs."""
    reads = await read_starts(session, [r.org_id for r in runs])
    return {r.id: reads for r in runs}
