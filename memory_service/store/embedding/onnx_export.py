"""The embedding model as an ONNX graph: exported once from the sentence-transformers model,
kept in a cache directory, and served by ONNX Runtime without torch (see decisions/0022).

The exported graph takes token ids and returns the sentence embedding, pooled and normalised
exactly as the sentence-transformers model does. With `precision="int8"` its weights are then
quantised per channel (dynamic quantisation: activations are quantised at each run, over
the run's own values; decisions/0033 makes every run one text).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Precision = Literal["int8", "fp32"]
PRECISIONS: tuple[Precision, ...] = ("int8", "fp32")
# Bump when the exported graph changes shape or meaning: caches keyed by it are rebuilt.
EXPORT_FORMAT = 2
# How each precision is made from the published weights, recorded in every export and
# checked when it is loaded: vectors of one scheme must never be served as another's.
SCHEMES: dict[Precision, str] = {
    "int8": "dynamic int8: weights per channel, 7-bit range; activations uint8 per run",
    "fp32": "published fp32 weights",
}


class ModelCacheMismatch(RuntimeError):
    """The model cache holds an export made by another scheme than the one served."""


INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_EXPORTING = threading.Lock()


@dataclass(frozen=True)
class ExportedModel:
    """A ready-to-serve export: graph, tokenizer and what the runtime needs to know."""

    directory: Path
    inputs: tuple[str, ...]
    max_seq_length: int
    dimension: int

    @property
    def graph(self) -> Path:
        return self.directory / "model.onnx"

    @property
    def tokenizer(self) -> Path:
        return self.directory / "tokenizer.json"


def fingerprint(model_dir: Path, precision: Precision) -> str:
    """Identifies the source model files (names, sizes, times) and the export settings."""
    digest = hashlib.sha256(f"{EXPORT_FORMAT}\0{precision}\0{SCHEMES[precision]}".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        rel = path.relative_to(model_dir).as_posix()
        digest.update(f"\0{rel}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _load(directory: Path, precision: Precision) -> ExportedModel:
    meta = json.loads((directory / "export.json").read_text())
    if meta.get("scheme") != SCHEMES[precision]:
        raise ModelCacheMismatch(
            f"the model export in {directory} was made by another quantisation scheme "
            f"({meta.get('scheme') or 'unrecorded'!r}) than this service serves at "
            f"{precision} ({SCHEMES[precision]!r}): run `memory-service prepare-model "
            "--rebuild` to make it again"
        )
    return ExportedModel(
        directory=directory,
        inputs=tuple(meta["inputs"]),
        max_seq_length=int(meta["max_seq_length"]),
        dimension=int(meta["dimension"]),
    )


def exported(
    model_dir: Path, name: str, cache_dir: Path, precision: Precision, *, rebuild: bool = False
) -> ExportedModel:
    """The export of `model_dir` at `precision`, made now if the cache does not hold it
    (or, with `rebuild`, made again whatever it holds)."""
    if precision not in SCHEMES:
        raise ValueError(f"unknown precision {precision!r}: choose one of {', '.join(SCHEMES)}")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[-60:] or "model"
    target = cache_dir / f"{slug}-{precision}-{fingerprint(model_dir, precision)}"
    if rebuild:
        with _EXPORTING:
            shutil.rmtree(target, ignore_errors=True)
    if (target / "export.json").is_file():
        return _load(target, precision)
    # torch's exporter keeps global state: one export at a time in a process.
    with _EXPORTING:
        if (target / "export.json").is_file():
            return _load(target, precision)
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Built beside the target and renamed into place: another process starting up
        # either sees a complete export or none, and two exporters race to one result.
        scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=cache_dir))
        try:
            _export(model_dir, scratch, precision)
            try:
                os.rename(scratch, target)
            except OSError:
                if not (target / "export.json").is_file():
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return _load(target, precision)


def _export(model_dir: Path, out: Path, precision: Precision) -> None:
    # Heavy imports stay here: serving an existing export needs neither torch nor onnx.
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.eval()
    sample = model.preprocess(["an example sentence", "another one"])
    inputs = tuple(name for name in INPUTS if name in sample)
    graph = _SentenceGraph(model, inputs)
    fp32 = out / ("model.onnx" if precision == "fp32" else "model-fp32.onnx")
    with torch.inference_mode(), warnings.catch_warnings():
        # The tracer warns about Python branches on shapes; each is constant for BERT-style
        # models given an attention mask (tests/store/test_embedder.py checks the result).
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            tuple(sample[name] for name in inputs),
            str(fp32),
            input_names=list(inputs),
            output_names=["sentence_embedding"],
            dynamic_axes={
                **{name: {0: "batch", 1: "tokens"} for name in inputs},
                "sentence_embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # 7-bit weights: a uint8 activation times a weight, summed in pairs, then fits the
        # 16-bit accumulators of the AVX2 kernels without VNNI, so no CPU saturates.
        quantize_dynamic(
            fp32,
            out / "model.onnx",
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
        )
        fp32.unlink()
    model.tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    dimension, max_length = model.get_embedding_dimension(), model.max_seq_length
    if not dimension or not max_length:
        raise ValueError(f"{model_dir} does not say its embedding dimension and token window")
    meta = {
        "source": model_dir.name,
        "precision": precision,
        "scheme": SCHEMES[precision],
        "inputs": list(inputs),
        "max_seq_length": max_length,
        "dimension": dimension,
    }
    (out / "export.json").write_text(json.dumps(meta, indent=2))


def _SentenceGraph(model: Any, inputs: tuple[str, ...]) -> Any:  # noqa: N802 - a module factory
    """The model's forward pass from token tensors to a unit-length sentence embedding."""
    import torch

    class SentenceGraph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            features = dict(zip(inputs, tensors, strict=True))
            embedding = self.model(features)["sentence_embedding"]
            return torch.nn.functional.normalize(embedding, p=2.0, dim=1)

    return SentenceGraph()
