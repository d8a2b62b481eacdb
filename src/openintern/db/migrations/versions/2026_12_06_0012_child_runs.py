"""runs: child runs as an engine mechanism (depth, wait_reason, waking the parent)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:00:00
Deploy: before the code (the new columns have defaults; old code never sets them).

* ``depth``: how deep a run nests under its ancestors (0 for a top-level run), so the
  depth limit is one comparison at spawn time instead of a walk up the tree.
* ``wait_reason``: why a ``waiting`` run waits (``approval`` | ``children`` | ``input``);
  the claim clears it. The UI shows it, and the wake-up below only wakes a run that waits
  for its children.
* ``oi_wake_parent()``: when a child reaches a terminal status, its parent (waiting for
  children) goes back to the queue once no sibling is still active, and the workers are
  woken. A trigger, so that every path that ends a run (a worker's batch, a cancel from the
  API, a future path) wakes the parent in the same transaction. It locks the parent row
  first: two siblings ending at once in two transactions are serialised on that lock, and
  the second, reading after the first committed, sees no active sibling and wakes the
  parent (checking before the lock, each would see the other still running and neither
  would wake it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WAKE_PARENT = """
CREATE FUNCTION oi_wake_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM runs WHERE id = NEW.parent_run_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM runs
                WHERE parent_run_id = NEW.parent_run_id
                  AND status IN ('pending', 'queued', 'running', 'waiting')) THEN
        RETURN NULL;
    END IF;
    UPDATE runs SET status = 'queued', wait_reason = NULL
     WHERE id = NEW.parent_run_id AND status = 'waiting' AND wait_reason = 'children';
    IF FOUND THEN
        PERFORM pg_notify('oi_runs', NEW.parent_run_id);
    END IF;
    RETURN NULL;
END $$
"""

TRIGGER = """
CREATE TRIGGER runs_wake_parent AFTER UPDATE OF status ON runs
   FOR EACH ROW
   WHEN (NEW.parent_run_id IS NOT NULL
         AND NEW.status IN ('completed', 'failed', 'cancelled')
         AND OLD.status IS DISTINCT FROM NEW.status)
   EXECUTE FUNCTION oi_wake_parent()
"""


def upgrade() -> None:
    op.add_column("runs", sa.Column("depth", sa.Integer(), server_default="0", nullable=False))
    op.add_column("runs", sa.Column("wait_reason", sa.String(length=20), nullable=True))
    op.create_check_constraint(
        op.f("ck_runs_wait_reason"), "runs", "wait_reason IN ('approval', 'children', 'input')"
    )
    op.execute(WAKE_PARENT)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER runs_wake_parent ON runs")
    op.execute("DROP FUNCTION oi_wake_parent()")
    op.drop_constraint(op.f("ck_runs_wait_reason"), "runs", type_="check")
    op.drop_column("runs", "wait_reason")
    op.drop_column("runs", "depth")
