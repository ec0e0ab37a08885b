"""The backend-architect persona's whole story over both MCP transports (issue 15).

Three agents, each in a session of its own, use only the persona's wording: tags for
finding and addressing, the older server's argument names (target, observation, limit),
and only the ids a tool gave that agent. Each step names the "Found" point it settles.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest
from mcp import ClientSession

from tests.support.mcp import TRANSPORTS, call, connect, refused
from tests.support.service import service

BA, FE, QA = "backend-architect", "frontend-developer", "qa-engineer"
# Which of `project` and `agent` say who is calling, by tool; the others filter (search's
# `agent` is "only memories by") or take none. Over stdio the session's settings give both.
IDENTITY: dict[str, tuple[str, ...]] = {
    "recall": ("project", "agent"),
    "remember": ("project", "agent"),
    "checkpoint": ("project", "agent"),
    "rollback": ("project", "agent"),
    "handoff": ("project", "agent"),
    "inbox": ("project", "agent"),
    "search": ("project",),
    "list_memories": ("project",),
    "checkpoints": ("project",),
    "supersede": ("agent",),
    "retract": ("agent",),
}
COMPACT_KEYS = {
    "id", "kind", "status", "title", "snippet", "score", "tags",
    "for_agents", "agent", "project", "topic", "date",
}  # fmt: skip


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with service(tmp_path_factory.mktemp("service") / "data") as url:
        yield url


@dataclass
class Member:
    """One agent's MCP session; over HTTP each call names the agent and the project."""

    name: str
    session: ClientSession
    named: dict[str, str]

    def identity(self, tool: str) -> dict[str, str]:
        """The `project` and `agent` arguments this call needs to say who is calling."""
        return {k: v for k, v in self.named.items() if k in IDENTITY.get(tool, ())}

    async def __call__(self, tool: str, **arguments: Any) -> Any:
        return await call(self.session, tool, **self.identity(tool), **arguments)

    async def refused(self, tool: str, **arguments: Any) -> str:
        return await refused(self.session, tool, **self.identity(tool), **arguments)


@asynccontextmanager
async def team(transport: str, url: str, project: str) -> AsyncIterator[dict[str, Member]]:
    """A session per agent: over stdio an `agentmem mcp` with its AGENTMEM_AGENT each."""
    async with AsyncExitStack() as stack:
        members = {}
        for name in (BA, FE, QA):
            session = await stack.enter_async_context(connect(transport, url, project, name))
            named = {} if transport == "stdio" else {"project": project, "agent": name}
            members[name] = Member(name, session, named)
        yield members


def section(markdown: str, title: str) -> str:
    """The body of one `## title` section of a recall ('' when it is absent)."""
    head = f"\n## {title}\n"
    if head not in markdown:
        return ""
    return markdown.split(head, 1)[1].split("\n## ", 1)[0]


def iso_now() -> str:
    """This moment as an ISO time, with a pause either side so no event shares it."""
    time.sleep(0.05)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    return moment


