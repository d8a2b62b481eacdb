"""`POST /api/auth/login`: username + password → bearer token, throttled per username and
per client address (auth/throttle.py); admins lift lockouts."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from openintern.api.deps import PlatformDep, ScopeDep, SessionDep
from openintern.auth import throttle
from openintern.auth.logins import attempt_login
from openintern.schemas.actions import LoginRequest
from openintern.schemas.responses import TokenResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
async def login(body: LoginRequest, request: Request, platform: PlatformDep) -> TokenResponse:
    """Repeated failures are answered 429 with ``Retry-After`` (growing delays, then a
    lockout of ``auth.lockout_s``); each failure is in the audit log of the user's orgs."""
    token = await attempt_login(
        platform.db,
        platform.audit,
        username=body.username,
        password=body.password,
        address=request.client.host if request.client else "unknown",
        settings=platform.settings.auth,
        secret=platform.jwt_secret,
        request_id=getattr(request.state, "request_id", ""),
    )
    return TokenResponse(access_token=token.access_token, expires_in=token.expires_in)


@router.delete("/lockouts/users/{username}", status_code=status.HTTP_204_NO_CONTENT)
async def unlock_user(username: str, scope: ScopeDep, session: SessionDep) -> Response:
    """Lift a member's login lockout (and forget their failures). Admins and owners."""
    await throttle.unlock_user(session, scope, username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/lockouts/addresses/{address}", status_code=status.HTTP_204_NO_CONTENT)
async def unlock_address(address: str, scope: ScopeDep, session: SessionDep) -> Response:
    """Lift a client address's login lockout. Admins and owners."""
    await throttle.unlock_address(session, scope, address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
