"""The fast path (typed decoding of well-formed input) and the tolerant reader must agree: same
spans, same warnings, same accounting, on every real Jaeger, OTLP and Zipkin file and on the
demo's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL, FIXTURES
from tests.fixtures.formats import sdk_to_zipkin, sdk_trace
from tracewhy.errors import InputError
from tracewhy.rca.layers import sidecar_attribute
from tracewhy.sources import TraceInput, parse_bytes, parse_documents, select_trace
from tracewhy.sources.typed import parse_typed

JAEGER_FILES = [*sorted((EXTERNAL / "crisp").rglob("*.json")),
                EXTERNAL / "jaeger" / "ui_01.json", EXTERNAL / "jaeger" / "otlp2jaeger-out.json",
                *sorted((FIXTURES / "demo").glob("*/traces.jaeger.json"))]


def tolerant(data: bytes) -> dict[str, object]:
    """Read with the fast path switched off."""
    found = read_tolerantly(data)
    return {tid: select_trace(found, tid) for tid in found.trace_ids}


def read_tolerantly(data: bytes) -> TraceInput:
    import tracewhy.sources as sources

    original = sources.parse_typed
    sources.parse_typed = lambda *args, **kwargs: None
    try:
        return parse_bytes(data, "input")
    finally:
        sources.parse_typed = original


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


def _jaeger_doc(*spans: dict[str, object]) -> bytes:
    trace = {"traceID": "0af7651916cd43dd8448eb211c80319c",
             "processes": {"p1": {"serviceName": "api", "tags": []}},
             "spans": [{"traceID": "0af7651916cd43dd8448eb211c80319c", "processID": "p1",
                        "operationName": "op", "startTime": 1700000000000000, "duration": 10,
                        **span} for span in spans]}
    return json.dumps({"data": [trace]}).encode()


def _ref(span_id: str, ref_type: str = "CHILD_OF",
         trace_id: str = "0af7651916cd43dd8448eb211c80319c") -> dict[str, str]:
    return {"refType": ref_type, "traceID": trace_id, "spanID": span_id}


# Each span takes a different turn in the typed reader: the plain shape, or one of the shapes
# it hands to the general path.  Both must read them as the tolerant reader does.
JAEGER_TURNS = [
    {"spanID": "00000000000000a1"},
    {"spanID": "00000000000000a2", "references": [_ref("00000000000000a1")],
     "tags": [{"key": "span.kind", "type": "string", "value": "client"},
              {"key": "error", "type": "bool", "value": True}]},
    {"spanID": "00000000000000a3", "references": [_ref("00000000000000a2", "FOLLOWS_FROM")]},
    {"spanID": "00000000000000a4", "references": [_ref("00000000000000a1"),
                                                  _ref("00000000000000a3", "FOLLOWS_FROM")]},
    {"spanID": "00000000000000a5", "references": [_ref("0000000000000000")]},
    {"spanID": "00000000000000a6", "references": [_ref("00000000000000a1")],
     "tags": [{"key": "span.kind", "type": "string", "value": "SERVER"}]},
    {"spanID": "00000000000000a7", "parentSpanID": "00000000000000a1"},
    {"spanID": "00000000000000a8", "references": [_ref("00000000000000a1")],
     "process": {"serviceName": "inline", "tags": []}},
    {"spanID": "00000000000000a9", "references": [_ref("00000000000000a1", trace_id="ff")]},
    {"spanID": "00000000000000aa", "processID": "nowhere"},
    {"spanID": "00000000000000ab", "references": [_ref("00000000000000a1")],
     "logs": [{"timestamp": 1700000000000001, "fields": [
         {"key": "event", "type": "string", "value": "retry"}]}]},
    {"spanID": "00000000000000AC", "references": [_ref("00000000000000A1")]},
    {"spanID": "0000000000000000"},
]


def test_every_turn_of_the_typed_jaeger_reader_reads_as_the_tolerant_reader() -> None:
    data = _jaeger_doc(*JAEGER_TURNS)
    assert parse_typed(data, None) is not None
    assert_same_reading(data)


def test_a_tag_type_the_fast_path_does_not_know_goes_to_the_tolerant_reader() -> None:
    data = _jaeger_doc({"spanID": "00000000000000a1", "tags": [
        {"key": "retries", "type": "INT64", "value": "3"}]})
    assert parse_typed(data, None) is None
    found = parse_bytes(data, "input")
    assert select_trace(found).spans[0].attributes == {"retries": 3}


_OTLP_TRACE = "0af7651916cd43dd8448eb211c80319c"

# Each span takes a different turn in the typed OTLP reader: the plain shape, or one of the
# shapes it hands to the general path.  Both must read them as the tolerant reader does.
OTLP_TURNS = [
    {"spanId": "00f067aa0ba90201", "kind": 2, "startTimeUnixNano": "1700000000000000000",
     "endTimeUnixNano": "1700000000009000000", "status": {},
     "attributes": [{"key": "http.route", "value": {"stringValue": "/a"}},
                    {"key": "envoy.upstream", "value": {"intValue": "3"}},
                    {"key": "component", "value": {"stringValue": "proxy"}}]},
    {"spanId": "00f067aa0ba90202", "parentSpanId": "00f067aa0ba90201", "kind": 3,
     "startTimeUnixNano": 1700000000001000000, "endTimeUnixNano": 1700000000002000000,
     "status": {"code": 2, "message": "boom"},
     "events": [{"timeUnixNano": "1700000000001500000", "name": "exception",
                 "attributes": [{"key": "exception.type", "value": {"stringValue": "E"}}]}]},
    {"spanId": "00F067AA0BA90203", "parentSpanId": "00f067aa0ba90201", "kind": 1},
    {"spanId": "00f067aa0ba90204", "parentSpanId": "00F067AA0BA90203", "kind": 1},
    {"spanId": "00f067aa0ba90205", "parentSpanId": "0000000000000000", "kind": 1},
    {"spanId": "00f067aa0ba90206", "parentSpanId": "00f067aa0ba90201",
     "kind": "SPAN_KIND_SERVER"},
    {"spanId": "00f067aa0ba90207", "parentSpanId": "00f067aa0ba90201", "kind": 9},
    {"spanId": "00f067aa0ba90208", "parentSpanId": "00f067aa0ba90201"},
    {"spanId": "00f067aa0ba90209", "parentSpanId": "00f067aa0ba90201", "kind": 1,
     "startTimeUnixNano": " 1700000000001000000", "endTimeUnixNano": "1.7e18"},
    {"spanId": "00f067aa0ba90210", "parentSpanId": "00f067aa0ba90209", "kind": 3},
    {"spanId": "APBnqguqAgo=", "parentSpanId": "00f067aa0ba90201", "kind": 1},
    {"spanId": "00f067aa0ba9020b", "parentSpanId": "00f067aa0ba90201", "kind": 1,
     "links": [{"traceId": _OTLP_TRACE, "spanId": "00f067aa0ba90202"}]},
    {"spanId": "0000000000000000", "kind": 1},
    {"spanId": "abc", "parentSpanId": "00f067aa0ba90201", "kind": 1},
    {"spanId": "00f067aa0ba9020d", "parentSpanId": "abc", "kind": 1,
     "startTimeUnixNano": "1700000000003000000"},
    {"spanId": "00f067aa0ba9020e", "traceId": _OTLP_TRACE.upper(), "kind": 1},
    {"spanId": "00f067aa0ba9020f", "traceId": "00000000000000000000000000000000", "kind": 1},
    {"spanId": "00f067aa0ba90211", "traceId": "8448eb211c80319c", "kind": 2},  # a 64-bit id
    {"spanId": "00f067aa0ba90212", "traceId": "8448eb211c80319c", "kind": 3,
     "parentSpanId": "00f067aa0ba90211"},
    {"spanId": "00f067aa0ba90213", "traceId": "8448EB211C80319C", "kind": 1},
    {"spanId": "00f067aa0ba90214", "traceId": "0000000000000000", "kind": 1},
    # values against the spec: several fields, nulls beside a field, an integer double
    {"spanId": "00f067aa0ba90215", "parentSpanId": "00f067aa0ba90201", "kind": 1,
     "attributes": [{"key": "two", "value": {"intValue": "5", "stringValue": "x"}},
                    {"key": "null.first", "value": {"stringValue": None, "intValue": "7"}},
                    {"key": "bool.double", "value": {"boolValue": False, "doubleValue": 1.5}},
                    {"key": "whole.double", "value": {"doubleValue": 2}},
                    {"key": "nothing", "value": {"stringValue": None}}]},
]


def _otlp_doc(*spans: dict[str, object]) -> bytes:
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}},
                               {"key": "host.name", "value": {"stringValue": "h1"}}]}
    return json.dumps({"resourceSpans": [{"resource": resource, "scopeSpans": [{
        "scope": {"name": "lib"},
        "spans": [{"traceId": _OTLP_TRACE, "name": "op",
                   "startTimeUnixNano": "1700000000000000000",
                   "endTimeUnixNano": "1700000000001000000", **span} for span in spans]}]}]
    }).encode()


def test_every_turn_of_the_typed_otlp_reader_reads_as_the_tolerant_reader() -> None:
    data = _otlp_doc(*OTLP_TURNS)
    assert parse_typed(data, None) is not None
    assert_same_reading(data)


def test_a_value_with_several_fields_reads_the_same_on_both_paths() -> None:
    """Whatever the field order in the document, the first non-null field in the typed reader's
    order wins (string, int, double, bool, bytes, array, kvlist)."""
    found = read_tolerantly(_otlp_doc(OTLP_TURNS[-1]))
    (span,) = select_trace(found).spans
    assert span.attributes == {"two": "x", "null.first": 7, "bool.double": 1.5,
                               "whole.double": 2.0, "nothing": None, "otel.scope.name": "lib"}
    assert type(span.attributes["whole.double"]) is float


def test_the_typed_otlp_reader_keeps_the_attributes_it_is_told_to_keep() -> None:
    data = _otlp_doc(*OTLP_TURNS)
    for keep in (sidecar_attribute, lambda key: key.startswith("http.")):
        for _ in range(2):  # the second time, every key's fate is remembered
            fast = parse_typed(data, None, keep)
            slow = parse_documents([json.loads(data)], "input", keep=keep)
            assert fast is not None
            assert (fast.spans, fast.rejected, fast.counts) == \
                (slow.spans, slow.rejected, slow.counts)
    assert fast.spans[0].attributes == {"http.route": "/a", "otel.scope.name": "lib"}


CATALOGUE = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"
ZIPKIN_FILES = [*sorted((EXTERNAL / "zipkin-lens").glob("*.json")),
                *(path for path in sorted(CATALOGUE.glob("*.json"))
                  if path.read_bytes().lstrip().startswith(b"["))]


@pytest.mark.parametrize("path", ZIPKIN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_path_reads_zipkin_as_the_tolerant_reader_does(path: Path, external: Path) -> None:
    data = path.read_bytes()
    if path.parent.name == "zipkin-lens":  # as Zipkin wrote them: all plainly well-formed
        assert parse_typed(data, None) is not None
    assert_same_reading(data)


def test_fast_path_reads_the_otel_sdks_zipkin_json() -> None:
    """The SDK's encoder: events as JSON text in annotations, a list of traces (one per batch)."""
    spans = sdk_to_zipkin(sdk_trace())
    for data in (json.dumps(spans).encode(), json.dumps([spans[:2], [], spans[2:]]).encode()):
        assert parse_typed(data, "zipkin") is not None
        assert_same_reading(data)


