"""Domain objects as the API returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from openintern.schemas.base import CoreModel

RoleName = Literal["owner", "admin", "member", "viewer"]


class Org(CoreModel):
    id: str
    name: str
    slug: str
    allow_private_base_urls: bool = Field(
        description=(
            "Whether this org's providers may point at private, loopback or link-local addresses; "
            "the platform's llm.allow_private_base_urls false forbids them whatever this says."
        )
    )
    created_at: datetime


class OrgMembership(CoreModel):
    id: str
    name: str
    slug: str
    role: RoleName


class Project(CoreModel):
    id: str
    org_id: str
    name: str
    slug: str
    description: str
    created_at: datetime


class UserPublic(CoreModel):
    id: str
    username: str
    display_name: str


class Member(CoreModel):
    user_id: str
    username: str
    display_name: str
    role: RoleName
    created_at: datetime


class ApiKey(CoreModel):
    id: str
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    status: Literal["active", "disabled", "revoked"]
    role: RoleName
    project_id: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class AuditEntry(CoreModel):
    id: int
    ts: datetime
    org_id: str
    project_id: str | None
    user_id: str | None
    api_key_id: str | None
    method: str
    path: str
    status: int
    request_id: str
    latency_ms: float
