"""Liveness (`/health`) and readiness (`/ready`: database reachable, migrations current)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from openintern.api.deps import PlatformDep
from openintern.db.migrate import head_revision
from openintern.schemas.responses import Health, Ready

router = APIRouter(tags=["health"])
_HEAD = head_revision()


@router.get("/health")
async def health() -> Health:
    return Health()


@router.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
async def ready(platform: PlatformDep) -> Ready | JSONResponse:
    try:
        async with platform.db.system() as session:
            current = await session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:
        body = Ready(
            status="unavailable", database=f"unreachable: {type(exc).__name__}", migrations="unknown"
        )
        return JSONResponse(body.model_dump(), status_code=503)
    if current != _HEAD:
        body = Ready(status="unavailable", database="ok", migrations=f"at {current}, head is {_HEAD}")
        return JSONResponse(body.model_dump(), status_code=503)
    return Ready(status="ok", database="ok", migrations="current")
