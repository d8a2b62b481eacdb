"""auth: login_failures, the shared state of login throttling

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:00:00
Deploy: before the code (a new table; old code never reads it).

One row per username (``user:<name>``) and per client address (``addr:<ip>``) that
failed to log in recently: how many failures in a row, when the last was, and until
when it is locked out. Global, like ``users`` (a login has no org yet), so no RLS;
granted to the app role as every table is. Every API process reads and
writes the same rows, so throttling holds however many processes serve the API.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openintern.db.rls import GRANT_EXISTING

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_login_failures")),
    )
    op.create_index(
        op.f("ix_login_failures_last_failure_at"), "login_failures", ["last_failure_at"], unique=False
    )
    op.execute(GRANT_EXISTING)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failures_last_failure_at"), table_name="login_failures")
    op.drop_table("login_failures")
