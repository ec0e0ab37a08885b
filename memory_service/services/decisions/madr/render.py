"""Writing the canonical MADR 4 file of a decision, and the index of a folder of them."""

from __future__ import annotations

import json
import re

import yaml

from memory_service.services.decisions.madr.record import BAD, GOOD, AdrLink, AdrRecord, heading

BECAUSE = {"before": ",\nbecause ", "after": ", because\n"}


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly `value`: plain when safe, else quoted."""
    if value and value == value.strip() and "\n" not in value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _names(values: list[str]) -> str:
    """People as MADR writes them (`a, b`); a flow list when a name holds a comma."""
    if any("," in v for v in values):
        return _flow(values)
    text = ", ".join(values)
    return text if _scalar(text) == text else _flow(values)


def _flow(values: list[str]) -> str:
    """A YAML flow list; items that would not read back as themselves are quoted."""
    items = []
    for v in values:
        plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/ -]*", v) is not None
        items.append(v if plain and yaml.safe_load(f"[{v}]") == [v] else json.dumps(v))
    return "[" + ", ".join(items) + "]"


def _item(prefix: str, text: str) -> str:
    """A bullet whose further lines are indented two spaces (blank lines stay empty)."""
    first, *rest = text.split("\n")
    return "\n".join([f"* {prefix}{first}", *(f"  {line}" if line else "" for line in rest)])


def _link(label: str, link: AdrLink | None) -> str | None:
    if link is None or link.file is None:
        return None
    number = f"{link.number:04d}" if link.number is not None else link.file
    return f"{label} [{number}]({link.file})"


def render(record: AdrRecord, *, derived_agent: str | None, derived_id: str | None) -> str:
    """The canonical MADR 4 file of a record.

    `agent` and `memory-id` are left out when they equal what an import would derive
    (`derived_agent`, `derived_id`), so hand-written files need neither.
    """
    front = [f"status: {record.status}"]
    if record.date is not None:
        front.append(f"date: {record.date.isoformat()}")
    for key, people in (
        ("decision-makers", record.decision_makers),
        ("consulted", record.consulted),
        ("informed", record.informed),
    ):
        if people:
            front.append(f"{key}: {_names(people)}")
    if record.agent and record.agent != derived_agent:
        front.append(f"agent: {_scalar(record.agent)}")
    if record.tags:
        front.append(f"tags: {_flow(record.tags)}")
    if record.topic:
        front.append(f"topic: {_scalar(record.topic)}")
    if record.memory_id and record.memory_id != derived_id:
        front.append(f"memory-id: {_scalar(record.memory_id)}")

    blocks: list[str | None] = ["---\n" + "\n".join(front) + "\n---", f"# {heading(record.title)}"]
    blocks.append(_link("Superseded by", record.superseded_by))
    blocks.append(_link("Supersedes", record.supersedes))
    if record.content and record.content != heading(record.title):
        blocks.append(record.content)
    if record.context:
        blocks += ["## Context and Problem Statement", record.context]
    if record.drivers:
        blocks += ["## Decision Drivers", record.drivers]
    if record.options or record.options_note:
        blocks += ["## Considered Options", record.options_note]
        blocks.append("\n".join(_item("", o.name) for o in record.options))
    chosen = f'Chosen option: "{record.outcome or heading(record.title)}"'
    because = BECAUSE.get(record.because_break or "", ", because ")
    blocks += [
        "## Decision Outcome",
        chosen + (f"{because}{record.reasoning}" if record.reasoning else ""),
    ]
    if record.consequences_note or record.good or record.bad:
        blocks += ["### Consequences", record.consequences_note]
        blocks.append(_bullets(record.good, record.bad))
    if record.confirmation:
        blocks += ["### Confirmation", record.confirmation]
    detailed = [o for o in record.options if o.description or o.pros or o.cons]
    if detailed:
        blocks.append("## Pros and Cons of the Options")
        for option in detailed:
            blocks += [f"### {heading(option.name)}", option.description]
            blocks.append(_bullets(option.pros, option.cons))
    if record.more_information:
        blocks += ["## More Information", record.more_information]
    return "\n\n".join(b for b in blocks if b) + "\n"


def _bullets(good: list[str], bad: list[str]) -> str | None:
    lines = [_item(GOOD, g) for g in good] + [_item(BAD, b) for b in bad]
    return "\n".join(lines) or None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_index(records: list[AdrRecord]) -> str:
    """The index file (README.md): every decision with its status and date, by number."""
    lines = [
        "# Architecture Decision Records",
        "",
        "Written by `agentmem adr export`; edit the decision files, not this list.",
        "",
        "| ADR | Title | Status | Date |",
        "| --- | --- | --- | --- |",
    ]
    for r in sorted(records, key=lambda r: r.number):
        status = r.status
        if r.superseded_by is not None and r.superseded_by.file:
            status += " by " + (_link("", r.superseded_by) or "").strip()
        when = r.date.isoformat() if r.date else ""
        lines.append(f"| [{r.number:04d}]({r.file_name}) | {_cell(r.title)} | {status} | {when} |")
    return "\n".join(lines) + "\n"
