"""Teams: roles (an agent's configuration with a name), groups and their members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from openintern.db.orm.base import ID, Base, created_at, tenant_table

ORCHESTRATORS = ("serial", "parallel", "lead_directed")
MEMORY_SCOPES = ("org", "project", "group", "none")


@tenant_table
class Role(Base):
    """What a member agent is: its prompt, model, tools and memory scope. Its own tool
    policy rules are `tool_policies` rows with its ``role_id``."""

    __tablename__ = "roles"
    __table_args__ = (
        Index("uq_roles_org_id_name", "org_id", "name", unique=True),
        CheckConstraint("memory_scope IN ('org', 'project', 'group', 'none')", name="memory_scope"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, server_default="")
    system_prompt: Mapped[str] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    model_settings: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    tools: Mapped[list[str] | None] = mapped_column(JSONB)  # None: the platform's default tools
    skills: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    memory_scope: Mapped[str] = mapped_column(String(20), server_default="org")
    spawn_roles: Mapped[list[str]] = mapped_column(
        JSONB, server_default="[]"
    )  # roles its spawn_agent may start
    max_steps: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@tenant_table
class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (
        Index("uq_groups_org_id_name", "org_id", "name", unique=True),
        CheckConstraint("orchestrator IN ('serial', 'parallel', 'lead_directed')", name="orchestrator"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, server_default="")
    orchestrator: Mapped[str] = mapped_column(String(20), server_default="serial")
    max_rounds: Mapped[int] = mapped_column(Integer, server_default="3")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@tenant_table
class GroupMember(Base):
    """A role's seat in a group. The role cannot be deleted while it has one (RESTRICT);
    a group has at most one lead."""

    __tablename__ = "group_members"
    __table_args__ = (
        Index("uq_group_members_group_id_role_id", "group_id", "role_id", unique=True),
        Index("uq_group_members_lead", "group_id", unique=True, postgresql_where=text("is_lead")),
        Index("ix_group_members_role_id", "role_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("orgs.id", ondelete="CASCADE"))
    group_id: Mapped[str] = mapped_column(ID, ForeignKey("groups.id", ondelete="CASCADE"))
    role_id: Mapped[str] = mapped_column(ID, ForeignKey("roles.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    is_lead: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = created_at()
