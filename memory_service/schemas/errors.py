"""The error body every 4xx answer carries, as OpenAPI documents it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable machine-readable code, e.g. 'forbidden'.")
    message: str = Field(description="What went wrong and what to do about it.")
    details: dict[str, Any] = Field(description="Facts about the error (field, limit ...).")


class ErrorResponse(BaseModel):
    """`{"error": {"code", "message", "details"}, "request_id"}`."""

    error: ErrorDetail
    request_id: str | None = Field(
        default=None, description="The request's id, as in its X-Request-ID header."
    )
