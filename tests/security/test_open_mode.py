"""Open local mode and tokens, on real `memory-service` processes and the real CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.support.service import BIN, free_port, service


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEMORY_DATA_DIR": str(data_dir)}
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)


def test_starting_beyond_loopback_without_tokens_is_refused_with_how_to_fix(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MEMORY_DATA_DIR": str(tmp_path / "data"),
        "MEMORY_HOST": "0.0.0.0",
        "MEMORY_PORT": str(port),
    }
    ran = subprocess.run([str(BIN)], env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 2
    assert "no access token exists" in ran.stderr
    assert "0.0.0.0" in ran.stderr
    assert "memory-service token create --name admin --role admin" in ran.stderr
    assert "127.0.0.1" in ran.stderr  # the other way out: open local mode
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        listening = True
    except httpx.TransportError:
        listening = False
    assert not listening


def test_open_local_mode_says_so_then_tokens_take_over_without_a_restart(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with service(data) as url:
        log = next(tmp_path.glob("service-*.log")).read_text()
        assert "open local mode" in log
        assert httpx.get(f"{url}/v1/projects").status_code == 200  # open: no token needed

        created = run_cli(data, "token", "create", "--name", "ops", "--role", "admin")
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip()
        assert token.startswith("amt_") and len(token) > 40
        assert "shown only now" in created.stderr

        refused = httpx.get(f"{url}/v1/projects")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "memory-service token create" in refused.json()["error"]["message"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{url}/v1/projects", headers=bearer).status_code == 200

        listed = run_cli(data, "token", "list")
        assert "ops\tadmin" in listed.stdout and token not in listed.stdout
        assert run_cli(data, "token", "revoke", "ops").returncode == 0
        revoked = httpx.get(f"{url}/v1/projects", headers=bearer)
        assert revoked.status_code == 401
        assert "revoked" in revoked.json()["error"]["message"]
        # Revoking the last token does not reopen the service.
        assert httpx.get(f"{url}/v1/projects").status_code == 401
    for path in data.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path  # only its hash is kept


def test_token_commands_refuse_what_makes_no_sense(tmp_path: Path) -> None:
    data = tmp_path / "data"
    no_agent = run_cli(data, "token", "create", "--name", "a", "--role", "agent", "--projects", "x")
    assert no_agent.returncode == 1
    assert "needs --agent" in no_agent.stderr
    no_projects = run_cli(
        data, "token", "create", "--name", "a", "--role", "reviewer", "--agent", "rita"
    )
    assert no_projects.returncode == 1 and "needs --projects" in no_projects.stderr
    bad_role = run_cli(data, "token", "create", "--name", "a", "--role", "root")
    assert bad_role.returncode == 1 and "agent, reviewer, admin" in bad_role.stderr
    made = run_cli(
        data, "token", "create", "--name", "a", "--role", "agent", "--agent", "alice",
        "--projects", "shop,blog",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    again = run_cli(data, "token", "create", "--name", "a", "--role", "admin")
    assert again.returncode == 1 and "exists already" in again.stderr
    assert run_cli(data, "token", "revoke", "nobody").returncode == 1
