"""`bench tune --decisions --variants`: its captured parts rebuild the ranking search uses,
and every family is scored by held-out projects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import rank_variants
from bench.tune_decisions import _ranks_per_setting

RECORDS = {
    "shop": [
        ("Orders in PostgreSQL", "Order lines need multi-row transactions.", "Use PostgreSQL."),
        ("Cache sessions in Redis", "Sessions are read on every page.", "Use Redis with a TTL."),
        ("REST for the public API", "Partners call us with curl.", "Expose REST, not GraphQL."),
        ("Deploy with Kubernetes", "Three services scale apart.", "Run them on EKS."),
    ],
    "blog": [
        ("Static pages from Markdown", "Posts rarely change.", "Build HTML with Hugo."),
        ("Comments through a third party", "Moderation is costly.", "Embed a hosted service."),
        ("Images on a CDN", "Readers are worldwide.", "Serve images from CloudFront."),
    ],
}
QUESTIONS = {
    "shop": ["PostgreSQL or Redis for orders and sessions?", "do partners use REST on EKS?"],
    "blog": ["are images and posts served by a hosted service?", "is moderation done in Hugo?"],
}


def _data(tmp_path: Path) -> Path:
    questions = []
    for slug, records in RECORDS.items():
        decisions = [
            {
                "id": f"{slug}/{n}",
                "title": title,
                "date": f"2024-01-0{n + 1}",
                "context": context,
                "decision": decision,
                "source": f"https://example.org/{slug}/{n}.md",
            }
            for n, (title, context, decision) in enumerate(records)
        ]
        record = {"project": slug, "decisions": decisions}
        (tmp_path / f"{slug}.json").write_text(json.dumps(record))
        # Each question once per decision as its gold: the gold ranks spell the whole order.
        questions += [
            {"id": f"{slug}-q{i}-{n}", "project": slug, "question": text, "gold": [f"{slug}/{n}"]}
            for i, text in enumerate(QUESTIONS[slug])
            for n in range(len(records))
        ]
    (tmp_path / "questions.json").write_text(json.dumps({"questions": questions}))
    return tmp_path


@pytest.mark.slow
def test_the_captured_parts_rank_as_search_does(tmp_path: Path) -> None:
    data = _data(tmp_path)
    captured = rank_variants.capture(data)
    _, searched = _ranks_per_setting(data)
    today = rank_variants._today(rank_variants.SESSIONLESS)
    for slug, parts in captured.items():
        assert len(parts.ids) == len(RECORDS[slug])
        assert rank_variants._ranks(parts, today) == searched[rank_variants.HYBRID.keyword][slug]


@pytest.mark.slow
def test_every_family_is_reported_held_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rank_variants.variants(_data(tmp_path))
    lines = capsys.readouterr().out.splitlines()
    for family in rank_variants.FAMILIES:
        [row] = [line for line in lines if line.startswith(family)]
        hit1, hit3, mrr = (float(x) for x in row[len(family) :].split()[:3])
        assert 0 <= hit1 <= hit3 <= 1 and 0 <= mrr <= 1
        assert len(row.split("  ")[-1].split(", ")) >= 2  # a choice per held-out project
    assert lines[-1].startswith("best hit@1 of any one setting")