DECISIONS = [
    ("database-schema", "Orders live in PostgreSQL", "Order lines need multi-row transactions."),
    ("api-design", "The orders API is REST with cursor paging", "Clients page large lists."),
    ("auth-strategy", "Auth uses short-lived JWTs", "The API stays stateless behind the LB."),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_backend_architects_story_over_mcp(transport: str, service_url: str) -> None:
    project = f"shop-{transport}"
    mine = [BA, project]

    async def story() -> None:
        async with team(transport, service_url, project) as agents:
            ba, fe, qa = agents[BA], agents[FE], agents[QA]

            # 1. Session start: search for memories tagged with its name and the project.
            # A project nobody has written to yet is refused as a possible misspelling
            # (services/projects.ensure_project), saying it has no memories: nothing to find.
            first = await ba.session.call_tool("search", ba.identity("search") | {"tags": mine})
            if first.is_error:
                assert "has no memories" in first.content[0].text  # type: ignore[union-attr]
            else:
                assert first.structured_content == {"result": []}

            # 2. Each decision, tagged with agent, project and topic, with its reasoning.
            decided: dict[str, str] = {}
            before_auth = ""
            for topic, title, why in DECISIONS:
                if topic == "auth-strategy":
                    before_auth = iso_now()
                made = await ba(
                    "remember", kind="decision", title=title, content=f"{title}.",
                    topic=topic, reasoning=why, tags=[*mine, topic],
                )  # fmt: skip
                assert made["status"] == "accepted" and made["duplicate"] is False
                assert set(made["tags"]) == {*mine, topic}
                decided[topic] = made["id"]
            # Tags filter: a topic tag finds that decision and no other.
            by_topic = await ba("search", tags=[BA, "api-design"])
            assert [h["id"] for h in by_topic] == [decided["api-design"]]

            # 3. A deliverable tagged with the next agent's name, without for_agents ...
            spec = await ba(
                "remember", kind="deliverable", title="Orders API spec",
                content="GET/POST /orders with cursor paging; see openapi.yaml.",
                tags=[FE, "api-spec"], refs=[decided["api-design"]],
            )  # fmt: skip
            assert spec["for_agents"] == []
            # ... reaches that agent when its session starts, by recall and by tag.
            fe_context = await fe("recall")
            assert spec["id"] in section(fe_context, "Deliverables for you")
            assert spec["id"] in {h["id"] for h in await fe("search", tags=[FE])}

            # QA passes: a known-good state. Then the auth decision changes, and QA fails.
            good = await qa("checkpoint", label="qa-passed-sprint-1", known_good=True)
            sessions = await ba(
                "remember", kind="decision", title="Auth uses opaque server-side sessions",
                content="Auth uses opaque server-side sessions.", topic="auth-strategy",
                reasoning="Revocation must be immediate.", supersedes=decided["auth-strategy"],
                tags=[*mine, "auth-strategy"],
            )  # fmt: skip
            report = await qa(
                "remember", kind="handoff", title="QA failed: login returns 500",
                content="Login returns 500 since the switch to server-side sessions.",
                tags=[BA, "qa-failure"], pending=["Fix login"],
            )  # fmt: skip
            # A handoff remembered as a memory tagged with the receiver reaches its inbox.
            inbox = await ba("inbox")
            assert report["id"] in {h["id"] for h in inbox}
            qa_entry = next(h for h in inbox if h["from_agent"] == QA)
            assert qa_entry["to_agent"] == BA and qa_entry["pending"] == ["Fix login"]
            qa_report = qa_entry["id"]
            assert qa_report in section(await ba("recall"), "Open handoffs to you")

            # 4. After the QA failure: find the last known-good state ...
            listed = await ba("checkpoints")
            known_good = next(c for c in listed if c["known_good"])
            assert known_good["id"] == good["id"]
            # ... see what a rollback to it would do (the older name `target`) ...
            dry = await ba("rollback", target=known_good["id"], dry_run=True)
            actions = {c["memory_id"]: c["action"] for c in dry["changes"]}
            assert actions == {sessions["id"]: "retract", decided["auth-strategy"]: "restore"}
            kept = {k["memory_id"]: k for k in dry["kept"]}
            assert kept[qa_report]["why"] == "addressed-to-you" and kept[qa_report]["by"] == [QA]
            assert (await ba("search", tags=mine, topic="auth-strategy"))[0]["id"] == sessions["id"]

            # ... an ISO time is that time, not the last known-good checkpoint ...
            dated = await ba("rollback", target=before_auth, dry_run=True)
            assert dated["target"]["spec"] == before_auth
            assert dated["target"]["seq"] < known_good["seq"]
            dated_actions = {c["memory_id"]: c["action"] for c in dated["changes"]}
            assert dated_actions[decided["auth-strategy"]] == "retract"
            assert decided["database-schema"] not in dated_actions
            assert decided["api-design"] not in dated_actions
            # ... a time ago is understood too (a dry run changes nothing) ...
            ago = await ba("rollback", target="2 hours ago", dry_run=True)
            assert ago["target"]["seq"] <= dated["target"]["seq"] and ago["id"] is None

            # ... and roll back, saying why.
            why = "QA failed: login returns 500 after the switch to server-side sessions"
            rolled = await ba("rollback", target="last-known-good", reason=why)
            assert rolled["reason"] == why and rolled["target"]["seq"] == known_good["seq"]
            assert (await call(ba.session, "get_memory", memory_id=qa_report))["status"] == "open"
            restored = await call(ba.session, "get_memory", memory_id=decided["auth-strategy"])
            assert restored["status"] == "accepted"
            context = await ba("recall")
            assert why in context and "0 changes since" in context
            assert qa_report in section(context, "Open handoffs to you")

            # A later session starts by its tags and finds its decisions as they stand.
            again = await ba("search", tags=mine)
            assert {h["id"] for h in again} == set(decided.values())

            # 5. A handoff summary tagged with the receiving agent's name.
            handed = await ba(
                "remember", kind="handoff", title="Orders API ready for the UI",
                content="The orders API and its spec are ready for the UI.",
                completed=["Orders schema", "Orders API spec"], pending=["Pagination UI"],
                risks=["Auth stays on JWTs until login is fixed"],
                tags=[FE], refs=[spec["id"]],
            )  # fmt: skip
            fe_inbox = await fe("inbox")
            assert handed["id"] in {h["id"] for h in fe_inbox}
            received = next(h for h in fe_inbox if h["id"] == handed["id"])
            assert received["pending"] == ["Pagination UI"] and received["from_agent"] == BA
            assert handed["id"] in section(await fe("recall"), "Open handoffs to you")

    anyio.run(story)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_what_was_found_wrong_is_fixed(transport: str, service_url: str) -> None:
    project = f"found-{transport}"
    mine = [BA, project]

    async def scenario() -> None:
        async with team(transport, service_url, project) as agents:
            ba = agents[BA]

            # Unknown arguments are refused, naming the argument and what to send instead.
            text = await ba.refused("remember", content="Use Redis.", importance=5)
            assert "'importance'" in text and "reasoning" in text
            text = await ba.refused("remember", content="Use Redis.", context="cache")
            assert "'context'" in text and "content" in text
            text = await ba.refused("remember", content="Use Redis.", ttl_seconds=60)
            assert "'ttl_seconds'" in text and "retract" in text
            text = await ba.refused("search", query="redis", explain=True)
            assert "'explain'" in text and "get_memory" in text
            text = await ba.refused("recall", limit=5)
            assert "'limit'" in text and "search" in text
            text = await ba.refused("search", qeury="redis")
            assert "'qeury'" in text and "did you mean 'query'" in text
            text = await ba.refused("rollback", target="last-known-good", to="last-known-good")
            assert "send only 'to'" in text

            # The older server's names work: observation, kind=handoff, limit.
            noted = await ba(
                "remember", observation="The cache layer is Redis 7 in cluster mode.",
                kind="note", tags=[*mine, "caching"], topic="caching",
            )  # fmt: skip
            stored = await call(ba.session, "get_memory", memory_id=noted["id"])
            assert stored["content"] == "The cache layer is Redis 7 in cluster mode."
            # Tags on recall choose its relevant memories.
            cached = await ba("recall", tags=["caching"])
            assert noted["id"] in section(cached, "Relevant memories")
            assert noted["id"] not in await ba("recall", tags=["api-design"])
            for topic, title, why in DECISIONS:
                await ba(
                    "remember", kind="decision", title=title, content=f"{title}.",
                    topic=topic, reasoning=why, tags=[*mine, topic],
                )  # fmt: skip
            assert 1 <= len(await ba("search", query="orders", limit=2)) <= 2

            # A resend with new fields is the author's next version (decisions/0067), not
            # answered as a duplicate.
            same = await ba(
                "remember", observation="The cache layer is Redis 7 in cluster mode.",
                kind="note", tags=[*mine, "caching"], topic="caching",
            )  # fmt: skip
            assert same["duplicate"] is True and same["id"] == noted["id"]
            resend = await ba(
                "remember", content="The cache layer is Redis 7 in cluster mode.",
                kind="note", tags=[*mine, "caching"], topic="infrastructure",
            )  # fmt: skip
            assert resend["duplicate"] is False and resend["id"] == noted["id"]
            versioned = await call(ba.session, "get_memory", memory_id=noted["id"])
            assert versioned["topic"] == "infrastructure" and versioned["version"] == 2

            # A conflict's hint points to what MCP has: supersede, which exists and works.
            old = (await ba("search", tags=[BA, "auth-strategy"]))[0]
            newer = await ba(
                "remember", kind="decision", title="Auth uses opaque sessions",
                content="Auth uses opaque sessions.", topic="auth-strategy",
                reasoning="Immediate revocation.", tags=[*mine, "auth-strategy"],
            )  # fmt: skip
            assert [c["id"] for c in newer["conflicts"]] == [old["id"]]
            hint = newer["hint"] or ""
            assert "MCP: supersede" in hint
            assert "on_conflict" not in hint or "REST callers" in hint
            replaced = await ba("supersede", old=old["id"], new=newer["id"])
            assert replaced["id"] == old["id"] and replaced["status"] == "superseded"
            now = await ba("search", tags=[BA, "auth-strategy"])
            assert [h["id"] for h in now] == [newer["id"]]

            # list_memories exists, filters by tags and pages with next_cursor.
            first = await ba("list_memories", tags=mine, limit=2)
            assert len(first["memories"]) == 2 and first["next_cursor"]
            rest = await ba("list_memories", tags=mine, limit=50, cursor=first["next_cursor"])
            paged = [m["id"] for m in first["memories"] + rest["memories"]]
            assert len(paged) == len(set(paged)) == 4 and rest["next_cursor"] is None
            assert old["id"] not in paged and newer["id"] in paged

            # retract exists: the memory leaves search and the listing.
            gone = await ba("retract", memory_id=noted["id"])
            assert gone["status"] == "retracted"
            assert noted["id"] not in {h["id"] for h in await ba("search", tags=mine)}

            # Compact results: the documented keys only, no bulk of empty fields.
            hits = await ba("search", query="where are orders stored")
            assert hits, "an on-topic query finds the database-schema decision"
            for one in hits:
                assert set(one) == COMPACT_KEYS
                assert len(json.dumps(one)) < 600
            # A relevance floor: an off-topic query returns few or no hits.
            assert len(await ba("search", query="zzzzqqq quantum banana")) <= 1

            # Checkpoints can be listed over MCP.
            await ba("checkpoint", label="found-good", known_good=True)
            assert [c["label"] for c in await ba("checkpoints")] == ["found-good"]

    anyio.run(scenario)


def test_what_remember_tells_an_mcp_caller_to_do_names_tools_it_has(service_url: str) -> None:
    project = "advice"
    me = {"project": project, "agent": BA}
    named: set[str] = set()

    async def scenario() -> None:
        async with connect("http", service_url, None) as session:
            first = await call(
                session, "remember", kind="decision", content="Sessions expire after 1 hour.",
                topic="auth-strategy", reasoning="Short exposure.", **me,
            )  # fmt: skip
            rival = await call(
                session, "remember", kind="decision", content="Sessions expire after 1 day.",
                topic="auth-strategy", reasoning="Fewer logins.", **me,
            )  # fmt: skip
            assert [c["id"] for c in rival["conflicts"]] == [first["id"]]
            # A resend with another topic is its next version, nothing to be told (0067).
            resend = await call(
                session, "remember", kind="decision", content="Sessions expire after 1 hour.",
                topic="session-policy", reasoning="Short exposure.", **me,
            )  # fmt: skip
            assert resend["id"] == first["id"] and resend["duplicate"] is False
            named.update(re.findall(r"MCP: (\w+)", rival["hint"] or ""))
            tools = {t.name for t in (await session.list_tools()).tools}
            assert "supersede" in named and "supersede" in tools
            named.difference_update(tools)

    anyio.run(scenario)
    if named:
        # Outside the task group: an xfail raised inside it would arrive as an error group.
        pytest.xfail(f"bug: remember's resend refusal names MCP tool(s) {sorted(named)} it lacks")
