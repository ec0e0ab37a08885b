"""Debian's nginx in front of service replicas, configured from deploy/nginx.conf.template.

The template is filled in as the nginx image fills it in for docker-compose.yml (only the
named `${VARIABLE}` blanks; nginx's own `$variables` stay), and runs without root or the
system's configuration: a main file of its own in a temp dir (pid, logs, temp paths there)
includes the filled-in template, as the image's main file includes it from conf.d. The
access log names the replica (or replicas, when nginx retried) behind every request.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = Path(os.environ.get("MEMORY_TEST_NGINX", "/usr/sbin/nginx"))
# Upstream parameters as docker-compose.yml gives its replicas.
REPLICA_PARAMETERS = "max_fails=2 fail_timeout=5s"
MAIN = """worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log notice;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    log_format replicas '$request_method $request_uri $status "$upstream_addr"';
    access_log {root}/access.log replicas;
    include {root}/memory.conf;
}}
"""
LINE = re.compile(r'(\S+) (\S+) (\d+) "([^"]*)"')


def render(template: str, values: dict[str, str]) -> str:
    """The template with each `${NAME}` of `values` filled in, as envsubst does."""
    missing = set(re.findall(r"\$\{([A-Z_]+)\}", template)) - set(values)
    if missing:
        raise ValueError(f"no value for {sorted(missing)}: pass one for every blank")
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)], template)


@dataclass(frozen=True)
class Routed:
    """One line of the access log: a request and the replicas that saw it, in order."""

    method: str
    path: str
    status: int
    replicas: tuple[str, ...]


@dataclass
class Gateway:
    """A running nginx on a free loopback port."""

    process: subprocess.Popen[bytes]
    root: Path
    port: int

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def routed(self, at_least: int = 0, timeout: float = 10) -> list[Routed]:
        """Every request answered so far, from the access log; waits for `at_least` lines,
        since nginx logs a request just after its answer has gone."""
        deadline = time.monotonic() + timeout
        while True:
            lines = (self.root / "access.log").read_text().splitlines()
            if len(lines) >= at_least or time.monotonic() > deadline:
                return [self._parse(line) for line in lines]
            time.sleep(0.02)

    @staticmethod
    def _parse(line: str) -> Routed:
        """One access log line, in the format of MAIN."""
        found = LINE.fullmatch(line)
        assert found, f"an access log line not in the format of MAIN: {line!r}"
        method, path, status, upstreams = found.groups()
        # The replicas tried, in order: "a, b"; " : " would separate internal redirects.
        tried = re.split(r"\s*,\s*|\s+:\s+", upstreams)
        return Routed(
            method,
            path.partition("?")[0],
            int(status),
            tuple(a for a in tried if a not in ("", "-")),
        )

    def stop(self) -> None:
        """Stop nginx once what it holds is answered (SIGQUIT), and remove its temp dir."""
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_gateway(replicas: list[str], timeout: float = 30) -> Gateway:
    """nginx with the repository's template in front of `replicas` (host:port each)."""
    if not NGINX.is_file():
        raise RuntimeError(
            f"nginx not found at {NGINX}: install Debian's (apt-get install -y nginx) or set "
            "MEMORY_TEST_NGINX to its path"
        )
    root = Path(tempfile.mkdtemp(prefix="memory-nginx-"))
    root.chmod(0o755)  # nginx's workers drop root and must reach their temp paths
    port = free_port()
    servers = " ".join(f"server {r} {REPLICA_PARAMETERS};" for r in replicas)
    values = {"MEMORY_REPLICAS": servers, "MEMORY_GATEWAY_LISTEN": f"127.0.0.1:{port}"}
    (root / "memory.conf").write_text(render(TEMPLATE.read_text(), values))
    (root / "nginx.conf").write_text(MAIN.format(root=root))
    command = [str(NGINX), "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"]
    with (root / "nginx.out").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    gateway = Gateway(process, root, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "nginx.out").read_text(errors="replace")
            raise RuntimeError(f"nginx exited with {process.returncode}: {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return gateway
        except OSError:
            time.sleep(0.05)
    gateway.stop()
    raise TimeoutError(f"nginx not listening on {port} after {timeout}s")
