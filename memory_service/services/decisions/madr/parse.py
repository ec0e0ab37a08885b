"""Reading MADR 4 (canonical or not), Nygard and adr-tools files into records."""

from __future__ import annotations

import re
from datetime import date, datetime

import yaml

from memory_service.services.decisions.madr.record import (
    BAD,
    FILE_RE,
    GOOD,
    AdrFormatError,
    AdrLink,
    AdrOption,
    AdrRecord,
    clean_text,
    heading,
)
from memory_service.services.decisions.madr.sections import (
    H2,
    MARKDOWN,
    OUTCOME_H3,
    note_text,
    scan_items,
    section_key,
    sorted_items,
    split_sections,
)

LINK_RE = re.compile(
    r"^(?P<kind>Superseded by|Supersedes):? \[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)\s*$"
)
# ", because" may be wrapped onto the next line in hand-written files.
CHOSEN_RE = re.compile(
    r'^Chosen option: "(?P<outcome>.*?)"(?:,(?P<before>\s+)because(?P<after>\s)(?P<reason>.*))?$',
    re.S,
)
# A text that names its option as MADR does but goes on otherwise (`"X", together with Y,
# because Z`, `"X" because Z`, `"X".`): X is still the outcome, and the rest is its
# reasoning, so that the canonical `Chosen option: "X", because` never wraps a second one.
CHOSEN_LEAD_RE = re.compile(
    r'^Chosen option: "(?P<outcome>[^"\n]*)"[\s,.;:]*(?:because\s+)?(?P<reason>.*)$', re.S
)
ADR_NUMBER_RE = re.compile(r"(?:ADR-?)?(\d{1,6})", re.I)
STATUS_WORDS = {
    "accepted": "accepted",
    "approved": "accepted",
    "proposed": "proposed",
    "draft": "proposed",
    "rejected": "rejected",
    "deprecated": "deprecated",
    "superseded": "superseded",
}


