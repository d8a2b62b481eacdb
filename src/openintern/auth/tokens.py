"""JWT bearer tokens (HS256). The token names the user; orgs and roles are read from the
database on each request, so a role change or removal takes effect at once."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from openintern.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "openintern"
LEEWAY_S = 5  # clock skew tolerated between API replicas


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


def issue_token(user_id: str, secret: str, ttl_s: int) -> IssuedToken:
    now = int(time.time())
    claims = {"sub": user_id, "iat": now, "exp": now + ttl_s, "iss": ISSUER}
    return IssuedToken(jwt.encode(claims, secret, algorithm=ALGORITHM), ttl_s)


def read_token(token: str, secret: str) -> str:
    """The user id in a valid token; raises Unauthenticated for expired or tampered ones."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            leeway=LEEWAY_S,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the access token has expired; log in again") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("the access token is not valid") from exc
    return str(claims["sub"])
