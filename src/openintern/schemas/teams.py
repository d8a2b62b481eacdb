"""Teams: roles, groups, members, group runs and the blackboard — what clients send and
what the API returns (the seed's "角色和团队" and "黑板协作" paths)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from openintern.schemas.actions import InputText, ModelSettingsIn, RunInput, SessionKey, ToolName
from openintern.schemas.base import ActionModel, CoreModel, Metadata, Name
from openintern.schemas.runs import Usage

Orchestrator = Literal["serial", "parallel", "lead_directed"]
MemoryScope = Literal["org", "project", "group", "none"]
RoleName = Name
MAX_BATCH_DELETE = 100
MAX_MEMBERS = 20  # a group run starts a child run per member turn; more is a workflow, not a team
MAX_ROUNDS = 20


class RoleToolRule(ActionModel):
    pattern: str = Field(min_length=1, max_length=200, description="fnmatch pattern over tool names")
    action: Literal["allow", "block", "require_approval"]
    risk: Literal["low", "medium", "high"] | None = None
    priority: int = Field(0, ge=-1000, le=1000)


class _RoleFields(ActionModel):
    description: str | None = Field(None, max_length=2_000)
    provider: str | None = Field(None, max_length=100, description="Provider id or name; default: the org's.")
    model: str | None = Field(None, max_length=200)
    model_settings: ModelSettingsIn | None = None
    tools: list[ToolName] | None = Field(
        None, max_length=64, description="Tools its runs may use; null: the platform's defaults."
    )
    skills: list[ToolName] | None = Field(None, max_length=64)
    memory_scope: MemoryScope | None = Field(
        None, description="What its runs recall and remember: org, project, group (its group's) or none."
    )
    spawn_roles: list[str] | None = Field(
        None, max_length=32, description="Roles its spawn_agent may start (ids); a cycle is refused."
    )
    max_steps: int | None = Field(None, ge=1, le=1000)
    tool_policies: list[RoleToolRule] | None = Field(
        None, max_length=64, description="Its own tool policy rules (allow / block / require_approval)."
    )


class RoleCreate(_RoleFields):
    name: RoleName
    system_prompt: str = Field(min_length=1, max_length=50_000)
    project_id: str | None = Field(None, max_length=40)


class RoleUpdate(_RoleFields):
    name: RoleName | None = None
    system_prompt: str | None = Field(None, min_length=1, max_length=50_000)


class Role(CoreModel):
    id: str
    name: str
    description: str
    system_prompt: str
    provider: str | None
    model: str | None
    model_settings: dict[str, Any]
    tools: list[str] | None
    skills: list[str]
    memory_scope: MemoryScope
    spawn_roles: list[str]
    max_steps: int | None
    tool_policies: list[RoleToolRule]
    project_id: str | None
    created_at: datetime
    updated_at: datetime


class Stats(CoreModel):
    runs: int
    completed: int
    failed: int
    active: int
    success_rate: float | None = Field(description="completed / finished; null before any run ended.")
    usage: Usage
    last_used_at: datetime | None


class BatchDelete(ActionModel):
    ids: list[str] = Field(min_length=1, max_length=MAX_BATCH_DELETE)


class BatchDeleted(CoreModel):
    deleted: list[str]


class GroupCreate(ActionModel):
    name: Name
    description: str = Field("", max_length=2_000)
    orchestrator: Orchestrator = "serial"
    max_rounds: int = Field(
        3, ge=1, le=MAX_ROUNDS, description="lead_directed: rounds before the lead must decide."
    )
    project_id: str | None = Field(None, max_length=40)


class GroupUpdate(ActionModel):
    name: Name | None = None
    description: str | None = Field(None, max_length=2_000)
    orchestrator: Orchestrator | None = None
    max_rounds: int | None = Field(None, ge=1, le=MAX_ROUNDS)


class GroupMemberCreate(ActionModel):
    role_id: str = Field(min_length=1, max_length=40)
    position: int | None = Field(None, ge=0, le=1000, description="Order in serial runs; last when omitted.")
    is_lead: bool = False


class GroupMemberUpdate(ActionModel):
    role_id: str | None = Field(None, min_length=1, max_length=40)
    position: int | None = Field(None, ge=0, le=1000)
    is_lead: bool | None = None


class GroupMember(CoreModel):
    id: str
    group_id: str
    role_id: str
    role_name: str
    agent_id: str = Field(description="The member's name in events and traces.")
    position: int
    is_lead: bool
    created_at: datetime


class Group(CoreModel):
    id: str
    name: str
    description: str
    orchestrator: Orchestrator
    max_rounds: int
    project_id: str | None
    members: list[GroupMember]
    created_at: datetime
    updated_at: datetime


class GroupRunCreate(ActionModel):
    input: InputText | RunInput = Field(description="The team's task.")
    orchestrator: Orchestrator | None = Field(None, description="This run's (the group's when omitted).")
    session_key: SessionKey | None = None
    max_rounds: int | None = Field(None, ge=1, le=MAX_ROUNDS)
    metadata: Metadata = Field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.input if isinstance(self.input, str) else self.input.text


class BlackboardCreate(ActionModel):
    title: str = Field(min_length=1, max_length=500)
    content: str = Field(min_length=1, max_length=100_000)
    kind: Literal["note", "evidence", "decision", "question"] = "note"
    tags: list[str] | None = Field(None, max_length=32)
    agent_id: str | None = Field(None, max_length=100)

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags and any(not t or len(t) > 100 for t in tags):
            raise ValueError("each tag is 1 to 100 characters")
        return tags


BlackboardKind = Literal["note", "evidence", "decision", "question", "run"]


class BlackboardEntry(CoreModel):
    id: str
    group_id: str
    tier: str
    kind: BlackboardKind = Field(description="run: the entry a group run wrote when it ended.")
    title: str
    content: str
    tags: list[str]
    agent_id: str | None
    run_id: str | None
    created_at: datetime
    score: float | None = Field(None, description="With `q`: how well it matches.")
