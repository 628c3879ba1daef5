"""Fixtures for tests against the real backends.

``jaeger_backend`` and ``zipkin_backend`` (session scope) yield the addresses of a real Jaeger v2
and a real Zipkin server on loopback: ``.query_url`` for tracewhy, ``.otlp_url`` /
``.zipkin_ingest_url`` / ``.ingest_url`` for sending spans.  A server that is not there skips
the test locally and fails it under ``CI=true``.  ``emitted`` is the standard workload (see
``workload.py``) sent to both through the OpenTelemetry SDK and already visible in both.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from tests.live.servers import (
    JaegerServer,
    Starter,
    ZipkinServer,
    jaeger_from_env,
    jaeger_up,
    missing,
    wait_until,
    zipkin_from_env,
    zipkin_up,
)
from tests.live.workload import EmittedTrace, Workload, standard_plans
from tracewhy.backends import Backend, make_config
from tracewhy.errors import TraceNotFound

_starter = Starter()


def _unavailable(what: str) -> None:
    detail = f"; .ci/backends.sh said: {_starter.output[-500:]}" if _starter.output else ""
    missing(f"{what} is not running{detail} (see README, Tests: .ci/backends.sh)")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _starter.stop()


@pytest.fixture(scope="session")
def jaeger_backend() -> JaegerServer:
    server = jaeger_from_env()
    if not jaeger_up(server) and "TRACEWHY_TEST_JAEGER_URL" not in os.environ:
        _starter.start()
    if not jaeger_up(server):
        _unavailable(f"Jaeger at {server.query_url}")
    return server


@pytest.fixture(scope="session")
def zipkin_backend() -> ZipkinServer:
    server = zipkin_from_env()
    if not zipkin_up(server) and "TRACEWHY_TEST_ZIPKIN_URL" not in os.environ:
        _starter.start()
    if not zipkin_up(server):
        _unavailable(f"Zipkin at {server.query_url}")
    return server


@pytest.fixture(scope="session")
def workload(jaeger_backend: JaegerServer, zipkin_backend: ZipkinServer) -> Iterator[Workload]:
    load = Workload(jaeger_backend.otlp_url, zipkin_backend.ingest_url)
    yield load
    load.shutdown()


@pytest.fixture(scope="session")
def now_us() -> int:
    return int(time.time() * 1_000_000)


@pytest.fixture(scope="session")
def emitted(workload: Workload, jaeger_backend: JaegerServer, zipkin_backend: ZipkinServer,
            now_us: int) -> list[EmittedTrace]:
    traces = workload.emit(standard_plans(now_us))
    for kind, url in (("jaeger", jaeger_backend.query_url), ("zipkin", zipkin_backend.query_url)):
        with Backend(make_config(kind, url)) as backend:
            for emitted_trace in traces:
                _wait_for_trace(backend, emitted_trace)
    return traces


def _wait_for_trace(backend: Backend, expected: EmittedTrace) -> None:
    """Exporters and the servers' own pipelines batch spans: wait until all have landed."""
    def complete() -> bool:
        try:
            found = backend.fetch(expected.trace_id)
        except TraceNotFound:
            return False
        return len(found.trace.spans) >= len(expected.spans)

    if not wait_until(complete, timeout=30):
        pytest.fail(f"{backend.config.label}: trace {expected.label} ({expected.trace_id}) "
                    f"did not arrive complete within 30 s")
