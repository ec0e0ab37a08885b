"""Search: the request with its filters, and ranked results with their score parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from memory_service.schemas.fields import Kind, Slug, Tags, Topic, UTCTime
from memory_service.schemas.memories import MemoryPublic


class SearchRequest(BaseModel):
    """A hybrid (vector + keyword) search; an empty query lists by recency."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(default="", max_length=4000, description="What to look for.")
    project: Slug | None = None
    agent: Slug | None = None
    kinds: list[Kind] = Field(default_factory=list)
    tags_all: Tags = Field(default_factory=list, description="Every one of these tags.")
    tags_any: Tags = Field(default_factory=list, description="At least one of these tags.")
    topic: Topic = None
    for_agent: Slug | None = Field(default=None, description="Meant for this agent.")
    since: UTCTime | None = Field(default=None, description="occurred_at at or after.")
    until: UTCTime | None = Field(default=None, description="occurred_at at or before.")
    include_superseded: bool = Field(
        default=False, description="Also return superseded decisions (marked as such)."
    )
    as_of: str | None = Field(
        default=None,
        max_length=64,
        description="An event sequence or ISO time: search the store as it stood then.",
    )
    k: int = Field(default=10, ge=1, le=100, description="How many results.")
    min_score: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Least similarity in meaning (cosine, 0-1) a result needs unless the "
        "query's words match it; the service's floor (MEMORY_SEARCH_MIN_SCORE) if absent, "
        "0 for every candidate. An off-topic query then returns few results or none.",
    )
    explain: bool = Field(default=False, description="Show each part of the score.")
    mode: Literal["hybrid", "vector", "keyword"] = Field(
        default="hybrid",
        description="hybrid: vector similarity, keyword relevance and a same-session lift; "
        "vector or keyword: that ranking alone (to compare, or for exact-word lookups).",
    )


class ScoreExplain(BaseModel):
    vector_rank: int | None
    vector_distance: float | None = Field(description="Cosine distance (1 - similarity).")
    keyword_rank: int | None
    keyword_bm25: float | None = Field(description="Raw keyword score; lower is better.")
    vector_part: float
    keyword_part: float
    session_part: float = Field(
        default=0.0, description="Lift from a better keyword match in the same session."
    )
    neighbour_part: float = Field(
        default=0.0,
        description="Lift from the memory written just before or after it in its session.",
    )
    fused: float


class SearchResult(BaseModel):
    memory: MemoryPublic
    score: float
    explain: ScoreExplain | None = None


class SearchResponse(BaseModel):
    results: list[SearchResult]
