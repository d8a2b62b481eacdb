"""Runs (the table is also the queue), their event log, checkpoints and approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, query_expression

from openintern.db.orm.base import ID, Base, created_at, tenant_table

RUN_STATUSES = ("pending", "queued", "running", "waiting", "completed", "failed", "cancelled")
RUN_KINDS = ("agent", "group", "workflow", "external")
WAIT_REASONS = ("approval", "children", "input")
PROVIDER_KINDS = ("openai", "anthropic", "gemini")  # schemas.base.ProviderKind; migration 0016


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


@tenant_table
class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        CheckConstraint(_in("kind", RUN_KINDS), name="kind"),
        CheckConstraint(_in("wait_reason", WAIT_REASONS), name="wait_reason"),
        # The claim scans only queued rows, oldest first within a priority (queue.CLAIM).
        Index("ix_runs_claim", "priority", "id", postgresql_where=text("status = 'queued'")),
        # The reclaim scans only running rows by lease expiry (queue.CLAIM, second branch).
        Index("ix_runs_lease", "lease_expires_at", postgresql_where=text("status = 'running'")),
        Index("ix_runs_org_id_id", "org_id", "id"),
        Index("ix_runs_org_id_session_key_id", "org_id", "session_key", "id"),
        # A role's and a group's stats and history (teams): runs that name them in config.
        Index(
            "ix_runs_org_id_role_id",
            "org_id",
            text("(config ->> 'role_id')"),
            postgresql_where=text("config ? 'role_id'"),
        ),
        Index(
            "ix_runs_org_id_group_id",
            "org_id",
            text("(config ->> 'group_id')"),
            "id",
            postgresql_where=text("kind = 'group'"),
        ),
        Index("ix_runs_parent_run_id", "parent_run_id", postgresql_where=text("parent_run_id IS NOT NULL")),
        Index(
            "uq_runs_org_id_idempotency_key",
            "org_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id", ondelete="SET NULL"))
    user_id: Mapped[str | None] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    session_key: Mapped[str | None] = mapped_column(String(200))
    parent_run_id: Mapped[str | None] = mapped_column(ID, ForeignKey("runs.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(String(100), server_default="main")
    input: Mapped[dict[str, Any]]
    output: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    run_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}")
    usage: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    steps: Mapped[int] = mapped_column(Integer, server_default="0")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, server_default="0")
    attempt: Mapped[int] = mapped_column(Integer, server_default="0")
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(Boolean, server_default="false")
    last_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")
    parked_attempts: Mapped[int] = mapped_column(Integer, server_default="0")  # attempt when it last parked
    depth: Mapped[int] = mapped_column(Integer, server_default="0")  # 0: top level; a child: parent's + 1
    wait_reason: Mapped[str | None] = mapped_column(String(20))  # why `waiting`: approval | children | input
    created_at: Mapped[datetime] = created_at()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


@tenant_table
class RunEvent(Base):
    """The append-only log: ``seq`` is gap-free from 1 per run (one writer holds the lease)."""

    __tablename__ = "run_events"

    run_id: Mapped[str] = mapped_column(ID, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID)
    ts: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(60))
    agent_id: Mapped[str] = mapped_column(String(100))
    step: Mapped[int | None] = mapped_column(Integer)
    span_id: Mapped[str | None] = mapped_column(String(40))
    parent_span_id: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]


@tenant_table
class Checkpoint(Base):
    __tablename__ = "checkpoints"

    run_id: Mapped[str] = mapped_column(ID, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID)
    state: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = created_at()


@tenant_table
class Approval(Base):
    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(_in("status", ("pending", "approved", "rejected")), name="status"),
        Index("ix_approvals_org_id_status_id", "org_id", "status", "id"),
        Index("uq_approvals_run_id_tool_call_id", "run_id", "tool_call_id", unique=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID)
    project_id: Mapped[str | None] = mapped_column(ID)
    run_id: Mapped[str] = mapped_column(ID, ForeignKey("runs.id", ondelete="CASCADE"))
    tool_call_id: Mapped[str] = mapped_column(String(100))
    tool_name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]]
    risk: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = created_at()
    decided_at: Mapped[datetime | None]


@tenant_table
class ToolPolicyRule(Base):
    __tablename__ = "tool_policies"
    __table_args__ = (
        CheckConstraint(_in("action", ("allow", "block", "require_approval")), name="action"),
        CheckConstraint("risk IS NULL OR " + _in("risk", ("low", "medium", "high")), name="risk"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id", ondelete="CASCADE"))
    role_id: Mapped[str | None] = mapped_column(ID)
    pattern: Mapped[str] = mapped_column(String(200))
    risk: Mapped[str | None] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = created_at()


@tenant_table
class Provider(Base):
    """An org's LLM provider; the API key is encrypted at rest (auth.crypto.SecretBox)."""

    __tablename__ = "providers"
    __table_args__ = (
        CheckConstraint(_in("kind", PROVIDER_KINDS), name="kind"),
        Index("uq_providers_org_id_name", "org_id", "name", unique=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(200))
    api_key_encrypted: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = created_at()
    # Not a column: the org's orgs.allow_private_base_urls, filled in by the read that loads
    # a run's providers (providers/choice.py::org_providers, a join in the same statement);
    # None when a query did not ask for it, which the chooser treats as "refuse".
    org_allows_private_base_urls: Mapped[bool | None] = query_expression()
