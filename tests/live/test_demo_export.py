"""Demo traces sent to the real Jaeger (OTLP/HTTP) and Zipkin come back intact: every span,
its parent, its times, its service and name, its errors and its exception events."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest
import requests

from tests.live.servers import JaegerServer, ZipkinServer
from tracewhy.demo import SCENARIOS, generate
from tracewhy.demo.export import export_otlp, export_zipkin
from tracewhy.demo.output import sample
from tracewhy.demo.run import DemoRun, TraceRecord
from tracewhy.model import STATUS_ERROR, Span
from tracewhy.normalise import normalise
from tracewhy.sources import parse_bytes

pytestmark = pytest.mark.live

SCENARIO_NAMES = ["mesh-retry-storm", "inference-oom", "silent-schema-retry"]


@pytest.fixture(scope="module")
def runs() -> dict[str, DemoRun]:
    """A few traces per scenario, with fresh ids (the servers keep earlier runs) and recent
    times (so they also show up in the backends' search)."""
    seed = random.SystemRandom().randrange(2**31)
    out = {}
    for name in SCENARIO_NAMES:
        start = int(time.time() * 1_000_000) - SCENARIOS[name].window_us
        out[name] = sample(generate(name, 150, seed, start), 4)
    return out


@pytest.fixture(scope="module")
def sent_to_jaeger(runs: dict[str, DemoRun], jaeger_backend: JaegerServer) -> dict[str, DemoRun]:
    for run in runs.values():
        assert export_otlp(run.all_spans(), jaeger_backend.otlp_url) == len(run.all_spans())
    return runs


@pytest.fixture(scope="module")
def sent_to_zipkin(runs: dict[str, DemoRun], zipkin_backend: ZipkinServer) -> dict[str, DemoRun]:
    for run in runs.values():
        assert export_zipkin(run.all_spans(), zipkin_backend.ingest_url) == len(run.all_spans())
    return runs


def _fetch(url: str, expected: int) -> list[Span]:
    """GET the trace until every span has landed (the servers batch what they receive)."""
    spans: list[Span] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = requests.get(url, timeout=10)
        if answer.status_code == 200:
            found = parse_bytes(answer.content, url)
            assert not found.notes.counts and not found.notes.rejected
            (trace_id, spans), = found.traces.items()
            if len(spans) >= expected:
                trace = normalise(spans, trace_id, notes=found.notes)
                assert trace.warnings == [], [w.to_dict() for w in trace.warnings]
                return trace.spans
        time.sleep(0.5)
    pytest.fail(f"{url}: {len(spans)} of {expected} spans after 30 s")


def _compare(record: TraceRecord, spans: list[Span], same_name: Callable[[str, str], bool],
             error_of: Callable[[Span], str | None]) -> None:
    by_id = {span.span_id: span for span in spans}
    assert len(spans) == len(record.spans)
    for node in record.root.walk():
        span = by_id[node.span_id]
        assert span.service == node.process.service
        assert same_name(span.name, node.name)
        assert (span.start_us, span.duration_us) == (node.start_us, node.end_us - node.start_us)
        assert error_of(span) == node.error, node.name
        exceptions = [e.attributes.get("exception.type") for e in span.events
                      if e.name == "exception"]
        assert exceptions == [e.attributes["exception.type"] for e in node.events
                              if e.name == "exception"]
    parents = {node.span_id: parent.span_id for parent in record.root.walk()
               for node in parent.children}
    assert {s.span_id: s.parent_id for s in spans if s.parent_id} == parents


def _jaeger_error(span: Span) -> str | None:
    return span.status_message if span.status == STATUS_ERROR else None


def _zipkin_error(span: Span) -> str | None:
    """Zipkin's rule: the ``error`` tag marks an error, its value is the message (maybe "")."""
    value = span.attributes.get("error")
    return None if value is None else str(value)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_jaeger_returns_the_traces_intact(sent_to_jaeger: dict[str, DemoRun], name: str,
                                          jaeger_backend: JaegerServer) -> None:
    for record in sent_to_jaeger[name].records:
        url = f"{jaeger_backend.query_url}/api/v3/traces/{record.trace_id}"
        spans = _fetch(url, len(record.spans))
        _compare(record, spans, str.__eq__, _jaeger_error)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_zipkin_returns_the_traces_intact(sent_to_zipkin: dict[str, DemoRun], name: str,
                                          zipkin_backend: ZipkinServer) -> None:
    for record in sent_to_zipkin[name].records:
        url = f"{zipkin_backend.query_url}/api/v2/trace/{record.trace_id}"
        spans = _fetch(url, len(record.spans))
        # Zipkin stores span names in lower case
        _compare(record, spans, lambda theirs, ours: theirs == ours.lower(), _zipkin_error)