# Each span takes a different turn in the typed Zipkin reader: the plain shape, or one of the
# shapes it hands to the general path.  Both must read them as the tolerant reader does.
ZIPKIN_TURNS = [
    {"id": "00f067aa0ba90201", "kind": "SERVER", "tags": {"http.route": "/a"}},
    {"id": "00f067aa0ba90202", "parentId": "00f067aa0ba90201", "kind": "CLIENT",
     "remoteEndpoint": {"serviceName": "db", "ipv4": "10.0.0.2", "port": 5432},
     "tags": {"error": "timeout", "peer.service": "mine"}},
    {"id": "00f067aa0ba90203", "parentId": "00f067aa0ba90201", "kind": "client"},
    {"id": "00f067aa0ba90204", "parentId": "00F067AA0BA90203", "kind": "PRODUCER"},
    {"id": "00F067AA0BA90205", "parentId": "00f067aa0ba90201"},
    {"id": "00f067aa0ba90206", "parentId": "0000000000000000", "timestamp": 0},
    {"id": "0000000000000000", "parentId": "00f067aa0ba90201"},
    {"id": "f067aa0ba90207", "parentId": "00f067aa0ba90201"},
    {"id": "00f067aa0ba90208", "parentId": "abc", "shared": True,
     "tags": {"otel.status_code": "OK"}},
    {"id": "00f067aa0ba90209", "traceId": "8448eb211c80319c", "kind": "CONSUMER",
     "localEndpoint": {"serviceName": "svc", "ipv6": "::1"}},
    {"id": "00f067aa0ba9020a", "traceId": "00000000000000000000000000000000"},
    {"id": "00f067aa0ba9020b", "traceId": "0AF7651916CD43DD8448EB211C80319C", "kind": "odd"},
    {"id": "00f067aa0ba9020c", "parentId": "00f067aa0ba90201", "shared": True,
     "annotations": [{"timestamp": 1700000000000001, "value": '{"retry": {"attempt": 2}}'}],
     "remoteEndpoint": {"ipv6": "::2"}},
]


