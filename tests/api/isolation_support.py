"""Helpers for the isolation table that need the app itself (not only its HTTP API)."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import text


async def insert_approval(client: AsyncClient, run_id: str) -> str:
    app = client._transport.app  # type: ignore[attr-defined]
    async with app.state.platform.db.system() as session:
        org_id = await session.scalar(text("SELECT org_id FROM runs WHERE id = :id"), {"id": run_id})
        await session.execute(
            text(
                "INSERT INTO approvals (id, org_id, run_id, tool_call_id, tool_name, arguments, risk) "
                "VALUES ('apr_b', :org, :run, 'call_b', 'write_file', '{}', 'medium')"
            ),
            {"org": org_id, "run": run_id},
        )
    return "apr_b"
