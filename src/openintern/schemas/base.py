"""Shared bases and constrained types for the contracts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,100}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]
Limit = Annotated[int, Field(ge=1, le=500)]
Metadata = Annotated[dict[str, Any], Field(max_length=64)]
ProviderKind = Literal["openai", "anthropic", "gemini"]
"""An LLM provider's wire protocol: openai (and every compatible server), anthropic, gemini
(Google's OpenAI-compatible endpoint by default). `db/orm/runs.py::PROVIDER_KINDS` is the
same list for the table's CHECK constraint."""


class ActionModel(BaseModel):
    """What clients send: unknown fields are a 422 naming the field, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CoreModel(BaseModel):
    """Domain objects as the API returns them."""

    model_config = ConfigDict(from_attributes=True)


Cursor = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")]
