"""A login attempt from end to end: throttle check, password, bookkeeping, audit.

It takes the database rather than a session, because it needs more than one
transaction: a failure must be recorded (and committed) even though the attempt ends in
an error, which would roll back the transaction it was checked in.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from openintern.auth import throttle
from openintern.auth.audit import AuditRecord, AuditWriter
from openintern.auth.principals import login
from openintern.auth.tokens import IssuedToken
from openintern.config import AuthSettings
from openintern.db.orm import Membership, User
from openintern.db.session import Database
from openintern.errors import LoginThrottled, Unauthenticated

log = logging.getLogger(__name__)

LOGIN_PATH = "/api/auth/login"


async def attempt_login(
    db: Database,
    audit: AuditWriter,
    *,
    username: str,
    password: str,
    address: str,
    settings: AuthSettings,
    secret: str,
    request_id: str,
) -> IssuedToken:
    """A token, or `Unauthenticated` (wrong credentials) / `LoginThrottled` (429)."""
    started = time.perf_counter()
    subjects = [throttle.user_subject(username), throttle.address_subject(address)]
    try:
        async with db.system() as session:
            await throttle.check(session, subjects, settings)
            token = await login(session, username, password, secret, settings.token_ttl_s)
            await throttle.record_success(session, username)
            return token
    except LoginThrottled as exc:
        if not exc.fields.get("locked"):  # hammering inside the delay counts as a failure
            await _failed(db, audit, subjects, username, address, settings, request_id, started, 429)
        raise
    except Unauthenticated:
        await _failed(db, audit, subjects, username, address, settings, request_id, started, 401)
        raise


async def _failed(
    db: Database,
    audit: AuditWriter,
    subjects: list[str],
    username: str,
    address: str,
    settings: AuthSettings,
    request_id: str,
    started: float,
    status: int,
) -> None:
    async with db.system() as session:
        failures = await throttle.record_failure(session, subjects, settings)
        rows = await session.execute(
            select(User.id, Membership.org_id)
            .join(Membership, Membership.user_id == User.id)
            .where(User.username == username)
        )
        orgs = rows.all()
    count = max(f.failures for f in failures)
    locked = [f.subject for f in failures if f.locked]
    log.warning("failed login for %r from %s (%d in a row)", username, address, count)
    if locked:
        log.warning(
            "locked out %s for %d s after %d failed logins", ", ".join(locked), settings.lockout_s, count
        )
    latency = round((time.perf_counter() - started) * 1000, 3)
    for user_id, org_id in orgs:  # each org the user belongs to sees the attempts on them
        base = {"username": username, "address": address, "failures": count}
        audit.record(_entry(org_id, user_id, status, request_id, latency, {"event": "login.failed", **base}))
        if locked:
            detail = {"event": "login.locked", "locked": locked, "lockout_s": settings.lockout_s, **base}
            audit.record(_entry(org_id, user_id, 429, request_id, latency, detail))


def _entry(
    org_id: str, user_id: str, status: int, request_id: str, latency: float, detail: dict[str, object]
) -> AuditRecord:
    return AuditRecord(
        org_id=org_id,
        project_id=None,
        user_id=user_id,
        api_key_id=None,
        method="POST",
        path=LOGIN_PATH,
        status=status,
        request_id=request_id,
        latency_ms=latency,
        detail=dict(detail),
    )
