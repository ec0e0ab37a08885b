"""docker-compose.yml and the Dockerfile, checked by parsing (Docker cannot run here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from memory_service.settings import Settings
from tests.support.gateway import render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _env(compose: dict[str, Any]) -> dict[str, str]:
    env: dict[str, str] = compose["services"]["memory"]["environment"]
    # Compose substitutes ${VAR:?message} from the operator's environment.
    return {k: re.sub(r"\$\{[^}]+\}", "secret", str(v)) for k, v in env.items()}


def test_the_service_runs_two_replicas_that_wait_for_healthy_stores(
    compose: dict[str, Any],
) -> None:
    memory = compose["services"]["memory"]
    assert memory["deploy"]["replicas"] == 2
    assert memory["build"] == "." and (ROOT / "Dockerfile").is_file()
    for store in ("postgres", "chroma"):
        assert memory["depends_on"][store]["condition"] == "service_healthy"


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
    memory_check = " ".join(compose["services"]["memory"]["healthcheck"]["test"])
    assert "/healthz" in memory_check


def test_the_stores_keep_their_data_in_named_volumes(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("chroma", "/data")):
        mounts = [v.split(":")[:2] for v in compose["services"][name]["volumes"]]
        assert [source for source, target in mounts if target == path][0] in declared, name


def test_the_environment_wires_the_service_to_postgresql_and_chroma(
    compose: dict[str, Any],
) -> None:
    env = _env(compose)
    assert set(env) <= {f"MEMORY_{f.upper()}" for f in Settings.model_fields}, "unknown setting"
    settings = Settings(**{k.removeprefix("MEMORY_").lower(): v for k, v in env.items()})
    database = urlparse(settings.resolved_database_url)
    assert database.scheme == "postgresql+psycopg" and database.hostname == "postgres"
    assert database.path == "/" + compose["services"]["postgres"]["environment"]["POSTGRES_DB"]
    assert database.username == compose["services"]["postgres"]["environment"]["POSTGRES_USER"]
    chroma = urlparse(settings.chroma_url or "")
    assert (chroma.hostname, chroma.port) == ("chroma", 8000)
    assert settings.host == "0.0.0.0"
    raw = compose["services"]["memory"]["environment"]["MEMORY_DATABASE_URL"]
    assert "${POSTGRES_PASSWORD" in raw, "the password comes from the operator, not the file"


def test_the_gateway_fills_the_repositorys_template_with_every_replica(
    compose: dict[str, Any],
) -> None:
    gateway = compose["services"]["gateway"]
    source, target = next(v.split(":")[:2] for v in gateway["volumes"] if "nginx" in v)
    # The nginx image fills in /etc/nginx/templates/*.template into conf.d at start.
    assert target == "/etc/nginx/templates/default.conf.template"
    text = render((ROOT / source).read_text(), gateway["environment"])
    port = _env(compose)["MEMORY_PORT"]
    assert f"server memory:{port} resolve" in text and f"listen {port};" in text
    assert gateway["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_the_image_installs_cpu_torch_and_runs_the_service() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile and "whl/cpu" in dockerfile
    # Copies from the build context (a copy --from another stage names that stage's files).
    for source in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    assert 'CMD ["memory-service"]' in dockerfile
    assert "USER memory" in dockerfile