def _front(text: str) -> tuple[dict[str, object], str]:
    match = re.match(r"---[ \t]*\n(.*?)^---[ \t]*(?:\n|\Z)", text, re.S | re.M)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise AdrFormatError(f"its front matter is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise AdrFormatError("its front matter must be 'key: value' lines")
    return {str(k).lower(): v for k, v in data.items()}, text[match.end() :]


def _people(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [s for s in (" ".join(str(i).split()) for i in items if i is not None) if s]


def _date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise AdrFormatError(f"date {value!r} is not a date: write it as YYYY-MM-DD") from exc


def _target(text: str) -> AdrLink:
    """The ADR a status or link names: `[x](0002-y.md)`, `ADR-0002` or `0002`."""
    link = re.search(r"\]\(([^)\s]+)\)", text)
    if link:
        target = link.group(1).rsplit("/", 1)[-1]
        numbered = FILE_RE.match(target)
        return AdrLink(file=target, number=int(numbered["number"]) if numbered else None)
    number = ADR_NUMBER_RE.search(text)
    return AdrLink(number=int(number.group(1)) if number else None)


def _status_word(text: str) -> str:
    word = section_key(text)
    if word.startswith("superseded"):
        return "superseded"
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    raise AdrFormatError(
        f"status {text!r} is not one of proposed, accepted, rejected, deprecated, superseded"
    )


def _text(value: object) -> str | None:
    return None if value is None else clean_text(str(value))


def _title(body: str) -> tuple[str, str]:
    """The first top-level `# Title` and the text after it."""
    tokens = MARKDOWN.parse(body)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.tag == "h1" and token.map:
            return tokens[i + 1].content, "\n".join(body.split("\n")[token.map[1] :])
    raise AdrFormatError("it has no '# Title' heading: start the body with '# <title>'")


def _preamble(text: str, record: AdrRecord) -> str | None:
    """Leading link and `Date:` lines under the title go to the record; the rest is content."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        link = LINK_RE.match(line)
        nygard_date = re.match(r"^Date:\s*(\S+)\s*$", line)
        if not line:
            i += 1
        elif link and (i + 1 == len(lines) or not lines[i + 1].strip()):
            target = _target(line)
            if link["kind"] == "Supersedes":
                record.supersedes = target
            else:
                record.superseded_by = target
            i += 1
        elif nygard_date and (i + 1 == len(lines) or not lines[i + 1].strip()):
            record.date = record.date or _date(nygard_date.group(1))
            i += 1
        else:
            break
    return clean_text("\n".join(lines[i:]))


def _status_section(text: str, record: AdrRecord) -> list[str]:
    """Nygard's `## Status`: a status word and links; other lines are returned to keep."""
    kept, word = [], None
    for line in (raw.strip() for raw in text.split("\n")):
        link = LINK_RE.match(line)
        if not line:
            continue
        if link and link["kind"] == "Supersedes":
            record.supersedes = _target(line)
        elif link or section_key(line).startswith("superseded by"):
            record.superseded_by = _target(line)
            word = word or "superseded"
        elif word is None and re.fullmatch(r"[A-Za-z]+", line):
            word = _status_word(line)
        else:
            kept.append(line)
    record.status = word or record.status
    return kept


def _options(record: AdrRecord, listed: str | None, details: str | None) -> None:
    other: list[str] = []
    for part in scan_items(listed or ""):
        if isinstance(part, str):
            other.append(part)
        elif clean_text(part.text):
            record.options.append(AdrOption(name=clean_text(part.text) or ""))
    record.options_note = note_text(other)
    by_name = {section_key(o.name): o for o in record.options}
    for name, text in split_sections(details or "", 3, None)[1:]:
        option = by_name.get(section_key(name))
        if option is None:
            option = AdrOption(name=heading(name))
            record.options.append(option)
            by_name[section_key(name)] = option
        option.description, option.pros, option.cons = sorted_items(text, (GOOD, BAD))


def _outcome(record: AdrRecord, text: str) -> None:
    lead, *subsections = split_sections(text, 3, OUTCOME_H3)
    main = clean_text(lead[1])
    chosen = CHOSEN_RE.match(main or "")
    if chosen:
        record.outcome = clean_text(chosen["outcome"])
        record.reasoning = clean_text(chosen["reason"])
        if record.reasoning and "\n" in (chosen["before"] or ""):
            record.because_break = "before"
        elif record.reasoning and chosen["after"] == "\n":
            record.because_break = "after"
    elif opening := CHOSEN_LEAD_RE.match(main or ""):
        record.outcome = clean_text(opening["outcome"])
        record.reasoning = clean_text(opening["reason"])
    else:
        record.reasoning = main
    notes = []
    for name, body in subsections:
        key = section_key(name)
        if key == "confirmation":
            record.confirmation = clean_text(body)
            continue
        note, good, bad = sorted_items(body, (GOOD, BAD))
        if key == "positive consequences":
            note, plain, _ = sorted_items(body, ("", "\0"))
            good = plain
        elif key == "negative consequences":
            note, plain, _ = sorted_items(body, ("", "\0"))
            bad = plain
        record.good += good
        record.bad += bad
        notes.append(note)
    record.consequences_note = clean_text("\n\n".join(n for n in notes if n))


def parse(name: str, text: str) -> AdrRecord:
    """Read a MADR, Nygard or adr-tools file named `NNNN-slug.md`."""
    named = FILE_RE.match(name)
    if not named:
        raise AdrFormatError("its name is not NNNN-title.md (e.g. 0001-use-postgresql.md)")
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    front, body = _front(text)
    title, rest = _title(body)
    if not front:
        title = re.sub(r"^\d+\.\s+", "", title)  # adr-tools: "# 1. Record decisions"
    record = AdrRecord(number=int(named["number"]), slug=named["slug"], title=heading(title))
    if front.get("status") is not None:
        status = str(front["status"])
        record.status = _status_word(status)
        if record.status == "superseded" and section_key(status) != "superseded":
            record.superseded_by = _target(status)
    record.date = _date(front.get("date"))
    record.decision_makers = _people(front.get("decision-makers"))
    record.consulted = _people(front.get("consulted"))
    record.informed = _people(front.get("informed"))
    record.tags = _people(front.get("tags"))
    record.agent = _text(front.get("agent"))
    record.topic = _text(front.get("topic"))
    record.memory_id = _text(front.get("memory-id"))

    sections: dict[str, list[str]] = {}
    for name_of, section in split_sections(rest, 2, H2):
        sections.setdefault(section_key(name_of), []).append(section)

    def joined(*names: str) -> str | None:
        return clean_text("\n\n".join(s for n in names for s in sections.get(n, [])))

    preamble = _preamble(joined("") or "", record)
    kept = _status_section(joined("status") or "", record)
    record.content = clean_text("\n\n".join(t for t in (preamble, joined("decision")) if t))
    record.context = joined("context and problem statement", "context")
    record.drivers = joined("decision drivers")
    _options(record, joined("considered options"), joined("pros and cons of the options"))
    _outcome(record, joined("decision outcome") or "")
    note, good, bad = sorted_items(joined("consequences"), (GOOD, BAD))
    record.good += good
    record.bad += bad
    record.consequences_note = clean_text(
        "\n\n".join(t for t in (record.consequences_note, note) if t)
    )
    record.more_information = clean_text(
        "\n\n".join(t for t in (joined("more information"), "\n".join(kept)) if t)
    )
    return record