def test_every_turn_of_the_typed_zipkin_reader_reads_as_the_tolerant_reader() -> None:
    data = json.dumps([json.loads(_zipkin(**span))[0] for span in ZIPKIN_TURNS]).encode()
    assert parse_typed(data, None) is not None
    assert_same_reading(data)
    for keep in (sidecar_attribute, lambda key: key.startswith("peer.")):
        fast, slow = parse_typed(data, None, keep), parse_documents([json.loads(data)], "input",
                                                                     keep=keep)
        assert fast is not None and (fast.spans, fast.rejected) == (slow.spans, slow.rejected)


def assert_same_reading(data: bytes) -> None:
    found, slow = parse_bytes(data, "input"), read_tolerantly(data)
    assert (found.format, found.notes, found.trace_warnings) == \
        (slow.format, slow.notes, slow.trace_warnings)
    assert {tid: select_trace(found, tid) for tid in found.trace_ids} == \
        {tid: select_trace(slow, tid) for tid in slow.trace_ids}


def _zipkin(**fields: object) -> bytes:
    span = {"traceId": "0af7651916cd43dd8448eb211c80319c", "id": "00f067aa0ba902b7",
            "name": "op", "timestamp": 1700000000000000, "duration": 10,
            "localEndpoint": {"serviceName": "svc"}}
    return json.dumps([{**span, **fields}]).encode()


