"""Real `memory-service` processes on a free loopback port, on either stack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port

BIN = Path(sys.executable).parent / "memory-service"
# The base URL of in-process clients (TestClient): a service bound to loopback answers only
# to loopback names, and TestClient's own "testserver" is none.
IN_PROCESS_URL = "http://localhost"

__all__ = [
    "BIN",
    "IN_PROCESS_URL",
    "ServiceProcess",
    "free_port",
    "service",
    "start_service",
    "wait_ready",
]


@dataclass
class ServiceProcess:
    """A service started in its own process group (uvicorn's workers included)."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def errors(self, limit: int = 80) -> str:
        """The tracebacks and error lines of the service's log, for a failure message."""
        lines = self.log.read_text(errors="replace").splitlines()
        keep = [i for i, line in enumerate(lines) if "Traceback" in line or "ERROR" in line]
        picked = sorted({j for i in keep for j in range(i, min(i + 30, len(lines)))})
        return "\n".join(lines[j] for j in picked[:limit]) or "(no errors in the log)"

    def kill(self) -> None:
        """SIGKILL the whole group, as a crash or an OOM kill would."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            self.kill()
        # Orphaned workers must not outlive the test.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_service(
    data_dir: Path, *args: str, ready_timeout: float = 120, port: int | None = None, **env: str
) -> ServiceProcess:
    """Start `memory-service ARGS` with MEMORY_* env (on `port`, else a free one) and wait
    until it is ready."""
    port = port or free_port()
    full_env = {**os.environ, "MEMORY_DATA_DIR": str(data_dir), "MEMORY_PORT": str(port), **env}
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"service-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN), *args],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = ServiceProcess(f"http://127.0.0.1:{port}", proc, log)
    try:
        wait_ready(running.url, proc, ready_timeout)
    except BaseException:
        running.kill()
        raise
    return running


@contextmanager
def service(data_dir: Path, *args: str, **env: str) -> Iterator[str]:
    """Start the service, wait until ready, yield its URL, then stop it."""
    running = start_service(data_dir, *args, **env)
    try:
        yield running.url
    finally:
        running.stop()


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"service exited with {proc.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"service at {url} not ready after {timeout}s")
