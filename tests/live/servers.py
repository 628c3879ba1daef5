"""Finding (or starting) the real Jaeger and Zipkin servers the live tests talk to.

Addresses come from ``TRACEWHY_TEST_JAEGER_URL`` / ``TRACEWHY_TEST_ZIPKIN_URL`` or the loopback
defaults that ``.ci/backends.sh`` uses.  When a default server is not answering but its binary is
cached, ``.ci/backends.sh start`` starts it for this session and it is stopped at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
BACKENDS_SH = REPO / ".ci" / "backends.sh"


@dataclass(frozen=True)
class JaegerServer:
    query_url: str  # the query service: api_v3 and v1 (what tracewhy --jaeger takes)
    otlp_url: str  # OTLP/HTTP traces endpoint, for the OpenTelemetry SDK's exporter
    zipkin_ingest_url: str  # Jaeger's own Zipkin receiver (POST /api/v2/spans)


@dataclass(frozen=True)
class ZipkinServer:
    query_url: str  # what tracewhy --zipkin takes
    ingest_url: str  # POST /api/v2/spans


def jaeger_from_env() -> JaegerServer:
    query = os.environ.get("TRACEWHY_TEST_JAEGER_URL", "http://127.0.0.1:16686").rstrip("/")
    otlp = os.environ.get("TRACEWHY_TEST_JAEGER_OTLP_URL", "http://127.0.0.1:4318/v1/traces")
    zipkin = os.environ.get("TRACEWHY_TEST_JAEGER_ZIPKIN_URL",
                            "http://127.0.0.1:9411/api/v2/spans")
    return JaegerServer(query, otlp, zipkin)


def zipkin_from_env() -> ZipkinServer:
    query = os.environ.get("TRACEWHY_TEST_ZIPKIN_URL", "http://127.0.0.1:9412").rstrip("/")
    return ZipkinServer(query, f"{query}/api/v2/spans")


def jaeger_binary() -> Path:
    """Where ``.ci/backends.sh install`` puts the Jaeger binary (it may not be there)."""
    done = subprocess.run(["bash", str(BACKENDS_SH), "jaeger-binary"], text=True,
                          capture_output=True, timeout=30, check=True)
    return Path(done.stdout.strip())


def missing(message: str) -> NoReturn:
    """A real server a test needs is not there: a failure under ``CI=true``, else a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_ports(n: int) -> list[int]:
    """``n`` loopback ports nothing listens on now (the OS picks them)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def jaeger_up(server: JaegerServer) -> bool:
    return answers(f"{server.query_url}/api/v3/services")


def zipkin_up(server: ZipkinServer) -> bool:
    return answers(f"{server.query_url}/health")


class Starter:
    """Runs ``.ci/backends.sh start`` at most once, and ``stop`` for what it started."""

    def __init__(self) -> None:
        self.owner = f"pytest-{os.getpid()}"
        self.tried = False
        self.output = ""

    def start(self) -> None:
        if self.tried:
            return
        self.tried = True
        env = {**os.environ, "TRACEWHY_BACKENDS_OWNER": self.owner}
        done = subprocess.run(["bash", str(BACKENDS_SH), "start"], env=env, text=True,
                              capture_output=True, timeout=300, check=False)
        self.output = (done.stdout + done.stderr).strip()

    def stop(self) -> None:
        if self.tried:
            env = {**os.environ, "TRACEWHY_BACKENDS_OWNER": self.owner}
            subprocess.run(["bash", str(BACKENDS_SH), "stop"], env=env, capture_output=True,
                           timeout=60, check=False)


def wait_until(check: object, timeout: float, interval: float = 0.2) -> object:
    """Call ``check()`` until it returns something truthy; return that (or the last falsy)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()  # type: ignore[operator]
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
