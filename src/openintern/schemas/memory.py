"""Memory: what clients send (actions, strict) and what the API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from openintern.schemas.base import ActionModel, CoreModel, Metadata

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: a 422, not a 500
Tier = Literal["core", "episodic", "archival"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NO_NUL)]
Content = Annotated[str, StringConstraints(min_length=1, max_length=1_000_000, pattern=NO_NUL)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)]
Tags = Annotated[list[Tag], Field(max_length=50)]
ShortId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)
]
SessionKey = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
SearchText = Annotated[str, StringConstraints(min_length=1, max_length=4_000, pattern=NO_NUL)]
Importance = Annotated[float, Field(ge=0, le=1)]


class MemoryCreate(ActionModel):
    tier: Tier = "archival"
    title: Title
    content: Content = Field(description="Up to 1,000,000 characters; core memories at most 2,000.")
    tags: Tags | None = None
    metadata: Metadata | None = None
    group_id: ShortId | None = None
    agent_id: ShortId | None = Field(
        None, description="Core memories with an agent id are that agent's only."
    )
    session_key: SessionKey | None = None
    importance: Importance | None = Field(None, description="0..1; 0.5 when omitted.")


class MemoryUpdate(ActionModel):
    tier: Tier | None = None
    title: Title | None = None
    content: Content | None = None
    tags: Tags | None = None
    metadata: Metadata | None = None
    group_id: ShortId | None = None
    agent_id: ShortId | None = None
    session_key: SessionKey | None = None
    importance: Importance | None = None


class MemorySearchFilters(ActionModel):
    tags: Tags | None = Field(None, description="Memories carrying any of these tags.")
    group_id: ShortId | None = None
    agent_id: ShortId | None = None
    session_key: SessionKey | None = None
    project_id: ShortId | None = Field(None, description="Only this project's memories.")
    created_after: datetime | None = None
    created_before: datetime | None = None


class MemorySearch(ActionModel):
    query: SearchText
    tiers: Annotated[list[Tier], Field(max_length=3)] | None = None
    filters: MemorySearchFilters | None = None
    top_k: Annotated[int, Field(ge=1, le=100)] = 10
    mode: Literal["hybrid", "vector", "text"] = Field(
        "hybrid", description="`vector` or `text` runs one half of hybrid search only."
    )


class MinerUIngest(ActionModel):
    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$", max_length=2_000)]
    tier: Tier = "archival"
    title: Title | None = None
    tags: Tags | None = None


class Memory(CoreModel):
    id: str
    tier: Tier
    title: str
    content: str
    tags: list[str]
    metadata: dict[str, Any]
    importance: float
    source: str | None
    group_id: str | None
    agent_id: str | None
    session_key: str | None
    project_id: str | None
    run_id: str | None
    created_at: datetime
    updated_at: datetime | None
    chunks: int = Field(description="How many chunks the memory is indexed as.")


class MemoryScores(CoreModel):
    vector: float | None = Field(
        description="Cosine similarity of the best chunk (null: not in the vector top-N)."
    )
    text: float | None = Field(description="ts_rank_cd of the best chunk (null: no keyword match).")
    rrf: float | None = Field(description="Reciprocal-rank fusion of the two (k=60).")


class MemorySearchResult(CoreModel):
    memory_id: str
    title: str
    tier: Tier
    snippet: str = Field(description="HTML-escaped text of the best chunk; matches in <b>…</b>.")
    score: float
    scores: MemoryScores
    tags: list[str] = Field(default_factory=list)
    created_at: datetime | None = None


class MemorySearchResponse(CoreModel):
    results: list[MemorySearchResult]


class IngestItem(CoreModel):
    memory_id: str
    filename: str
    chunks: int
    status: Literal["created", "unchanged", "replaced"]


class IngestResponse(CoreModel):
    items: list[IngestItem]
