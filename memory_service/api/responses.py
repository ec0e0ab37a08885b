"""JSON responses serialised once, by pydantic.

A sync route that returns a model makes FastAPI validate that model again, on one more
hop to a worker thread, before serialising it. The hot routes (search, recall) return
the JSON bytes instead and keep `response_model` for the OpenAPI document
(decisions/0029).
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_response(model: BaseModel, *, status_code: int = 200) -> Response:
    """The model as a JSON response, exactly as FastAPI would have serialised it."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
