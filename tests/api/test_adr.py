"""GET/POST /v1/projects/{project}/adr: MADR files over HTTP, and the 4xx a bad request gets."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import decision_body, remember


def test_export_then_reimport_over_http_changes_nothing(client: TestClient) -> None:
    first = remember(client, **decision_body(tags=["orders"]))
    remember(
        client,
        **decision_body(
            title="Orders live in CockroachDB",
            content="Orders move to CockroachDB.",
            supersedes=first["id"],
        ),
    )
    exported = client.get("/v1/projects/shop/adr")
    assert exported.status_code == 200, exported.text
    files = exported.json()["files"]
    assert [f["name"] for f in files] == [
        "README.md",
        "0001-use-postgresql-for-orders.md",
        "0002-orders-live-in-cockroachdb.md",
    ]
    assert "Superseded by [0002](0002-orders-live-in-cockroachdb.md)" in files[1]["content"]
    imported = client.post("/v1/projects/shop/adr", json={"files": files, "actor": "reviewer"})
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert (body["created"], body["updated"], body["unchanged"], body["skipped"]) == (0, 0, 2, 1)
    history = client.get(f"/v1/memories/{first['id']}/history").json()["versions"]
    assert [v["event"] for v in history] == ["created", "superseded"]


def test_bad_import_requests_are_4xx_that_say_what_to_fix(client: TestClient) -> None:
    def post(project: str, files: list[dict[str, str]]) -> dict[str, object]:
        response = client.post(f"/v1/projects/{project}/adr", json={"files": files})
        assert 400 <= response.status_code < 500, response.text
        return {"status": response.status_code, **response.json()["error"]}

    bad_status = post("shop", [{"name": "0001-a.md", "content": "---\nstatus: maybe\n---\n# A\n"}])
    assert bad_status["status"] == 422 and bad_status["code"] == "invalid_input"
    assert str(bad_status["message"]).startswith("0001-a.md: status 'maybe' is not one of")
    traversal = post("shop", [{"name": "../0001-a.md", "content": "# A\n"}])
    assert traversal["status"] == 422 and "files.0.name" in str(traversal["message"])
    bad_project = post("Not A Project", [{"name": "0001-a.md", "content": "# A\n"}])
    assert bad_project["status"] == 422 and "is not a slug" in str(bad_project["message"])
    same_number = post(
        "shop",
        [{"name": "0001-a.md", "content": "# A\n"}, {"name": "0001-b.md", "content": "# B\n"}],
    )
    assert same_number["message"] == (
        "0001-a.md and 0001-b.md have the same ADR number 1: give each decision its own"
    )
    malformed = client.post(
        "/v1/projects/shop/adr", content=b"{", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed_json"


def test_export_of_an_unknown_project_is_404(client: TestClient) -> None:
    response = client.get("/v1/projects/nope/adr")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "project_not_found"


def test_a_memory_id_of_another_project_is_409(client: TestClient) -> None:
    remember(client, **decision_body())
    files = client.get("/v1/projects/shop/adr").json()["files"]
    response = client.post("/v1/projects/other/adr", json={"files": files})
    assert response.status_code == 409
    assert (
        "import into that project, or remove the memory-id line"
        in (response.json()["error"]["message"])
    )


ACCEPTED = "---\nstatus: {status}\ndate: 2026-01-0{n}\n---\n\n# {title}\n{links}"


def _adr(n: int, title: str, status: str = "accepted", links: str = "") -> dict[str, str]:
    name = f"000{n}-{title.lower().replace(' ', '-')}.md"
    content = ACCEPTED.format(status=status, n=n, title=title, links=links)
    return {"name": name, "content": content}


def test_an_import_leaving_two_accepted_decisions_in_a_chain_is_refused(
    client: TestClient,
) -> None:
    files = [
        _adr(1, "Use make"),
        _adr(2, "Use just", links="\nSupersedes [0001](0001-use-make.md)\n"),
    ]
    response = client.post("/v1/projects/build/adr", json={"files": files})
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "0002-use-just.md replaces 0001-use-make.md, which is accepted" in error["message"]
    assert "Superseded by [NNNN](file)" in error["message"]
    assert client.get("/v1/projects").json() == []  # nothing was written
    files[0] = _adr(1, "Use make", "superseded", "\nSuperseded by [0002](0002-use-just.md)\n")
    fixed = client.post("/v1/projects/build/adr", json={"files": files})
    assert fixed.status_code == 200, fixed.text


def test_an_import_moving_a_decision_back_to_proposed_is_refused(client: TestClient) -> None:
    decided = remember(client, **decision_body())
    [index, only] = client.get("/v1/projects/shop/adr").json()["files"]
    only["content"] = only["content"].replace("status: accepted", "status: proposed")
    response = client.post("/v1/projects/shop/adr", json={"files": [only]})
    assert response.status_code == 409, response.text
    message = response.json()["error"]["message"]
    assert message.startswith(f"{only['name']}: decision '{decided['id']}' is accepted")
    assert "give the file the status the store holds" in message
    assert client.get(f"/v1/memories/{decided['id']}").json()["status"] == "accepted"


def test_a_candidate_replacement_travels_as_a_proposed_file_that_supersedes(
    client: TestClient,
) -> None:
    current = remember(client, **decision_body())
    remember(
        client,
        **decision_body(
            title="Orders live in CockroachDB",
            content="Orders move to CockroachDB.",
            status="proposed",
            supersedes=current["id"],
        ),
    )
    files = client.get("/v1/projects/shop/adr").json()["files"]
    old, proposal = files[1]["content"], files[2]["content"]
    assert "status: accepted" in old and "Superseded by" not in old
    assert "status: proposed" in proposal
    assert "Supersedes [0001](0001-use-postgresql-for-orders.md)" in proposal
    again = client.post("/v1/projects/shop/adr", json={"files": files}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
