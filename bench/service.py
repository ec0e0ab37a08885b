"""A real `memory-service` process for the benchmarks: free loopback port, temp data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "memory-service"


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    ready_s: float

    def rss_mb(self) -> float:
        """Resident memory of the service process, in MiB (Linux /proc)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line in /proc status")

    def wait_ready(self, timeout: float = 600) -> float:
        """Seconds until /readyz answers 200 (model loaded, a crash's outbox drained)."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"service exited with {self.process.returncode}; see its log")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - start
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"service at {self.url} not ready after {timeout}s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data_dir: Path, log_path: Path, env: dict[str, str]) -> Service:
    port = free_port()
    full_env = {
        **os.environ,
        "MEMORY_DATA_DIR": str(data_dir),
        "MEMORY_PORT": str(port),
        "MEMORY_HOST": "127.0.0.1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **env,
    }
    with open(log_path, "ab") as log:
        started = time.monotonic()
        proc = subprocess.Popen([str(BIN)], env=full_env, stdout=log, stderr=subprocess.STDOUT)
    service = Service(f"http://127.0.0.1:{port}", proc, data_dir, 0.0)
    service.wait_ready()
    service.ready_s = time.monotonic() - started
    return service


def _stop(service: Service) -> None:
    service.process.terminate()
    try:
        service.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()


@contextmanager
def running_service(data_dir: Path | None = None, **env: str) -> Iterator[Service]:
    """A service on a fresh (or the given) data dir, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="agent-memory-bench-") as tmp:
        root = data_dir or Path(tmp) / "data"
        service = _start(root, Path(tmp) / "service.log", env)
        try:
            yield service
        finally:
            _stop(service)


@contextmanager
def restarted(service: Service, **env: str) -> Iterator[Service]:
    """Stop `service` and start another process on the same data dir (for start-up time)."""
    _stop(service)
    again = _start(service.data_dir, service.data_dir.parent / "service.log", env)
    try:
        yield again
    finally:
        _stop(again)
