"""`memory-service` refuses to start on settings or a model cache it cannot serve, with the
line that says what to change or run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from memory_service.store.embedding.embedder import Embedder
from memory_service.store.embedding.onnx_export import ModelCacheMismatch
from tests.support.service import BIN


def test_an_unknown_embedding_precision_is_refused_with_the_accepted_values(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "MEMORY_DATA_DIR": str(tmp_path), "MEMORY_EMBEDDING_PRECISION": "int4"}
    done = subprocess.run(
        [str(BIN), "--port", "0"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: MEMORY_EMBEDDING_PRECISION='int4' is refused: Input should be 'int8' or 'fp32'"
    ]


def test_a_cached_export_of_another_scheme_is_refused_with_the_rebuild_command(
    tmp_path: Path, published_embedder: Embedder
) -> None:
    [made] = [p for p in published_embedder.cache_dir.iterdir() if p.is_dir()]
    copy = tmp_path / "models" / made.name
    shutil.copytree(made, copy)
    meta = json.loads((copy / "export.json").read_text())
    meta["scheme"] = "dynamic int8: activations per batch"
    (copy / "export.json").write_text(json.dumps(meta))
    with pytest.raises(ModelCacheMismatch, match=r"run `memory-service prepare-model --rebuild`"):
        Embedder(precision="fp32", cache_dir=tmp_path / "models")
    rebuilt = Embedder(precision="fp32", cache_dir=tmp_path / "models", rebuild=True)
    assert rebuilt.embed(["same text"]) == published_embedder.embed(["same text"])
