"""Which query terms the SQLite keyword ranking weighs at all.

FTS5's bm25 gives a term an inverse document frequency of log((N - n + 0.5) / (n + 0.5)),
floored at 1e-6: a term found in more than half of the N rows adds nothing to any score,
yet every row it matches is scored. In a store where most memories say "changed" or
"service", such a term made a search score every memory of the project, so its cost grew
with the project rather than with the matches that can rank. The number of rows holding a
term is counted by FTS5 itself and kept for a minute: it drifts slowly, and near the
threshold the term's weight is near zero either way.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict

import sqlalchemy as sa
from sqlmodel import Session

# How long a count stays good, and how many terms are remembered per database.
TTL_S = 60.0
CAPACITY = 10_000

_COUNT = sa.text("SELECT count(*) FROM memory_fts WHERE memory_fts MATCH :term")
_ROWS = sa.text("SELECT count(*) FROM memory")


class _Counts:
    """Rows per term (and in all), with the time each was counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.terms: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self.rows: tuple[int, float] | None = None

    def rows_holding(self, session: Session, term: str, quoted: str, now: float) -> int:
        with self.lock:
            found = self.terms.get(term)
            if found is not None and now - found[1] < TTL_S:
                self.terms.move_to_end(term)
                return found[0]
        count = int(session.execute(_COUNT, {"term": quoted}).scalar_one())
        with self.lock:
            self.terms[term] = (count, now)
            self.terms.move_to_end(term)
            while len(self.terms) > CAPACITY:
                self.terms.popitem(last=False)
        return count

    def all_rows(self, session: Session, now: float) -> int:
        with self.lock:
            if self.rows is not None and now - self.rows[1] < TTL_S:
                return self.rows[0]
        count = int(session.execute(_ROWS).scalar_one())
        with self.lock:
            self.rows = (count, now)
        return count


_BY_ENGINE: weakref.WeakKeyDictionary[sa.Engine, _Counts] = weakref.WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def _counts(session: Session) -> _Counts:
    engine = session.get_bind()
    assert isinstance(engine, sa.Engine)
    with _BY_ENGINE_LOCK:
        return _BY_ENGINE.setdefault(engine, _Counts())


def weighed_terms(session: Session, terms: list[str], quoted: list[str]) -> list[str]:
    """The terms (of `terms`, FTS5-quoted as `quoted`) that bm25 gives a weight: those found
    in at least one row and at most half of them. All of the terms when none is: then every
    score sits on the floor, and their proportions alone rank the matches."""
    if len(terms) < 2:
        return terms
    counts, now = _counts(session), time.monotonic()
    total = counts.all_rows(session, now)
    held = {t: counts.rows_holding(session, t, q, now) for t, q in zip(terms, quoted, strict=True)}
    return [t for t in terms if 0 < held[t] and held[t] * 2 <= total] or terms
