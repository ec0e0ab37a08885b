"""The embedding scheme: is a text's vector its own, how close to the published model, how fast.

    python -m bench embedding [--texts 400] [--save F.npy | --compare F.npy]

Compares, in one run on the same texts (LoCoMo turns when the data file is given, else the
synthetic corpus, plus batch-mates of random unicode and code):

- `served`: the service's embedder (one unpadded text per run, a runner per core);
- `padded batches`: the same int8 graph run the way it was before decisions/0033, in
  length-sorted padded batches of 32 on all cores;
- `fp32`: the published weights, one text per run (the reference for closeness).

For each: the largest cosine distance between a text embedded alone and inside a batch of
64, the smallest and mean cosine to the published vectors, texts per second over a batch,
and one query's median milliseconds.

`--save` writes the served vectors of a fixed set of texts; `--compare` reads such a file
(written on another CPU, or under `qemu-x86_64 -cpu EPYC` for AVX2 without VNNI) and prints
the largest cosine distance between the two machines' vectors of each text.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bench import corpus

Vectors = np.ndarray


def batch_mates(count: int, seed: int = 7) -> list[str]:
    """Random unicode and code snippets of mixed lengths."""
    rng = random.Random(seed)
    mates = []
    for i in range(count):
        if i % 2:
            mates.append(
                "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 400)))
            )
        else:
            mates.append(f"def f{i}(rows):\n    return {{k: v for k, v in rows}}  # " + "x" * i * 5)
    return mates


def sample_texts(count: int, data: Path | None) -> list[str]:
    if data is not None:
        from bench.locomo_data import load

        turns = [t for conv in load(data) for t in conv.turns]
        return [f"{t.speaker}: {t.content}" for t in turns[:count]]
    return [m["content"] for m in corpus.memories(0, count)]


def _session(graph: Path, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def _feed(encodings: list[Any]) -> dict[str, np.ndarray]:
    return {
        name: np.array([getattr(e, attr) for e in encodings], dtype=np.int64)
        for name, attr in (
            ("input_ids", "ids"),
            ("attention_mask", "attention_mask"),
            ("token_type_ids", "type_ids"),
        )
    }


def padded_runner(graph: Path, tokenizer: Any) -> Callable[[list[str]], Vectors]:
    """The pre-0033 way: length-sorted batches of 32, padded, one session on every core."""
    session = _session(graph, os.cpu_count() or 1)

    def run(texts: list[str]) -> Vectors:
        tokenizer.enable_padding()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            out[chunk] = session.run(
                None, _feed(tokenizer.encode_batch([texts[i] for i in chunk]))
            )[0]
        return out

    return run


def one_text_runner(graph: Path, tokenizer: Any) -> Callable[[list[str]], Vectors]:
    """Another graph served as the service serves its own: one unpadded text per run."""
    session = _session(graph, 1)
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)

    def one(text: str) -> Vectors:
        tokenizer.no_padding()
        return session.run(None, _feed([tokenizer.encode(text)]))[0][0]

    def run(texts: list[str]) -> Vectors:
        return np.stack(list(pool.map(one, texts)))

    return run


def full_range_int8(fp32_graph: Path, out: Path) -> Path:
    """The published weights quantised to full 8-bit range (ADR 0022's weights)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(fp32_graph, out, weight_type=QuantType.QInt8, per_channel=True)
    return out


def measure(embed: Callable[[list[str]], Vectors], texts: list[str], reference: Vectors) -> dict:
    mates = batch_mates(63)
    alone = embed(texts[:64])
    in_batch = np.stack([embed([*mates[:i], t, *mates[i:]])[i] for i, t in enumerate(texts[:8])])
    cosines = (alone * reference[:64]).sum(axis=1)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        embed(texts)
        runs.append(len(texts) / (time.perf_counter() - start))
    query_ms = []
    for text in texts[:50]:
        start = time.perf_counter()
        embed([text])
        query_ms.append((time.perf_counter() - start) * 1000)
    return {
        "alone vs in a batch (max cos distance)": float(1 - (alone[:8] * in_batch).sum(1).min()),
        "cos to published (min)": float(cosines.min()),
        "cos to published (mean)": float(cosines.mean()),
        "texts/s over a batch (median of 3)": statistics.median(runs),
        "one text, ms (p50)": statistics.median(query_ms),
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench embedding", description=__doc__)
    parser.add_argument("--texts", type=int, default=400)
    parser.add_argument("--data", type=Path, default=None, help="LoCoMo's locomo10.json")
    parser.add_argument("--save", type=Path, help="write the served vectors of fixed texts")
    parser.add_argument("--compare", type=Path, help="compare with vectors saved elsewhere")
    args = parser.parse_args(argv)

    from memory_service.store.embedding.embedder import Embedder

    served = Embedder()
    fixed = [m["content"] for m in corpus.memories(0, 24)] + batch_mates(8, seed=3)
    if args.save or args.compare:
        vectors = np.array([served.embed_query(t) for t in fixed], dtype=np.float32)
        if args.save:
            np.save(args.save, vectors)
            print(f"saved {len(fixed)} vectors of {served.model_id} to {args.save}")
        else:
            other = np.load(args.compare)
            distance = 1 - (vectors * other).sum(axis=1)
            print(
                f"{served.model_id}: largest cosine distance between the two machines' "
                f"vectors of {len(fixed)} texts: {distance.max():.2e}"
            )
        return

    texts = sample_texts(args.texts, args.data)
    from tokenizers import Tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        published = Embedder(precision="fp32", cache_dir=Path(tmp))
        reference = np.array(published.embed(texts[:64]), dtype=np.float32)
        [fp32_graph] = Path(tmp).glob("*fp32*/model.onnx")
        int8_graph = served.graph
        tokenizer = Tokenizer.from_file(str(int8_graph.parent / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=256)
        eight_bit = full_range_int8(fp32_graph, Path(tmp) / "int8-full-range.onnx")
        schemes: dict[str, Callable[[list[str]], Vectors]] = {
            "served: int8 (7-bit weights), one text per run": lambda ts: np.array(served.embed(ts)),
            "int8 (8-bit weights), one text per run": one_text_runner(eight_bit, tokenizer),
            "int8 (7-bit weights), padded batches": padded_runner(int8_graph, tokenizer),
            "fp32, one text per run": lambda ts: np.array(published.embed(ts)),
        }
        results = {name: measure(fn, texts, reference) for name, fn in schemes.items()}
    rows = list(next(iter(results.values())))
    print(f"{len(texts)} texts, {os.cpu_count()} cores\n")
    print("| | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for row in rows:
        cells = [results[name][row] for name in results]
        shown = [
            f"{c:.2e}" if "distance" in row else f"{c:.4f}" if "cos" in row else f"{c:.1f}"
            for c in cells
        ]
        print(f"| {row} | " + " | ".join(shown) + " |")
    floor = results[next(iter(results))]["texts/s over a batch (median of 3)"]
    for name, figures in results.items():
        ratio = figures["texts/s over a batch (median of 3)"] / floor
        print(f"{name}: throughput {ratio:.2f}x served")
