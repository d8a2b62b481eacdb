"""What clients send (strict: ``extra="forbid"``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StringConstraints, field_validator

from openintern.schemas.base import ActionModel, Metadata, Name, Password, ProviderKind, Slug, Username
from openintern.schemas.text import storable

RoleName = Literal["owner", "admin", "member", "viewer"]


class LoginRequest(ActionModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class OrgCreate(ActionModel):
    name: Name
    slug: Slug | None = None


class OrgUpdate(ActionModel):
    """Change the org you act in (admins). An omitted field stays as it is; null is refused."""

    name: Name | None = None
    allow_private_base_urls: StrictBool | None = Field(
        None,
        description=(
            "False: this org's providers may not point at private, loopback or link-local addresses. "
            "True allows them only where the platform does (llm.allow_private_base_urls is the ceiling)."
        ),
    )

    @field_validator("name", "allow_private_base_urls")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted, not null")
        return value


class ProjectCreate(ActionModel):
    name: Name
    slug: Slug | None = None
    description: str = Field("", max_length=2000)


class ProjectUpdate(ActionModel):
    name: Name | None = None
    description: str | None = Field(None, max_length=2000)


class UserCreate(ActionModel):
    username: Username
    password: Password
    display_name: str = Field("", max_length=200)
    role: RoleName = "member"


class MemberUpdate(ActionModel):
    role: RoleName


class ApiKeyCreate(ActionModel):
    name: Name
    project_id: str | None = Field(None, max_length=40, description="Bind the key to one project.")
    role: RoleName = Field(
        "member", description="Highest role the key acts with (never above its creator's)."
    )


class ApiKeyUpdate(ActionModel):
    status: Literal["active", "disabled"]


# --- runs (issue 3) ---

SessionKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@/-]{1,200}$")]
ToolName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]
MAX_INPUT_CHARS = 200_000
"""A run's input and a chat message, whatever their form (~50k tokens); larger inputs
belong in memory or a file. docs/api.md, "Limits", lists every bound."""

InputText = Annotated[str, BeforeValidator(storable), StringConstraints(max_length=MAX_INPUT_CHARS)]
"""Made storable first (NUL and lone surrogates → U+FFFD, `schemas.text`): pydantic cannot
check the length of a string holding a lone surrogate, and PostgreSQL cannot store one."""


class RunInput(ActionModel):
    text: InputText


class ModelSettingsIn(ActionModel):
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, gt=0, le=200_000)
    timeout: float | None = Field(None, gt=0, le=3600)


class AgentConfig(ActionModel):
    """An inline agent: everything optional, falling back to the platform defaults."""

    system_prompt: str | None = Field(None, max_length=50_000)
    model: str | None = Field(None, max_length=200)
    provider: str | None = Field(None, max_length=100, description="Provider id or name; default: the org's.")
    tools: list[ToolName] | None = Field(None, max_length=64)
    max_steps: int | None = Field(None, ge=1, le=1000)
    stream: bool = True
    model_settings: ModelSettingsIn | None = None
    recall: bool | None = Field(
        None, description="Put relevant memories in context first (default: settings)."
    )
    remember: bool | None = Field(
        None, description="Write an episodic summary when done (default: settings)."
    )


class RunCreate(AgentConfig):
    input: InputText | RunInput = Field(
        description=f'The task: a string or OpenRunner\'s {{"text": …}}, at most {MAX_INPUT_CHARS:,} characters.'
    )
    session_key: SessionKey | None = Field(
        None, description="Runs with the same key continue one conversation."
    )
    agent: AgentConfig | None = Field(None, description="Inline agent config (top-level fields override it).")
    agent_id: ToolName = Field("main", description="Name of the agent in events and traces.")
    role_id: str | None = Field(
        None,
        max_length=40,
        description="Run as this role (its prompt, model, tools and tool rules); "
        "the request's own fields override the role's.",
    )
    metadata: Metadata = Field(default_factory=dict)
    org_id: str | None = Field(None, max_length=40, description="Narrowing only: must be the caller's org.")
    project_id: str | None = Field(
        None, max_length=40, description="Narrowing only: a project of the caller's org."
    )

    @property
    def text(self) -> str:
        return self.input if isinstance(self.input, str) else self.input.text


MAX_BATCH_RUNS = 1000


class RunBatchCreate(ActionModel):
    runs: list[RunCreate] = Field(
        min_length=1,
        max_length=MAX_BATCH_RUNS,
        description="Runs created together: all of them or, on any error, none.",
    )


class ChatRequest(ActionModel):
    message: InputText = Field(min_length=1)
    session_key: SessionKey | None = None
    model: str | None = Field(None, max_length=200)
    provider: str | None = Field(None, max_length=100)
    timeout_s: float = Field(300, gt=0, le=3600, description="How long to wait for the answer.")


class ApprovalDecision(ActionModel):
    comment: str | None = Field(None, max_length=5_000)


class ProviderCreate(ActionModel):
    name: Name
    kind: ProviderKind
    model: str = Field(min_length=1, max_length=200)
    base_url: str | None = Field(None, max_length=2_000, pattern=r"^https?://")
    api_key: str | None = Field(None, max_length=2_000)
    is_default: bool = False


class ToolPolicyCreate(ActionModel):
    pattern: str = Field(
        min_length=1, max_length=200, description="fnmatch pattern over tool names, e.g. write_*"
    )
    action: Literal["allow", "block", "require_approval"]
    risk: Literal["low", "medium", "high"] | None = None
    project_id: str | None = Field(None, max_length=40)
    role_id: str | None = Field(None, max_length=40)
    priority: int = Field(0, ge=-1000, le=1000)
