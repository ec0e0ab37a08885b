"""MADR export and import: the file format, the round trip through real stores, adr-tools files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from memory_service.api.app import open_store
from memory_service.errors import InvalidInput, StateConflict
from memory_service.models import Event, Memory
from memory_service.schemas.adr import AdrFile
from memory_service.schemas.memories import MemoryCreate, MemoryUpdate
from memory_service.services import answers, memories
from memory_service.services.decisions import adr, adr_import, madr
from memory_service.services.history.history import memory_history
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.embedding.embedder import Embedder

REPO = Path(__file__).resolve().parents[2]
MakeStore = Callable[[str], Store]


@pytest.fixture
def make_store(tmp_path: Path, embedder: Embedder) -> Iterator[MakeStore]:
    """Real stores (SQLite + embedded Chroma) in tmp_path, closed after the test."""
    opened: list[Store] = []

    def make(name: str) -> Store:
        store = open_store(Settings(data_dir=tmp_path / name), embedder)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.db.dispose()


def _decide(store: Store, **fields: object) -> Memory:
    body = {
        "project": "shop",
        "agent": "backend-architect",
        "kind": "decision",
        "reasoning": "It fits the team.",
        **fields,
    }
    [made] = memories.remember_many(store, items=[MemoryCreate.model_validate(body)])
    return made.memory


def _seed(store: Store) -> dict[str, Memory]:
    """A decision log as agents write it: MADR fields, tags, a supersession, a retraction."""
    first = _decide(
        store,
        title="Orders live in PostgreSQL",
        content="Orders are stored in PostgreSQL, one table per aggregate.",
        reasoning="Order lines need multi-row transactions.",
        topic="database-schema",
        tags=["orders", "storage"],
        occurred_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        context="Orders change together with their lines.\n\nWe run one region.",
        options=[
            {
                "name": "PostgreSQL",
                "description": "The team's default database.",
                "pros": ["Transactions", "Known to operations"],
                "cons": ["One more server"],
            },
            {"name": "DynamoDB"},
        ],
        outcome="PostgreSQL",
        consequences={"good": ["Multi-row transactions"], "bad": ["Vertical scaling first"]},
        decision_makers=["backend-architect", "dba"],
    )
    second = _decide(
        store,
        title="Orders live in CockroachDB",
        content="Orders move to CockroachDB for multi-region writes.",
        reasoning="A second region opens in May,\nand writes must stay local.",
        topic="database-schema",
        supersedes=first.id,
        occurred_at=datetime(2026, 4, 15, 14, 0, tzinfo=UTC),
    )
    api = _decide(
        store,
        title="REST with cursor pagination | v1",
        content="REST with cursor pagination | v1",
        topic="api-style",
        status="proposed",
        occurred_at=datetime(2026, 4, 1, tzinfo=UTC),
        tags=["api:v1"],
    )
    dropped = _decide(store, title="Use GraphQL", content="GraphQL for everything.")
    memories.retract_memory(store, memory_id=dropped.id)
    return {"first": first, "second": second, "api": api}


def _as_dir(files: list[AdrFile], path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for f in files:
        (path / f.name).write_text(f.content, encoding="utf-8")
    return path


def _files(path: Path) -> list[AdrFile]:
    return [AdrFile(name=p.name, content=p.read_text("utf-8")) for p in sorted(path.glob("*.md"))]


def _event_count(store: Store) -> int:
    with store.db.read() as session:
        return int(session.exec(select(func.count()).select_from(Event)).one())


def test_render_then_parse_gives_the_same_record() -> None:
    record = madr.AdrRecord(
        number=7,
        slug="orders-live-in-postgresql",
        title="Orders live in PostgreSQL",
        status="superseded",
        date=date(2026, 3, 2),
        content="Orders are stored in PostgreSQL.\n\n* one table per aggregate",
        decision_makers=["Jane Doe, PhD", "dba"],
        consulted=["security"],
        informed=["frontend-developer"],
        agent="backend-architect",
        tags=["api:v1", "yes"],
        topic="database-schema",
        memory_id="01JD0000000000000000000000",
        context="Orders change together.\n\n```sql\n## not a heading\n```",
        drivers="* Consistency\n* Cost",
        options_note="Measured on the staging load (p99).",
        options=[
            madr.AdrOption("PostgreSQL", "Default.", ["Transactions\nacross lines"], ["A server"]),
            madr.AdrOption("DynamoDB"),
        ],
        outcome='Use "PostgreSQL"',
        reasoning="Order lines need transactions.\n\nDetails:\n* WAL on",
        consequences_note="Reviewed with the DBA.",
        good=["Multi-row transactions"],
        bad=["Vertical scaling first"],
        confirmation="A load test before launch.",
        more_information="See the capacity plan.",
        supersedes=madr.AdrLink(file="0003-orders-in-files.md", number=3),
        superseded_by=madr.AdrLink(file="0009-orders-in-cockroachdb.md", number=9),
    )
    text = madr.render(record, derived_agent=None, derived_id=None)
    assert text.startswith("---\nstatus: superseded\ndate: 2026-03-02\n")
    assert "Superseded by [0009](0009-orders-in-cockroachdb.md)" in text
    assert 'Chosen option: "Use "PostgreSQL"", because Order lines' in text
    back = madr.parse(record.file_name, text)
    assert back == record
    assert madr.render(back, derived_agent=None, derived_id=None) == text


def test_a_wrapped_because_and_text_among_the_options_are_read() -> None:
    text = (
        "---\nstatus: accepted\n---\n\n# Use X\n\n"
        "## Considered Options\n\nBoth were load-tested.\n\n"
        '* X\n* Y\n\n## Decision Outcome\n\nChosen option: "X",\nbecause it is\nfaster.\n'
    )
    record = madr.parse("0001-use-x.md", text)
    assert record.options_note == "Both were load-tested."
    assert [o.name for o in record.options] == ["X", "Y"]
    assert (record.outcome, record.reasoning) == ("X", "it is\nfaster.")
    assert madr.render(record, derived_agent=None, derived_id=None) == text  # wrap kept
    after = text.replace('"X",\nbecause it', '"X", because\nit')
    assert madr.parse("0001-use-x.md", after).because_break == "after"
    assert madr.render(madr.parse("0001-use-x.md", after), derived_agent=None, derived_id=None) == (
        after
    )


@pytest.mark.parametrize(
    ("written", "reasoning"),
    [
        (
            '"Overlap the model with SQL", together with cheaper stages,\nbecause it is faster.',
            "together with cheaper stages,\nbecause it is faster.",
        ),
        ('"Overlap the model with SQL" because it is faster.', "it is faster."),
        ('"Overlap the model with SQL".\n\nIt is faster.', "It is faster."),
    ],
)
def test_an_outcome_that_goes_on_after_its_chosen_option_keeps_that_option(
    written: str, reasoning: str
) -> None:
    text = (
        "---\nstatus: accepted\n---\n\n# The model works beside SQL\n\n"
        "## Considered Options\n\n* Overlap the model with SQL\n* Run several processes\n\n"
        f"## Decision Outcome\n\nChosen option: {written}\n"
    )
    record = madr.parse("0027-the-model.md", text)
    assert (record.outcome, record.reasoning) == ("Overlap the model with SQL", reasoning)
    rendered = madr.render(record, derived_agent=None, derived_id=None)
    assert rendered.count("Chosen option") == 1
    assert f'Chosen option: "Overlap the model with SQL", because {reasoning}\n' in rendered
    back = madr.parse("0027-the-model.md", rendered)
    assert (back.outcome, back.reasoning) == (record.outcome, record.reasoning)
    assert madr.render(back, derived_agent=None, derived_id=None) == rendered


def test_derived_agent_and_id_are_left_out_of_the_file() -> None:
    record = madr.AdrRecord(
        number=1, slug="x", title="X", agent="dba", decision_makers=["dba"], memory_id="A" * 26
    )
    text = madr.render(record, derived_agent="dba", derived_id="A" * 26)
    assert "agent:" not in text and "memory-id:" not in text
    assert text == (
        "---\nstatus: accepted\ndecision-makers: dba\n---\n\n# X\n\n## Decision Outcome\n\n"
        'Chosen option: "X"\n'
    )


def test_export_import_export_into_a_fresh_store_is_byte_identical(
    make_store: MakeStore, tmp_path: Path
) -> None:
    original = make_store("original")
    seeded = _seed(original)
    exported = adr.export_files(original, project="shop")
    names = [f.name for f in exported]
    assert names == [
        "README.md",
        "0001-orders-live-in-postgresql.md",
        "0002-rest-with-cursor-pagination-v1.md",
        "0003-orders-live-in-cockroachdb.md",
    ]
    by_name = {f.name: f.content for f in exported}
    first = by_name["0001-orders-live-in-postgresql.md"]
    assert "status: superseded" in first and f"memory-id: {seeded['first'].id}" in first
    assert "Superseded by [0003](0003-orders-live-in-cockroachdb.md)" in first
    assert "* Good, because Transactions\n* Good, because Known to operations" in first
    assert "Supersedes [0001](0001-orders-live-in-postgresql.md)" in by_name[names[3]]
    assert (
        "| [0001](0001-orders-live-in-postgresql.md) | Orders live in PostgreSQL | "
        in (by_name["README.md"])
    )
    assert "REST with cursor pagination \\| v1 | proposed |" in by_name["README.md"]

    fresh = make_store("fresh")
    result = adr_import.import_files(fresh, project="shop", files=exported, actor="reviewer")
    assert (result.created, result.updated, result.unchanged, result.skipped) == (3, 0, 0, 1)
    again = adr.export_files(fresh, project="shop")
    assert [(f.name, f.content) for f in again] == [(f.name, f.content) for f in exported]

    copy, _ = answers.get_memory(fresh, memory_id=seeded["first"].id)
    assert copy.status == "superseded" and copy.superseded_by == seeded["second"].id
    assert copy.agent == "backend-architect" and copy.tags == ["orders", "storage"]
    assert copy.options[0]["pros"] == ["Transactions", "Known to operations"]
    assert copy.occurred_at == datetime(2026, 3, 2, tzinfo=UTC)
    assert [e.type for e in memory_history(fresh, memory_id=copy.id)] == ["imported"]


def test_reimporting_the_same_files_changes_nothing(make_store: MakeStore) -> None:
    store = make_store("store")
    _seed(store)
    exported = adr.export_files(store, project="shop")
    events = _event_count(store)
    result = adr_import.import_files(store, project="shop", files=exported, actor="reviewer")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert _event_count(store) == events
    assert adr.export_files(store, project="shop") == exported


def test_an_edited_file_updates_its_decision_as_one_imported_version(
    make_store: MakeStore,
) -> None:
    store = make_store("store")
    seeded = _seed(store)
    files = adr.export_files(store, project="shop")
    name = "0002-rest-with-cursor-pagination-v1.md"
    edited = [
        AdrFile(name=f.name, content=f.content.replace("status: proposed", "status: accepted"))
        if f.name == name
        else f
        for f in files
    ]
    result = adr_import.import_files(store, project="shop", files=edited, actor="reviewer")
    assert [(r.name, r.result) for r in result.files if r.result != "unchanged"] == [
        (name, "updated"),
        ("README.md", "skipped"),
    ]
    history = memory_history(store, memory_id=seeded["api"].id)
    assert [(e.type, e.actor) for e in history] == [
        ("created", "backend-architect"),
        ("imported", "reviewer"),
    ]
    assert history[-1].after and history[-1].after["status"] == "accepted"
    renamed = {f.name for f in adr.export_files(store, project="shop")}
    assert name in renamed  # the file keeps its name: number and slug are pinned


ADR_TOOLS = {
    "0001-record-architecture-decisions.md": """\
        # 1. Record architecture decisions

        Date: 2024-01-10

        ## Status

        Accepted

        ## Context

        We need to record the architectural decisions made on this project.

        ## Decision

        We will use Architecture Decision Records, as described by Michael Nygard.

        ## Consequences

        See Michael Nygard's article, linked above.
        """,
    "0002-use-rabbitmq.md": """\
        # 2. Use RabbitMQ

        Date: 2024-02-01

        ## Status

        Superseded by [3. Use Kafka](0003-use-kafka.md)

        ## Context

        Services need to exchange events.

        ## Decision

        We will use RabbitMQ.

        ## Consequences

        * Good, because the team knows it
        * Bad, because replay is hard
        """,
    "0003-use-kafka.md": """\
        # 3. Use Kafka

        Date: 2024-03-05

        ## Status

        Accepted

        Supersedes [2. Use RabbitMQ](0002-use-rabbitmq.md)

        ## Context

        We need to replay events.

        ## Decision

        We will use Kafka
        for every event stream.

        ## Consequences

        Operations must run a Kafka cluster.
        """,
    "README.md": "# Decisions\n",
}


def test_an_adr_tools_directory_imports_with_statuses_dates_and_links(
    make_store: MakeStore, tmp_path: Path
) -> None:
    folder = tmp_path / "doc" / "adr"
    folder.mkdir(parents=True)
    for name, text in ADR_TOOLS.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    store = make_store("store")
    result = adr_import.import_files(
        store, project="platform", files=_files(folder), actor="architect"
    )
    assert (result.created, result.skipped) == (3, 1)
    ids = {r.number: r.memory_id for r in result.files if r.memory_id}
    with store.db.read() as session:
        rows = session.exec(select(Memory).order_by(col(Memory.occurred_at))).all()
    by_number = {n: next(m for m in rows if m.id == ids[n]) for n in ids}
    first, rabbit, kafka = by_number[1], by_number[2], by_number[3]
    assert first.title == "Record architecture decisions" and first.status == "accepted"
    assert first.content.startswith("We will use Architecture Decision Records")
    assert first.occurred_at == datetime(2024, 1, 10, tzinfo=UTC)
    assert rabbit.status == "superseded" and rabbit.superseded_by == kafka.id
    assert (
        kafka.supersedes == rabbit.id
        and kafka.content == "We will use Kafka\nfor every event stream."
    )
    assert rabbit.consequences == {"good": ["the team knows it"], "bad": ["replay is hard"]}
    assert kafka.meta["adr"]["consequences_note"] == "Operations must run a Kafka cluster."
    assert kafka.context == "We need to replay events." and kafka.agent == "architect"

    exported = adr.export_files(store, project="platform")
    assert [f.name for f in exported][1:] == sorted(n for n in ADR_TOOLS if n != "README.md")
    events = _event_count(store)
    again = adr_import.import_files(store, project="platform", files=exported, actor="architect")
    assert again.unchanged == 3 and _event_count(store) == events
    reimported = adr_import.import_files(
        store, project="platform", files=_files(folder), actor="architect"
    )
    assert reimported.unchanged == 3 and _event_count(store) == events


def test_this_repositorys_decisions_folder_round_trips_byte_for_byte(
    make_store: MakeStore,
) -> None:
    folder = REPO / "decisions"
    files = _files(folder)
    store = make_store("store")
    adr_import.import_files(store, project="agent-memory", files=files, actor="reviewer")
    exported = {f.name: f.content for f in adr.export_files(store, project="agent-memory")}
    on_disk = {f.name: f.content for f in files}
    assert sorted(exported) == sorted(on_disk), "run scripts/normalise-decisions"
    for name, text in on_disk.items():
        assert exported[name] == text, f"{name} is not canonical: run scripts/normalise-decisions"


def test_a_file_that_cannot_be_read_refuses_the_whole_import(make_store: MakeStore) -> None:
    store = make_store("store")
    good = AdrFile(name="0001-a.md", content="---\nstatus: accepted\n---\n\n# A\n")
    bad = AdrFile(name="0002-b.md", content="---\nstatus: maybe\n---\n\n# B\n")
    with pytest.raises(InvalidInput, match=r"0002-b.md: status 'maybe' is not one of"):
        adr_import.import_files(store, project="shop", files=[good, bad], actor="reviewer")
    untitled = AdrFile(name="0003-c.md", content="---\nstatus: accepted\n---\n\nno title\n")
    with pytest.raises(InvalidInput, match="0003-c.md: it has no '# Title' heading"):
        adr_import.import_files(store, project="shop", files=[untitled], actor="reviewer")
    dangling = AdrFile(name="0004-d.md", content="# D\n\nSupersedes [0009](0009-x.md)\n")
    with pytest.raises(InvalidInput, match="0004-d.md: it links to 0009-x.md"):
        adr_import.import_files(store, project="shop", files=[dangling], actor="reviewer")
    with store.db.read() as session:
        assert session.exec(select(Memory)).first() is None  # nothing was written


def test_a_memory_id_of_another_project_is_refused(make_store: MakeStore) -> None:
    store = make_store("store")
    _seed(store)
    files = adr.export_files(store, project="shop")
    with pytest.raises(StateConflict, match="is a decision of project 'shop'"):
        adr_import.import_files(store, project="other", files=files, actor="reviewer")


def test_update_after_import_keeps_the_file_name(make_store: MakeStore) -> None:
    store = make_store("store")
    text = "---\nstatus: accepted\ndate: 2026-01-05\ndecision-makers: dba\n---\n\n# Use WAL\n"
    result = adr_import.import_files(
        store, project="shop", files=[AdrFile(name="0042-wal.md", content=text)], actor="x"
    )
    [row] = result.files
    assert row.memory_id == adr.derived_id("shop", 42)
    memories.update_memory(
        store, memory_id=row.memory_id or "", changes=MemoryUpdate(title="Use WAL mode")
    )
    [index, only] = adr.export_files(store, project="shop")
    assert only.name == "0042-wal.md" and "# Use WAL mode" in only.content
    assert "agent:" not in only.content and "memory-id:" not in only.content
