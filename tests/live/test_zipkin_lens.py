"""Real production traces (Zipkin Lens's test data) POSTed to a real Zipkin server come back,
through tracewhy, as the same trace that tracewhy reads from the file."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.live.servers import ZipkinServer
from tracewhy.backends import Backend, SearchQuery, make_config
from tracewhy.model import Trace
from tracewhy.sources import parse_bytes, select_trace

pytestmark = pytest.mark.live

LENS_FILES = ("ascend.json", "envoy.json", "messaging.json", "messaging2.json",
              "messaging-kafka.json", "simple-db-p6.json", "skew.json", "yelp.json",
              "smartthings-oauth-authorization.json", "smartthings-mobile-web-install.json")


@pytest.fixture(scope="module")
def lens(external: Path, zipkin_backend: ZipkinServer) -> dict[str, Path]:
    """The files, each POSTed to Zipkin (storing the same spans twice changes nothing)."""
    folder = external / "zipkin-lens"
    for name in LENS_FILES:
        request = urllib.request.Request(zipkin_backend.ingest_url, method="POST",
                                         data=(folder / name).read_bytes(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202
    return {name: folder / name for name in LENS_FILES}


def as_zipkin_stores_it(path: Path) -> Trace:
    """The file as tracewhy reads it, after Zipkin's one change: lower-case names."""
    spans = json.loads(path.read_bytes())
    for span in spans:
        if span.get("name"):
            span["name"] = span["name"].lower()
        for end in ("localEndpoint", "remoteEndpoint"):
            if (span.get(end) or {}).get("serviceName"):
                span[end]["serviceName"] = span[end]["serviceName"].lower()
    return select_trace(parse_bytes(json.dumps(spans).encode(), path.name))


def comparable(trace: Trace) -> dict[str, tuple[object, ...]]:
    """Per span, what the analysis depends on."""
    return {s.span_id: (s.parent_id, s.service, s.name, s.kind, s.start_us, s.duration_us,
                        s.status, s.status_message, s.shared, s.original_id)
            for s in trace.spans}


@pytest.mark.parametrize("name", LENS_FILES)
def test_fetched_trace_equals_the_file(lens: dict[str, Path], zipkin_backend: ZipkinServer,
                                       name: str) -> None:
    expected = as_zipkin_stores_it(lens[name])
    with Backend(make_config("zipkin", zipkin_backend.query_url)) as live:
        fetched = live.fetch(expected.trace_id)
    assert fetched.trace.trace_id == expected.trace_id
    assert comparable(fetched.trace) == comparable(expected)
    assert fetched.trace.root_id == expected.root_id
    assert [w.to_dict() for w in fetched.trace.warnings] == [
        w.to_dict() for w in expected.warnings]
    assert fetched.trace.accounting() == expected.accounting()


def test_search_finds_the_skewed_trace_in_its_hour(lens: dict[str, Path],
                                                   zipkin_backend: ZipkinServer) -> None:
    spans = json.loads(lens["skew.json"].read_bytes())
    first = min(s["timestamp"] for s in spans)
    query = SearchQuery("servicea", first - 30 * 60_000_000, first + 30 * 60_000_000)
    with Backend(make_config("zipkin", zipkin_backend.query_url)) as live:
        result = live.search(query)
    assert [s.trace_id for s in result.traces] == [spans[0]["traceId"]]
    summary = result.traces[0]
    assert summary.start_us == first and summary.span_count == len(spans)
    assert summary.services == ("servicea", "serviceb")


def test_search_for_errors_in_real_traces(lens: dict[str, Path],
                                          zipkin_backend: ZipkinServer) -> None:
    """smartthings-oauth-authorization has two spans tagged error=401 (see its README)."""
    spans = json.loads(lens["smartthings-oauth-authorization.json"].read_bytes())
    first = min(s["timestamp"] for s in spans if s.get("timestamp"))
    query = SearchQuery("auth", first - 60_000_000, first + 3_600_000_000, errors_only=True)
    with Backend(make_config("zipkin", zipkin_backend.query_url)) as live:
        result = live.search(query)
    assert [s.trace_id for s in result.traces] == [spans[0]["traceId"]]
    assert result.traces[0].error_count == 2
