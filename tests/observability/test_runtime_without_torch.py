"""The service runs on ONNX Runtime alone: serving, searching and scraping never import
torch or sentence-transformers (the runtime image has neither, decisions/0069)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# A fresh interpreter: the test process itself may have imported torch for other tests.
PROBE = """
import json, sys
from fastapi.testclient import TestClient
from memory_service.api.app import create_app
from memory_service.settings import Settings

app = create_app(Settings(data_dir=sys.argv[1]))
with TestClient(app, base_url="http://localhost") as client:
    body = {"project": "shop", "agent": "qa", "kind": "note",
            "content": "Serving needs ONNX Runtime and the tokenizer, nothing more."}
    assert client.post("/v1/memories", json=body).status_code == 201
    found = client.post("/v1/search", json={"query": "what does serving need", "project": "shop"})
    assert found.status_code == 200 and found.json()["results"]
    assert client.get("/metrics").status_code == 200
loaded = {name.split(".")[0] for name in sys.modules}
print(json.dumps(sorted(loaded & set(sys.argv[2].split()))))
"""
EXPORTER_ONLY = "torch sentence_transformers transformers onnx"


def test_serving_a_remember_and_a_search_imports_no_torch(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "data"), EXPORTER_ONLY],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == []
