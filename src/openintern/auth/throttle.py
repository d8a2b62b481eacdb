"""Login throttling per username and per client address, shared by every API process.

The rules (settings ``auth.login_free_failures``, ``auth.login_max_failures``,
``auth.lockout_s``):

* each username and each client address counts its failed logins in a row;
* after ``login_free_failures`` of them, the next attempt must wait ``2**(n - free)``
  seconds after the last failure (1 s, 2 s, 4 s …): an earlier attempt is answered 429
  with ``Retry-After``, without checking the password, *and counts as a failure* (a
  client that ignores Retry-After reaches the lockout sooner);
* at ``login_max_failures`` the subject is locked out for ``lockout_s`` seconds;
* a successful login clears its username's count (not its address's: one valid account
  must not let an address keep guessing others); a count older than ``lockout_s``
  starts again from zero;
* an admin can lift a lockout (``DELETE /api/auth/lockouts/...``, ``openintern users
  unlock``).

The server never sleeps: a delay is a 429 the client waits out, so throttled attempts
cost no worker time. The state lives in ``login_failures`` (migration 0013). Attempts
that arrive together may all be checked before any of them is recorded; the password
hash bounds how many that can be.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from openintern.auth.scope import Scope
from openintern.config import AuthSettings
from openintern.db.orm import Membership, User
from openintern.errors import LoginThrottled, NotFound, ValidationFailed, field_error

MAX_DELAY_S = 3600
"""The growing delay's ceiling (the lockout takes over well before it by default)."""


def user_subject(username: str) -> str:
    return f"user:{username}"


def address_subject(address: str) -> str:
    return f"addr:{address}"


@dataclass(frozen=True)
class Failure:
    """What one failed login did to a subject."""

    subject: str
    failures: int
    locked: bool  # this failure started a lockout


# The subjects' current state, read before the password is checked (primary key reads).
READ_STATE = text(
    "SELECT subject, failures, last_failure_at, locked_until, now() AS now "
    "FROM login_failures WHERE subject = ANY(:subjects)"
)

# record_failure -- one upsert per subject. A count whose last failure left the lockout
# window starts again at 1 (a lockout is never longer than the window, so an ended one
# starts afresh too); reaching the maximum sets locked_until. RETURNING says whether this
# very failure reached the maximum, i.e. started the lockout.
RECORD_FAILURE = text(
    """
    INSERT INTO login_failures AS f (subject, failures, last_failure_at, locked_until)
    VALUES (:subject, 1, now(), CASE WHEN :max_failures <= 1 THEN now() + make_interval(secs => :lockout_s) END)
    ON CONFLICT (subject) DO UPDATE SET
        failures = excluded.failures + CASE WHEN f.last_failure_at < now() - make_interval(secs => :lockout_s)
                                            THEN 0 ELSE f.failures END,
        last_failure_at = now(),
        locked_until = CASE
            WHEN f.locked_until > now() THEN f.locked_until
            WHEN f.last_failure_at >= now() - make_interval(secs => :lockout_s)
                 AND f.failures + 1 >= :max_failures THEN now() + make_interval(secs => :lockout_s)
            END
    RETURNING failures, failures = :max_failures AS locked
    """
)

# Forget what is over: counts whose last failure left the window and whose lockout ended
# (ix_login_failures_last_failure_at), so sprayed usernames do not pile up.
PRUNE = text(
    "DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(secs => :lockout_s) "
    "AND (locked_until IS NULL OR locked_until < now())"
)


async def check(session: AsyncSession, subjects: list[str], settings: AuthSettings) -> None:
    """Raise `LoginThrottled` when any subject is locked out or inside its delay."""
    wait, locked = 0.0, False
    for row in (await session.execute(READ_STATE, {"subjects": subjects})).all():
        wait = max(wait, _wait_s(row.failures, row.last_failure_at, row.locked_until, row.now, settings))
        locked = locked or (row.locked_until is not None and row.locked_until > row.now)
    if wait > 0:
        retry_after = max(1, math.ceil(wait))
        what = "locked out after too many failed logins" if locked else "too many failed logins"
        raise LoginThrottled(retry_after, f"{what}; try again in {retry_after} s", locked=locked)


def _wait_s(
    failures: int, last: datetime, locked_until: datetime | None, now: datetime, settings: AuthSettings
) -> float:
    if locked_until is not None and locked_until > now:
        return (locked_until - now).total_seconds()
    if last < now - timedelta(seconds=settings.lockout_s) or failures < settings.login_free_failures:
        return 0.0
    delay = min(2 ** (failures - settings.login_free_failures), MAX_DELAY_S)
    return max(0.0, (last + timedelta(seconds=delay) - now).total_seconds())


async def record_failure(session: AsyncSession, subjects: list[str], settings: AuthSettings) -> list[Failure]:
    params = {"max_failures": settings.login_max_failures, "lockout_s": float(settings.lockout_s)}
    await session.execute(PRUNE, params)
    done = []
    for subject in subjects:
        row = (await session.execute(RECORD_FAILURE, {**params, "subject": subject})).one()
        done.append(Failure(subject, row.failures, bool(row.locked)))
    return done


async def record_success(session: AsyncSession, username: str) -> None:
    await session.execute(
        text("DELETE FROM login_failures WHERE subject = :s"), {"s": user_subject(username)}
    )


async def unlock(session: AsyncSession, subject: str) -> bool:
    """Lift a lockout and forget the count; False when there was nothing to lift."""
    result = await session.execute(
        text("DELETE FROM login_failures WHERE subject = :s RETURNING 1"), {"s": subject}
    )
    return result.first() is not None


async def lockouts(session: AsyncSession) -> list[tuple[str, int, datetime]]:
    """Subjects locked out now: (subject, failures, locked until)."""
    rows = await session.execute(
        text(
            "SELECT subject, failures, locked_until FROM login_failures "
            "WHERE locked_until > now() ORDER BY locked_until DESC LIMIT 500"
        )
    )
    return [(r.subject, r.failures, r.locked_until) for r in rows]


async def unlock_user(session: AsyncSession, scope: Scope, username: str) -> bool:
    """An org admin lifts the lockout of a member of their org (404 for anyone else)."""
    scope.require("admin", "lift login lockouts")
    member = await session.scalar(
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(User.username == username, Membership.org_id == scope.org_id)
    )
    if member is None:
        raise NotFound("user", username)
    return await unlock(session, user_subject(username))


async def unlock_address(session: AsyncSession, scope: Scope, address: str) -> bool:
    """An admin lifts an address's lockout (each username stays throttled on its own)."""
    scope.require("admin", "lift login lockouts")
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise ValidationFailed(
            f"{address!r} is not an IP address",
            errors=[field_error(["path", "address"], "not an IP address", "ip_address")],
        ) from None
    return await unlock(session, address_subject(address))
