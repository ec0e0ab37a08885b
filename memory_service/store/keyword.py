"""Keyword search in SQL: FTS5 bm25 on SQLite, tsvector and ts_rank on PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from memory_service.models import Memory
from memory_service.store.filters import MemoryFilter, sql_where
from memory_service.store.term_frequencies import weighed_terms

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words so common that matching them only adds noise to bm25.
STOPWORDS = frozenset(
    """a an and are as at be been but by can did do does for from had has have he her his how i
    if in into is it its me my no not of on or our she so than that the their them then there
    these they this to was we were what when where which who whom why will with would you
    your""".split()
)
# Column weights: title, content, reasoning, topic, tags, and project (only a filter).
# A decision's reasoning states the problem a later question asks about in its own words:
# it weighs as much as the content (decisions/0074).
BM25_WEIGHTS = "4.0, 1.0, 1.0, 2.0, 2.0, 0.0"


@dataclass(frozen=True)
class KeywordHit:
    memory_id: str
    bm25: float


def query_terms(query: str) -> list[str]:
    """The query's distinct content words, lowercased, in order."""
    words = (w.lower() for w in _WORD.findall(query))
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS))


def quoted(text: str) -> str:
    # Quoted, so FTS5 syntax in user text (AND, NEAR, "*", ":") stays literal.
    return '"' + text.replace('"', '""') + '"'


def fts5_expression(terms: list[str], projects: tuple[str, ...] | None = None) -> str:
    """Any of the terms; inside the given projects when there are some.

    The project column makes FTS5 score only that project's matches, so a search costs what
    the project holds, not what the store holds (decisions/0025); the SQL filter stays
    exact, since a project name matched as a phrase of words can also match a longer name."""
    match = " OR ".join(quoted(t) for t in terms)
    named = [p for p in projects or () if _WORD.search(p)]
    if not named or len(named) != len(projects or ()):
        return match
    return f"project : ({' OR '.join(quoted(p) for p in named)}) AND ({match})"


def keyword_search(
    session: Session,
    *,
    query: str,
    where: MemoryFilter,
    n: int,
    dialect: str,
    weighed_only: bool = False,
) -> list[KeywordHit]:
    """The best `n` keyword matches of the query under the filter, best first. With
    `weighed_only`, rows are first looked for by the terms bm25 gives a weight
    (store/term_frequencies.py): when `n` rows match those, they are the best `n` (a term
    in most rows adds at most a millionth to a score), found without scoring every row
    such a term matches."""
    terms = query_terms(query)
    if not terms:
        return []
    if dialect == "postgresql":
        return tsvector_search(session, terms=terms, where=where, n=n)
    if weighed_only:
        weighed = weighed_terms(session, terms, [quoted(t) for t in terms])
        if len(weighed) < len(terms):
            hits = _matches(session, terms=weighed, where=where, n=n)
            if len(hits) >= n:
                return hits
    return _matches(session, terms=terms, where=where, n=n)


def _matches(
    session: Session, *, terms: list[str], where: MemoryFilter, n: int
) -> list[KeywordHit]:
    """SQLite: the best `n` rows passing `where` that match any of the terms."""
    scope = (where.project,) if where.project is not None else where.projects
    match = fts5_expression(terms, scope)
    if where.scope_and_status_only() and (scope is None or match.startswith("project :")):
        # Every row the filter would drop is superseded or retracted, a few: rank inside
        # FTS5 first and join only its best rows, unless too few of them pass.
        hits = _fts5_search(session, match=match, where=where, n=n, best_of=2 * n)
        if len(hits) >= n:
            return hits
    return _fts5_search(session, match=match, where=where, n=n, best_of=None)


_FTS = sa.table("memory_fts", sa.column("rowid"))
_RANK: sa.ColumnElement[float] = sa.literal_column(f"bm25(memory_fts, {BM25_WEIGHTS})")


def _fts5_search(
    session: Session, *, match: str, where: MemoryFilter, n: int, best_of: int | None
) -> list[KeywordHit]:
    """The best `n` rows passing `where` of those FTS5 matches (of its best `best_of`)."""
    table = Memory.__table__  # type: ignore[attr-defined]
    matches = sa.literal_column("memory_fts").op("MATCH")(match)
    if best_of is None:
        stmt = (
            sa.select(table.c.id, _RANK.label("rank"))
            .select_from(_FTS.join(table, table.c.pk == _FTS.c.rowid))
            .where(matches, *sql_where(where, "sqlite"))
            .order_by(_RANK)
            .limit(n)
        )
    else:
        best = (
            sa.select(_FTS.c.rowid, _RANK.label("rank"))
            .where(matches)
            .order_by(_RANK)
            .limit(best_of)
            .subquery("best")
        )
        stmt = (
            sa.select(table.c.id, best.c.rank)
            .select_from(best.join(table, table.c.pk == best.c.rowid))
            .where(*sql_where(where, "sqlite"))
            .order_by(best.c.rank)
            .limit(n)
        )
    return [KeywordHit(row.id, float(row.rank)) for row in session.execute(stmt)]


# ts_rank weights for D, C, B, A: reasoning, content, topic and tags, title - the
# proportions of BM25_WEIGHTS, so both stores rank fields alike.
TS_RANK_WEIGHTS: sa.ColumnElement[Any] = sa.literal_column("'{0.25, 0.25, 0.5, 1.0}'::float4[]")
ENGLISH: sa.ColumnElement[Any] = sa.literal_column("'english'::regconfig")


def tsvector_search(
    session: Session, *, terms: list[str], where: MemoryFilter, n: int
) -> list[KeywordHit]:
    """PostgreSQL: any of the terms (stemmed) against the GIN-indexed `search_vector`."""
    m = Memory.__table__.c  # type: ignore[attr-defined]
    # One plainto_tsquery per term, OR-ed: user text never reaches tsquery syntax.
    query: sa.ColumnElement[Any] = sa.func.plainto_tsquery(ENGLISH, terms[0])
    for term in terms[1:]:
        query = query.op("||")(sa.func.plainto_tsquery(ENGLISH, term))
    vector: sa.ColumnElement[Any] = sa.literal_column("memory.search_vector")
    rank = sa.func.ts_rank(TS_RANK_WEIGHTS, vector, query, 1)
    stmt = (
        sa.select(m.id, rank.label("rank"))
        .where(vector.op("@@")(query), *sql_where(where, "postgresql"))
        .order_by(rank.desc(), m.pk.desc())
        .limit(n)
    )
    # Negated so that lower is better, as with FTS5's bm25.
    return [KeywordHit(row.id, -float(row.rank)) for row in session.execute(stmt)]
