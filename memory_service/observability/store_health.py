"""Facts about the stores that change without a request: the outbox (memories whose
vector-index entry lags their SQL row) and the model the index was built with.

The outbox gauges are computed when Prometheus scrapes, from SQL, so every replica and
worker reports the same truth, and a stalled drain shows as a growing lag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlmodel import func, select

from memory_service.models import IndexState, Outbox
from memory_service.store import Store
from memory_service.store.db import Database


@dataclass(frozen=True)
class Backlog:
    """The outbox now: how many rows, and how long the oldest has waited."""

    depth: int
    lag_seconds: float


def outbox_backlog(db: Database) -> Backlog:
    """The outbox's depth and index lag (seconds since its oldest change; 0 when empty)."""
    with db.read() as session:
        depth, oldest = session.exec(select(func.count(), func.min(Outbox.created_at))).one()
    if not depth or oldest is None:
        return Backlog(0, 0.0)
    # The column's type hands back an aware UTC instant on every database.
    return Backlog(int(depth), max(0.0, (datetime.now(UTC) - oldest).total_seconds()))


def index_model(db: Database) -> dict[str, str]:
    """What the vector index records of the model that built it (empty before first use)."""
    with db.read() as session:
        return {row.key: row.value for row in session.exec(select(IndexState))}


class StoreGauges(Collector):
    """The outbox depth and index lag of `store`, read at each scrape."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterable[Metric]:
        """The two gauges, read from SQL now."""
        backlog = outbox_backlog(self.store.db)
        yield GaugeMetricFamily(
            "agent_memory_outbox_depth",
            "Memories whose vector-index entry lags their SQL row (outbox rows).",
            value=backlog.depth,
        )
        yield GaugeMetricFamily(
            "agent_memory_index_lag_seconds",
            "Seconds since the oldest change the vector index has not caught up with "
            "(0: caught up).",
            value=backlog.lag_seconds,
        )
