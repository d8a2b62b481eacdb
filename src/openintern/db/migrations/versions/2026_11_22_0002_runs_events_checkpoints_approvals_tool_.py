"""runs, events, checkpoints, approvals, tool policies, providers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:25:47.297846
Deploy: runs before the code that needs it (additive).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from openintern.db.rls import GRANT_EXISTING, disable_tenant_rls_v1, enable_tenant_rls_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


TENANT_TABLES = ["runs", "run_events", "checkpoints", "approvals", "tool_policies", "providers"]


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("api_key_encrypted", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('openai', 'anthropic')", name=op.f("ck_providers_kind")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_providers_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
    )
    op.create_index("uq_providers_org_id_name", "providers", ["org_id", "name"], unique=True)
    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("session_key", sa.String(length=200), nullable=True),
        sa.Column("parent_run_id", sa.String(length=40), nullable=True),
        sa.Column("agent_id", sa.String(length=100), server_default="main", nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("usage", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("steps", sa.Integer(), server_default="0", nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempt", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('agent', 'group', 'workflow', 'external')", name=op.f("ck_runs_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'queued', 'running', 'waiting', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_runs_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_run_id"], ["runs.id"], name=op.f("fk_runs_parent_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_runs_project_id_projects"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(
        "ix_runs_claim",
        "runs",
        ["priority", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index(
        "ix_runs_lease",
        "runs",
        ["lease_expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_index("ix_runs_org_id_id", "runs", ["org_id", "id"], unique=False)
    op.create_index("ix_runs_org_id_session_key_id", "runs", ["org_id", "session_key", "id"], unique=False)
    op.create_index(
        "ix_runs_parent_run_id",
        "runs",
        ["parent_run_id"],
        unique=False,
        postgresql_where=sa.text("parent_run_id IS NOT NULL"),
    )
    op.create_index(
        "uq_runs_org_id_idempotency_key",
        "runs",
        ["org_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_table(
        "tool_policies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("role_id", sa.String(length=40), nullable=True),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "action IN ('allow', 'block', 'require_approval')", name=op.f("ck_tool_policies_action")
        ),
        sa.CheckConstraint(
            "risk IS NULL OR risk IN ('low', 'medium', 'high')", name=op.f("ck_tool_policies_risk")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_tool_policies_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_tool_policies_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_policies")),
    )
    op.create_index(op.f("ix_tool_policies_org_id"), "tool_policies", ["org_id"], unique=False)
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("tool_call_id", sa.String(length=100), nullable=False),
        sa.Column("tool_name", sa.String(length=100), nullable=False),
        sa.Column("arguments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f("ck_approvals_status")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_approvals_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index("ix_approvals_org_id_status_id", "approvals", ["org_id", "status", "id"], unique=False)
    op.create_index("uq_approvals_run_id_tool_call_id", "approvals", ["run_id", "tool_call_id"], unique=True)
    op.create_table(
        "checkpoints",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_checkpoints_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "step", name=op.f("pk_checkpoints")),
    )
    op.create_table(
        "run_events",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("span_id", sa.String(length=40), nullable=True),
        sa.Column("parent_span_id", sa.String(length=40), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_events_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_run_events")),
    )
    op.execute(GRANT_EXISTING)
    for table in TENANT_TABLES:
        enable_tenant_rls_v1(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls_v1(table)
    op.drop_table("run_events")
    op.drop_table("checkpoints")
    op.drop_index("uq_approvals_run_id_tool_call_id", table_name="approvals")
    op.drop_index("ix_approvals_org_id_status_id", table_name="approvals")
    op.drop_table("approvals")
    op.drop_index(op.f("ix_tool_policies_org_id"), table_name="tool_policies")
    op.drop_table("tool_policies")
    op.drop_index(
        "uq_runs_org_id_idempotency_key",
        table_name="runs",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index(
        "ix_runs_parent_run_id", table_name="runs", postgresql_where=sa.text("parent_run_id IS NOT NULL")
    )
    op.drop_index("ix_runs_org_id_session_key_id", table_name="runs")
    op.drop_index("ix_runs_org_id_id", table_name="runs")
    op.drop_index("ix_runs_lease", table_name="runs", postgresql_where=sa.text("status = 'running'"))
    op.drop_index("ix_runs_claim", table_name="runs", postgresql_where=sa.text("status = 'queued'"))
    op.drop_table("runs")
    op.drop_index("uq_providers_org_id_name", table_name="providers")
    op.drop_table("providers")