@pytest.mark.parametrize("text", [
    _zipkin(timestamp="1700000000000000"),  # a time as text
    _zipkin(duration=10.0),
    _zipkin(timestamp=2**64),  # beyond int64: orjson makes it a float, rounded
    _zipkin(id=12345),  # a numeric id
    _zipkin(tags={"http.status_code": 200}),  # a tag that is not text
    _zipkin(tags=None),
    _zipkin(localEndpoint={"serviceName": "svc", "port": "80"}),
    _zipkin(annotations=[{"timestamp": 1, "value": "cs", "endpoint": {"serviceName": "svc"}}]),
    _zipkin(binaryAnnotations=None),  # present at all: Zipkin v1
    _zipkin(annotations=["text"]),
    _zipkin(shared="true"),
    json.dumps([{"id": "00f067aa0ba902b7"}]).encode(),  # no trace id: not plainly Zipkin
    json.dumps([{"traceID": "a", "spans": []}]).encode(),  # a list of Jaeger traces
    json.dumps([[{"traceId": "a", "id": "b"}], {"traceId": "a", "id": "c"}]).encode(),
    b"[]", b"[[]]",  # nothing to read: the tolerant reader says why
    _zipkin().replace(b'"duration": 10', b'"duration": NaN'),
    _zipkin().replace(b'"op"', b'"caf\xe9"'),  # invalid UTF-8
    _zipkin().replace(b'"op"', b'"\\ud800"'),  # a lone surrogate
    _zipkin() + b"\n" + _zipkin(),  # several documents
    b"\xef\xbb\xbf" + _zipkin(),  # a byte-order mark
])
def test_odd_zipkin_leaves_the_fast_path(text: bytes) -> None:
    assert parse_typed(text, None) is None
    assert parse_typed(text, "zipkin") is None


