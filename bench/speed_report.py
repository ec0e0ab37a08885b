"""The speed benchmark's table: each figure beside the bare model's, as a ratio."""

from __future__ import annotations

from typing import Any

from bench.metrics_cost import report_rows
from bench.scaleout import WORKERS, stage_rows


def _single_row(name: str, single: dict[str, float], floor: dict[str, float]) -> tuple[str, ...]:
    # Indexed throughput (until the outbox emptied) against the model; acknowledged beside.
    return (
        name,
        f"{single['per_s']:.0f} memories/s indexed "
        f"({single.get('acknowledged_per_s', 0):.0f}/s answered, "
        f"p50 {single['p50_ms']:.0f} ms)",
        f"{single['per_s'] / floor['batched_per_s']:.2f} of model",
    )


def report(r: dict[str, Any]) -> str:
    """The figures and their ratios to the bare model, as a plain-text table."""
    floor = r["floor"]
    q50 = floor["query_ms_p50"]
    rows = [
        ("bare model: batched embedding", f"{floor['batched_per_s']:.0f} texts/s", "1.00 (floor)"),
        ("bare model: one query embedding", f"{q50:.1f} ms", "1.00 (floor)"),
        (
            "batch remember (500 per request)",
            f"{r['batch_per_s']:.0f} memories/s",
            f"{r['batch_per_s'] / floor['batched_per_s']:.2f} of model",
        ),
        _single_row(f"single remember, {r['clients']} clients", r["single_remember"], floor),
        _single_row(
            f"single remember, {r['clients']} clients, own sessions",
            r["single_remember_own"],
            floor,
        ),
    ]
    for name, key in (("search", "search"), ("search, repeated", "search_cached")):
        s = r[key]
        rows.append(
            (
                f"{name} p50/p95/p99",
                f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} ms",
                f"p50 = {s['p50'] / q50:.1f} x model",
            )
        )
    s = r["recall"]
    rows.append(
        (
            "recall p50/p95/p99",
            f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} ms",
            f"p50 = {s['p50'] / q50:.1f} x model",
        )
    )
    rows.append(
        (
            "ready after start: empty / filled",
            f"{r['ready_empty_s']:.1f} / {r['ready_filled_s']:.1f} s",
            "",
        )
    )
    rows.append(("service resident memory (RSS)", f"{r['rss_mb']:.0f} MiB", ""))
    if "metrics_cost" in r:
        rows += report_rows(r["metrics_cost"])
    if "stages" in r:
        rows += stage_rows(r["stages"], q50)
    where = (
        f"PostgreSQL + Chroma server, {WORKERS} workers"
        if r.get("stack") == "scaleout"
        else "one service process"
    )
    head = f"speed at {r['memories']} memories (HTTP on loopback, {where})"
    width = max(len(n) for n, _, _ in rows)
    return "\n".join([head, ""] + [f"{n:{width}}  {v:34}  {x}" for n, v, x in rows])
