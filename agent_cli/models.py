"""Where the client reads a response more tolerantly than the service's own model.

The client reads and writes with the service's public models (`memory_service.schemas`,
decisions/0034). A response model that refuses unknown fields gets a tolerant subclass
here, so that a newer service's extra fields are ignored rather than refused.
"""

from __future__ import annotations

from pydantic import ConfigDict

from memory_service.schemas.adr import AdrExport, AdrFile


class ExportedAdrFile(AdrFile):
    """An exported decision file; `AdrFile` forbids extra fields because it is also a request."""

    model_config = ConfigDict(extra="ignore")


class ExportedAdrs(AdrExport):
    """GET /v1/projects/{project}/adr, read with tolerant files."""

    files: list[ExportedAdrFile]  # type: ignore[assignment]
