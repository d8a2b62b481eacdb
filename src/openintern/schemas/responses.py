"""Pages and views the API returns."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from openintern.schemas.core import ApiKey, Org, OrgMembership, Project, RoleName, UserPublic

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class Me(BaseModel):
    user: UserPublic
    org: Org
    role: RoleName
    project: Project | None
    orgs: list[OrgMembership]
    api_key_id: str | None = None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The secret key. Shown once: store it now.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str
    migrations: str


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: e.g. ['body', 'tools', 1].")
    field: str = Field(description="The same as a dotted path: body.tools.1")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every 4xx/5xx answer."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[FieldError] | None = Field(None, description="Field-level problems (validation failures).")
