"""`POST /api/auth/login`: username + password → bearer token."""

from __future__ import annotations

from fastapi import APIRouter

from openintern.api.deps import PlatformDep
from openintern.auth import login as do_login
from openintern.schemas.actions import LoginRequest
from openintern.schemas.responses import TokenResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
async def login(body: LoginRequest, platform: PlatformDep) -> TokenResponse:
    async with platform.db.system() as session:
        token = await do_login(
            session, body.username, body.password, platform.jwt_secret, platform.settings.auth.token_ttl_s
        )
    return TokenResponse(access_token=token.access_token, expires_in=token.expires_in)
