"""The fast path (typed decoding of well-formed input) and the tolerant reader must agree: same
spans, same warnings, same accounting, on every real Jaeger file and on the demo's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXTERNAL, FIXTURES
from tracewhy.sources import parse_bytes, select_trace
from tracewhy.sources.typed import parse_typed

JAEGER_FILES = [*sorted((EXTERNAL / "crisp").rglob("*.json")),
                EXTERNAL / "jaeger" / "ui_01.json", EXTERNAL / "jaeger" / "otlp2jaeger-out.json",
                *sorted((FIXTURES / "demo").glob("*/traces.jaeger.json"))]


def tolerant(data: bytes) -> dict[str, object]:
    """Read with the fast path switched off."""
    import tracewhy.sources as sources

    original = sources.parse_typed
    sources.parse_typed = lambda *args, **kwargs: None
    try:
        found = parse_bytes(data, "input")
    finally:
        sources.parse_typed = original
    return {tid: select_trace(found, tid) for tid in found.trace_ids}


@pytest.mark.parametrize("path", JAEGER_FILES, ids=lambda p: p.name)
def test_fast_path_reads_what_the_tolerant_reader_reads(path: Path, external: Path) -> None:
    data = path.read_bytes()
    if data.lstrip().startswith(b'{"data"'):  # the shape the fast path knows
        assert parse_typed(data, None) is not None, "a well-formed file takes the fast path"
    found = parse_bytes(data, "input")
    fast = {tid: select_trace(found, tid) for tid in found.trace_ids}
    assert fast == tolerant(data)


OTLP_FILES = [EXTERNAL / "jaeger-ui" / "v3-trace-local-2.21.0.json",
              EXTERNAL / "jaeger" / "api_v3_snapshots" / "GetTrace.json",
              EXTERNAL / "jaeger" / "api_v3_snapshots" / "FindTraces.json",
              EXTERNAL / "otlp-proto" / "trace.json", EXTERNAL / "jaeger" / "otlp2jaeger-in.json",
              *sorted((FIXTURES / "demo").glob("*/worst.json"))]


@pytest.mark.parametrize("path", OTLP_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_path_reads_otlp_as_the_tolerant_reader_does(path: Path, external: Path) -> None:
    data = path.read_bytes()
    assert parse_typed(data, None) is not None
    found = parse_bytes(data, "input")
    fast = {tid: select_trace(found, tid) for tid in found.trace_ids}
    assert fast == tolerant(data)


@pytest.mark.parametrize("text", [
    b'{"data": [{"traceID": "a", "spans": [{"spanID": "b", "startTime": "12"}]}]}',
    b'{"data": [{"traceID": "a", "spans": [{"spanID": "b", "tags": [1]}]}]}',
    b'{"data": null, "errors": [{"code": 500, "msg": "boom"}]}',
    b'{"data": [{"traceID": "a", "spans": [{"spanID": "b", "duration": NaN}]}]}',
    b'{"data": [{"traceID": "\\ud800", "spans": []}]}',
    b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": '
    b'{"string_value": "snake"}}]}]}]}]}',
    b'{"resourceSpans": [{"instrumentationLibrarySpans": [{"spans": []}]}]}',
    b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": 1.5e18}]}]}]}',
])
def test_odd_input_leaves_the_fast_path(text: bytes) -> None:
    assert parse_typed(text, None) is None