def test_the_fast_path_only_reads_zipkin_when_asked_for_zipkin_or_nothing() -> None:
    assert parse_typed(_zipkin(), "zipkin") is not None
    assert parse_typed(_zipkin(), "jaeger") is None
    assert parse_typed(_zipkin(), "otlp") is None


def test_zipkin_that_falls_back_still_gets_the_tolerant_readers_repairs() -> None:
    found = parse_bytes(_zipkin(timestamp="1700000000000000", duration=2**70), "input")
    span, = next(iter(found.traces.values()))
    assert span.start_us == 1700000000000000 and span.duration_us == 2**70


@pytest.mark.parametrize(("text", "counts"), [
    (_zipkin().replace(b'"duration": 10', b'"duration": NaN'), {"non-finite-number": 1}),
    (_zipkin().replace(b'"op"', b'"caf\xe9"'), {"invalid-utf8": 1}),
    (_zipkin().replace(b'"op"', b'"\\ud800"'), {"lone-surrogate": 1}),
])
def test_zipkin_that_falls_back_still_gets_the_tolerant_readers_counts(
        text: bytes, counts: dict[str, int]) -> None:
    assert parse_typed(text, None) is None
    assert parse_bytes(text, "input").notes.counts == counts


def test_zipkin_v1_still_gets_the_tolerant_readers_refusal() -> None:
    with pytest.raises(InputError, match="Zipkin v1"):
        parse_bytes(_zipkin(binaryAnnotations=[{"key": "k", "value": "v"}]), "input")


def test_rejects_and_peer_attributes_match_on_the_fast_path() -> None:
    data = json.dumps([
        {"traceId": "0af7651916cd43dd8448eb211c80319c", "id": "0000000000000000", "name": "zero"},
        {"traceId": "0af7651916cd43dd8448eb211c80319c", "id": "00f067aa0ba902b7", "name": "op",
         "kind": "client", "timestamp": 1, "duration": 2, "shared": True,
         "localEndpoint": {"serviceName": "a", "ipv6": "::1"},
         "remoteEndpoint": {"serviceName": "b", "ipv4": "10.0.0.2", "port": 8080},
         "tags": {"error": "", "peer.service": "mine"},
         "annotations": [{"timestamp": 1, "value": '{"retry": {"attempt": 2}}'},
                         {"timestamp": 2, "value": "plain"}]},
    ]).encode()
    fast = parse_typed(data, None)
    assert fast is not None and len(fast.rejected) == 1
    assert fast.spans[0].attributes == {"error": "", "peer.service": "mine",
                                        "network.peer.address": "10.0.0.2",
                                        "network.peer.port": 8080}
    assert_same_reading(data)
