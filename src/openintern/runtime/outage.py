"""Database outages: telling a lost database from a bad statement, backing off, logging once.

A worker meets a database that is restarting, refusing connections or out of slots from
several tasks at once (the event writer, the claimer, the heartbeat, the LISTEN loop and
every run touching a table). None of that is a run's fault: runs are not failed for it.
One :class:`Outage` per worker is shared by those tasks. Each error it is told about gives
the caller its back-off delay (growing from `FIRST_DELAY_S` to `MAX_DELAY_S`), and the log
gets one line per `LOG_EVERY_S` with the count — never a traceback per error: 200 runs
re-raising one shared exception once wrote 190,000 lines in 6 s (issue 15).
"""

from __future__ import annotations

import asyncio
import logging
import time

import psycopg
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

FIRST_DELAY_S = 0.25  # a server restart takes about a second: the first retries come quickly
MAX_DELAY_S = 5.0  # and a longer outage is probed every 5 s, not hammered
LOG_EVERY_S = 10.0  # one "database unavailable" line per 10 s, with the count


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the database (or the way to it) failed, not the statement: any
    driver's operational or interface error, a socket error or a timeout. A data error
    (a value PostgreSQL refuses), a constraint or a bug in a statement is not one."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return False  # a statement timeout: this statement's fault, not the server's
    return isinstance(
        exc, (psycopg.OperationalError, psycopg.InterfaceError, OSError, asyncio.TimeoutError, TimeoutError)
    )


def describe(exc: BaseException) -> str:
    """One line naming the error (no traceback, no multi-line server detail)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class Outage:
    """Counts connection errors, hands out back-off delays and logs them once per window."""

    def __init__(self, name: str = "database") -> None:
        self.name = name
        self.errors = 0  # since the database was last seen working
        self.since: float | None = None  # monotonic time of the first error of this outage
        self._window_start = 0.0
        self._window_count = 0
        self._delay = FIRST_DELAY_S

    @property
    def down(self) -> bool:
        return self.since is not None

    def record(self, exc: BaseException) -> float:
        """Note a connection error; returns how long the caller should wait before retrying."""
        now = time.monotonic()
        if self.since is None:
            self.since, self._delay = now, FIRST_DELAY_S
        self.errors += 1
        self._window_count += 1
        if now - self._window_start >= LOG_EVERY_S:
            log.warning(
                "%s unavailable (%d errors in the last %.0f s): %s; pausing claims and writes, retrying",
                self.name,
                self._window_count,
                min(now - self._window_start, LOG_EVERY_S),
                describe(exc),
            )
            self._window_start, self._window_count = now, 0
        delay, self._delay = self._delay, min(self._delay * 2, MAX_DELAY_S)
        return delay

    def recovered(self) -> None:
        """The database answered: end the outage (and say so once)."""
        if self.since is None:
            return
        down_s = time.monotonic() - self.since
        log.warning("%s available again after %.1f s (%d errors)", self.name, down_s, self.errors)
        self.since, self.errors, self._window_start, self._window_count = None, 0, 0.0, 0
        self._delay = FIRST_DELAY_S
