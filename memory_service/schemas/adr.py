"""ADR files as the export and import endpoints carry them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from memory_service.schemas.fields import Slug

MAX_FILES = 2000


class AdrFile(BaseModel):
    """One file of a decision-record folder: its name and its markdown text."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=255,
        pattern=r"^[^/\\]+$",
        description="File name without directories, e.g. '0001-use-postgresql.md'.",
    )
    content: str = Field(max_length=1_000_000, description="The file's text (UTF-8 markdown).")


class AdrExport(BaseModel):
    """A project's decisions as MADR files, plus the index file `README.md`."""

    project: str
    files: list[AdrFile]


class AdrImport(BaseModel):
    """Decision files to read into a project; files not named NNNN-slug.md are skipped."""

    model_config = ConfigDict(extra="forbid")

    files: list[AdrFile] = Field(max_length=MAX_FILES)
    actor: Slug | None = Field(
        default=None,
        description="Who imports (default: the token's agent, else 'adr-import'); also the "
        "author of files that name neither an agent nor decision makers.",
    )


class AdrFileResult(BaseModel):
    name: str
    result: Literal["created", "updated", "unchanged", "skipped"]
    memory_id: str | None = None
    number: int | None = None


class AdrImportResult(BaseModel):
    """What the import did, file by file; re-importing the same files changes nothing."""

    project: str
    created: int
    updated: int
    unchanged: int
    skipped: int
    files: list[AdrFileResult]
