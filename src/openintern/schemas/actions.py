"""What clients send (strict: ``extra="forbid"``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from openintern.schemas.base import ActionModel, Name, Password, Slug, Username

RoleName = Literal["owner", "admin", "member", "viewer"]


class LoginRequest(ActionModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class OrgCreate(ActionModel):
    name: Name
    slug: Slug | None = None


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
    role: RoleName = Field("member", description="Highest role the key acts with (never above its creator's).")


class ApiKeyUpdate(ActionModel):
    status: Literal["active", "disabled"]
