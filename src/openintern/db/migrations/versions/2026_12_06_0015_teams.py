"""teams: roles, groups, group_members; run indexes for their stats

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 05:00:00
Deploy: before the code (new tables; old code never reads them).

* ``roles``: an agent's configuration with a name (prompt, model, tools, memory scope,
  the roles its ``spawn_agent`` may start). Its tool rules are ``tool_policies`` rows
  with its ``role_id`` (the policy engine already scopes by role).
* ``groups`` and ``group_members``: a member's role is ``ON DELETE RESTRICT`` — the API
  refuses to delete a role a group uses, naming the groups, and the constraint holds
  when two requests race. At most one lead per group (a partial unique index).
* Two partial expression indexes on ``runs`` for a role's and a group's stats and run
  history (both name themselves in ``config``): without them the stats scan every run
  of the org.

* ``runs.parked_attempts``: the attempt at which a run last parked (``waiting``). The
  attempt limit counts the attempts since: parking and resuming is a run's normal life (a
  team of five resumes five times), not a crash.

All three tables are tenant tables behind RLS.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from openintern.db.rls import GRANT_EXISTING, disable_tenant_rls_v1, enable_tenant_rls_v1

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("roles", "groups", "group_members")


def _common(table: str) -> list[sa.Column[str]]:
    return [
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "roles",
        *_common("roles"),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("model_settings", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("tools", postgresql.JSONB(), nullable=True),
        sa.Column("skills", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("memory_scope", sa.String(length=20), server_default="org", nullable=False),
        sa.Column("spawn_roles", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("max_steps", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "memory_scope IN ('org', 'project', 'group', 'none')", name=op.f("ck_roles_memory_scope")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_roles_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_roles_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
    )
    op.create_index("uq_roles_org_id_name", "roles", ["org_id", "name"], unique=True)
    op.create_table(
        "groups",
        *_common("groups"),
        sa.Column("project_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("orchestrator", sa.String(length=20), server_default="serial", nullable=False),
        sa.Column("max_rounds", sa.Integer(), server_default="3", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "orchestrator IN ('serial', 'parallel', 'lead_directed')", name=op.f("ck_groups_orchestrator")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_groups_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_groups_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
    )
    op.create_index("uq_groups_org_id_name", "groups", ["org_id", "name"], unique=True)
    op.create_table(
        "group_members",
        *_common("group_members"),
        sa.Column("group_id", sa.String(length=40), nullable=False),
        sa.Column("role_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_lead", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_group_members_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_members_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_group_members_role_id_roles"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
    )
    op.create_index(
        "uq_group_members_group_id_role_id", "group_members", ["group_id", "role_id"], unique=True
    )
    op.create_index(
        "uq_group_members_lead",
        "group_members",
        ["group_id"],
        unique=True,
        postgresql_where=sa.text("is_lead"),
    )
    op.create_index("ix_group_members_role_id", "group_members", ["role_id"])
    op.add_column("runs", sa.Column("parked_attempts", sa.Integer(), server_default="0", nullable=False))
    op.create_index(
        "ix_runs_org_id_role_id",
        "runs",
        ["org_id", sa.text("(config ->> 'role_id')")],
        postgresql_where=sa.text("config ? 'role_id'"),
    )
    op.create_index(
        "ix_runs_org_id_group_id",
        "runs",
        ["org_id", sa.text("(config ->> 'group_id')"), "id"],
        postgresql_where=sa.text("kind = 'group'"),
    )
    for table in TABLES:
        enable_tenant_rls_v1(table)
    op.execute(GRANT_EXISTING)


def downgrade() -> None:
    op.drop_index("ix_runs_org_id_group_id", table_name="runs")
    op.drop_index("ix_runs_org_id_role_id", table_name="runs")
    op.drop_column("runs", "parked_attempts")
    for table in reversed(TABLES):
        disable_tenant_rls_v1(table)
        op.drop_table(table)
