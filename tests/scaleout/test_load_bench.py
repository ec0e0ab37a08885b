"""bench/load.py's arithmetic: percentiles and the side-by-side report (not a timing)."""

from __future__ import annotations

import pytest

from bench.load import KINDS, Figures, percentiles, report


def test_percentiles_are_in_milliseconds_and_ordered() -> None:
    samples = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    p50, p95, p99 = percentiles(samples)
    assert (p50, p95, p99) == pytest.approx((50.5, 95.05, 99.01))


def test_report_shows_both_stacks_and_the_ratio_to_the_baseline() -> None:
    base = Figures("embedded", 100.0, 3000, 0, dict.fromkeys(KINDS, (10.0, 20.0, 30.0)))
    other = Figures("scale-out", 150.0, 4500, 0, dict.fromkeys(KINDS, (20.0, 40.0, 60.0)))
    text = report(base, other)
    assert "embedded" in text and "scale-out" in text
    assert "1.50x" in text  # throughput ratio
    assert text.count("2.00x") == len(KINDS)  # each kind's p50 ratio
    assert "20/40/60" in text
