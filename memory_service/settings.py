"""Service configuration, read from `MEMORY_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"


def _default_data_dir() -> Path:
    return Path(user_data_dir("agent-memory", appauthor=False))


def default_model_cache_dir() -> Path:
    """Where exported embedding models are kept (shared by every data dir of the user)."""
    override = os.environ.get("MEMORY_MODEL_CACHE_DIR")
    return Path(override) if override else Path(user_cache_dir("agent-memory", appauthor=False))


class Settings(BaseSettings):
    """Everything an operator can set; built once per process by the app factory."""

    model_config = SettingsConfigDict(env_prefix="MEMORY_", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Directory holding the SQLite database and the embedded Chroma index.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the record store; defaults to SQLite in data_dir.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (http://host:port); defaults to embedded Chroma.",
    )
    chroma_collection: str = Field(
        default="memories",
        description="Name prefix of the Chroma collections holding the vectors (one per "
        "project); give each deployment its own when several share one Chroma server.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,490}[A-Za-z0-9]$",
    )
    workers: int = Field(
        default=1,
        ge=1,
        description="Worker processes serving HTTP; more than one needs PostgreSQL "
        "(database_url) and a Chroma server (chroma_url).",
    )
    embedding_model: str = Field(
        default=DEFAULT_MODEL,
        description="Embedding model: the bundled all-MiniLM-L6-v2 or a local model directory.",
    )
    embedding_precision: Literal["int8", "fp32"] = Field(
        default="int8",
        description="Weights of the served model: int8 (quantised per channel, about twice "
        "as fast on CPU) or fp32 (the model as published). Changing it needs a reindex.",
    )
    model_cache_dir: Path = Field(
        default_factory=default_model_cache_dir,
        description="Directory keeping the model exported to ONNX (made on first start).",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8765, description="Port the HTTP server listens on.")
    max_content_bytes: int = Field(
        default=32 * 1024, description="Largest content a single memory may carry, in bytes."
    )
    max_memory_bytes: int = Field(
        default=64 * 1024,
        description="Largest a memory may be in all: every text field and its metadata as "
        "JSON, in bytes (content has its own limit within it).",
    )
    max_batch: int = Field(default=500, description="Most memories one batch request may hold.")
    search_min_score: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="The relevance floor of a search with a query: the least similarity in "
        "meaning (cosine, 0-1) a result needs unless the query's words match it or its "
        "session; a request's min_score overrides it, 0 turns it off.",
    )
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, description="Largest request body accepted, in bytes."
    )
    secrets: Literal["reject", "redact"] = Field(
        default="redact",
        description="What to do with a secret (API key, private key, password in a URL ...) "
        "found in a memory: redact replaces it by a marker, reject refuses the request (422).",
    )
    max_scan_chars: int = Field(
        default=2 * 1024 * 1024,
        ge=1,
        description="Most characters of text one write request may have scanned for secrets "
        "(every memory of a batch counts); over it the request is refused (413).",
    )
    rate_limit: str = Field(
        default="600/minute",
        description="Requests one token may send, as 'N/second|minute|hour' (in-process, "
        "per worker); 'none' turns the limit off.",
    )
    auth_failure_limit: str = Field(
        default="20/minute",
        description="Requests with a wrong token one client address may send, as "
        "'N/second|minute|hour' (in-process, per worker); over it every request from that "
        "address gets 429 until the window moves on. 'none' turns the limit off.",
    )
    metrics: bool = Field(
        default=True,
        description="Record Prometheus metrics and serve them at /metrics (for an admin "
        "token once tokens exist); false records nothing and serves no /metrics.",
    )
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto",
        description="Log lines as JSON objects (json), as readable text (console), or "
        "readable on a terminal and JSON otherwise (auto).",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="The least severe log lines written."
    )
    ui_session_seconds: int = Field(
        default=8 * 3600,
        ge=1,
        description="How long a web UI sign-in lasts, in seconds; sign-out or revoking the "
        "token ends it sooner.",
    )

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "memory.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    fault_injection: str | None = Field(
        default=None,
        description="Testing only: 'crash-after-commit' exits the process between the SQL "
        "commit and the vector-index write, to prove the outbox recovers.",
    )
