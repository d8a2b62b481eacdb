"""The runs table is the queue. The SQL that matters, named and commented.

Only a worker that holds a run's lease (``lease_owner`` = its id) may write the run's
events, checkpoints and status; every write re-checks ownership in the same statement
(fencing), so a worker that was presumed dead and wakes up cannot corrupt the log.
"""

from __future__ import annotations

from sqlalchemy import text

WAKE_CHANNEL = "oi_runs"  # NOTIFY payload: run id (or empty) — a run became claimable
# (migration 0012's oi_wake_parent() names it too: a migration is history, so it is a literal there)
CANCEL_CHANNEL = "oi_cancel"  # NOTIFY payload: run id — cancel requested
EVENTS_CHANNEL = "oi_events"  # NOTIFY payload: see runtime.events

# claim -- take up to :n runs: queued ones by priority then age, and running ones whose
# worker stopped renewing the lease (crashed). Each branch locks its rows with SKIP LOCKED
# as it reads them, so workers claiming at once each get the next rows nobody holds (a
# locking clause is not allowed on a UNION branch, hence two CTEs). Picking the candidates
# first and locking them after would hand every worker the same oldest rows: all but one
# would skip all of them, come back short and sleep until the next wake-up.
# Indexes: ix_runs_claim (partial, status='queued'), ix_runs_lease (partial, 'running').
CLAIM = text(
    """
    WITH queued AS (
        SELECT id FROM runs WHERE status = 'queued'
         ORDER BY priority DESC, id LIMIT :n
           FOR UPDATE SKIP LOCKED
    ), expired AS (
        SELECT id FROM runs WHERE status = 'running' AND lease_expires_at < now()
         ORDER BY lease_expires_at LIMIT :n
           FOR UPDATE SKIP LOCKED
    ), locked AS (
        (SELECT id FROM queued) UNION ALL (SELECT id FROM expired) LIMIT :n
    )
    UPDATE runs SET status = 'running',
                    lease_owner = :owner,
                    lease_expires_at = now() + make_interval(secs => :lease_s),
                    attempt = attempt + 1,
                    wait_reason = NULL,
                    started_at = coalesce(started_at, now())
      FROM locked WHERE runs.id = locked.id
    RETURNING runs.id, runs.org_id, runs.project_id, runs.user_id, runs.kind, runs.session_key,
              runs.parent_run_id, runs.agent_id, runs.input, runs.config, runs.attempt,
              runs.last_seq, runs.steps, runs.usage, runs.cancel_requested, runs.depth,
              runs.parked_attempts
    """
)

# renew -- the heartbeat: extend our leases; tells us which runs were cancelled meanwhile
# and which we lost (another worker took them over after a long stall, or they went back to
# the queue). A run that reached a terminal status or `waiting` since the heartbeat read its
# list is not lost, just done. Rows locked right now are skipped, not waited for: the lock
# holder is this worker's event writer (claims skip locked rows too), whose commit extends
# the lease when less than half of it is left (and the next beat comes before that half is
# gone: heartbeat_s < lease_s / 2) — and waiting would deadlock with its multi-row UPDATE,
# which locks in another order. The outer SELECT sees the rows as they were before the UPDATE.
RENEW = text(
    """
    WITH mine AS (
        SELECT id FROM runs
         WHERE id = ANY(:ids) AND lease_owner = :owner AND status = 'running'
           FOR UPDATE SKIP LOCKED
    ), renewed AS (
        UPDATE runs SET lease_expires_at = now() + make_interval(secs => :lease_s)
          FROM mine WHERE runs.id = mine.id
        RETURNING runs.id
    )
    SELECT r.id, r.cancel_requested, n.id IS NOT NULL AS renewed,
           r.status IN ('running', 'queued') AND r.lease_owner IS DISTINCT FROM :owner AS lost
      FROM runs r LEFT JOIN renewed n ON n.id = r.id
     WHERE r.id = ANY(:ids)
    """
)

# release -- a worker shutting down hands its runs back without waiting for lease expiry.
RELEASE = text(
    """
    UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL
     WHERE id = ANY(:ids) AND lease_owner = :owner AND status = 'running'
    """
)

NOTIFY = text("SELECT pg_notify(:channel, :payload)")
