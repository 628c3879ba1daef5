"""Every reader on every relevant real file in ../shared/external-traces/, and on the encodings
real inputs use: gzip, stdin, the collector's one-object-per-line files, upper-case hex,
numeric or string nanos, lists of traces, bare Jaeger traces, several traces in one input.

Where possible the expected values come from the raw file itself (an independent, tiny reading
of its JSON in this file) or from the upstream README, never from tracewhy's own output.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXTERNAL
from tests.fixtures.formats import (
    sdk_to_jaeger,
    sdk_to_otlp_protojson,
    sdk_to_zipkin,
    sdk_trace,
    to_otlp,
)
from tracewhy.analysis.analyze import analyze
from tracewhy.errors import InputError, InputNotFound
from tracewhy.model import FOLLOWS_FROM, INTERNAL, STATUS_ERROR, UNSPECIFIED, Span, Trace
from tracewhy.sources import iter_traces, load_trace, parse_bytes, read_traces, select_trace
from tracewhy.sources.decode import read_input

ZIPKIN = sorted((EXTERNAL / "zipkin-lens").glob("*.json"))
CRISP = sorted((EXTERNAL / "crisp").glob("*.json")) + sorted((EXTERNAL / "crisp").glob("*/*.json"))
OTLP_FILES = ["jaeger/otlp2jaeger-in.json", "jaeger/api_v3_snapshots/GetTrace.json",
              "jaeger/api_v3_snapshots/FindTraces.json", "jaeger-ui/v3-trace-local-2.21.0.json",
              "otlp-proto/trace.json"]
JAEGER_FILES = ["jaeger/ui_01.json", "jaeger/otlp2jaeger-out.json",
                "jaeger-ui/flamegraph-ride-sharing-testTrace.json"]
NOT_TRACES = ["jaeger/api_v3_snapshots/FindTraceSummaries.json",
              "jaeger/api_v3_snapshots/GetServices.json",
              "jaeger/api_v3_snapshots/GetOperations.json",
              "jaeger/domain_01.json",  # Jaeger's internal domain model, not an API answer
              "jaeger-idl/query_service.openapi.json"]

# From external-traces/README.md: spans / services per zipkin-lens file.
ZIPKIN_COUNTS = {"smartthings-mobile-web-install.json": (1041, 16),
                 "smartthings-oauth-authorization.json": (175, 8), "yelp.json": (16, 6),
                 "ascend.json": (8, 3), "envoy.json": (1, 1), "messaging.json": (4, 2),
                 "messaging2.json": (11, 4), "messaging-kafka.json": (28, 2),
                 "simple-db-p6.json": (5, 1), "skew.json": (4, 2)}


def ext(relative: str) -> Path:
    return EXTERNAL / relative


def raw(path: Path) -> Any:
    return json.loads(path.read_text())


def parsed_spans(path: Path) -> list[Span]:
    """The reader's spans before normalising: in input order, or each trace's in time order."""
    found = read_traces(str(path))
    return [span for spans in found.traces.values() for span in spans]


def hex16(text: str) -> str:
    return text.lower().rjust(16, "0")


# -- format detection ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ZIPKIN + CRISP + [ext(f) for f in OTLP_FILES + JAEGER_FILES],
                         ids=lambda p: str(p.relative_to(EXTERNAL)))
def test_format_is_detected_by_content(path: Path, external: Path) -> None:
    expected = ("zipkin" if "zipkin-lens" in str(path) else
                "otlp" if str(path.relative_to(EXTERNAL)) in OTLP_FILES else "jaeger")
    assert read_traces(str(path)).format == expected


@pytest.mark.parametrize("name", NOT_TRACES)
def test_json_that_is_not_a_trace_is_refused_with_its_keys(name: str, external: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_traces(str(ext(name)))
    message = caught.value.one_line()
    assert name.split("/")[-1] in message and "unrecognised trace JSON" in message


def test_a_forced_wrong_format_is_an_input_error_not_a_crash(external: Path) -> None:
    with pytest.raises(InputError):
        read_traces(str(ext("zipkin-lens/yelp.json")), fmt="jaeger")
    with pytest.raises(InputError):
        read_traces(str(ext("crisp/1.json")), fmt="zipkin")
    with pytest.raises(InputError, match="unknown input format"):
        read_traces(str(ext("crisp/1.json")), fmt="csv")


# -- Zipkin v2 -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ZIPKIN, ids=lambda p: p.name)
def test_zipkin_spans_read_as_the_file_says(path: Path, external: Path) -> None:
    # The readers keep input order or give each trace's spans in time order (the C reader):
    # pair them by time, id and which half of a shared id they are.
    spans = sorted(parsed_spans(path), key=lambda s: (s.start_us or 0, s.span_id, s.shared))
    items = sorted(raw(path), key=lambda i: (i.get("timestamp") or 0, hex16(i["id"]),
                                             i.get("shared", False)))
    assert len(spans) == len(items)
    for span, item in zip(spans, items, strict=True):
        assert span.span_id == hex16(item["id"])
        assert span.parent_id == (hex16(item["parentId"]) if item.get("parentId") else None)
        assert span.service == (item.get("localEndpoint") or {}).get("serviceName", "")
        assert span.name == item.get("name", "")
        assert span.kind == item.get("kind", "unspecified").lower()
        assert span.start_us == item.get("timestamp") and span.duration_us == item.get("duration")
        assert (span.status == STATUS_ERROR) == ("error" in item.get("tags", {}))
        assert [e.name for e in span.events] == [a["value"] for a in item.get("annotations", [])]
        assert span.shared == item.get("shared", False)
        remote = (item.get("remoteEndpoint") or {}).get("serviceName")
        if remote:
            assert span.attributes["peer.service"] == remote


@pytest.mark.parametrize("name", sorted(ZIPKIN_COUNTS))
def test_zipkin_span_and_service_counts_match_the_upstream_readme(name: str,
                                                                   external: Path) -> None:
    trace = load_trace(str(ext(f"zipkin-lens/{name}")))
    spans, services = ZIPKIN_COUNTS[name]
    counts = trace.accounting()
    assert counts["input"] == spans
    assert counts["analysed"] + counts["merged"] + counts["rejected"] == spans
    assert len({s.service for s in trace.spans}) == services


def test_zipkin_errors_in_the_real_traces(external: Path) -> None:
    oauth = load_trace(str(ext("zipkin-lens/smartthings-oauth-authorization.json")))
    failed = {(s.service, s.name, s.status_message) for s in oauth.spans if s.status == "error"}
    assert failed == {("auth", "post /sso/authenticate", "401"), ("stlogin", "post", "401")}
    kafka = load_trace(str(ext("zipkin-lens/messaging-kafka.json")))
    # README: 3 on-message spans tagged error; one of the tags is the empty string.
    assert sorted(s.name for s in kafka.spans if s.status == "error") == ["on-message"] * 3
    install = load_trace(str(ext("zipkin-lens/smartthings-mobile-web-install.json")))
    assert sum(s.status == "error" for s in install.spans) == 2


def test_zipkin_pieces_of_one_span_are_merged_in_the_smartthings_trace(external: Path) -> None:
    """84 ids appear three times: the client, the shared server half, and a piece with only a
    name and the server's endpoint.  The piece joins the server half; nothing is lost."""
    trace = load_trace(str(ext("zipkin-lens/smartthings-mobile-web-install.json")))
    assert trace.accounting() == {"input": 1041, "analysed": 957, "merged": 84, "rejected": 0,
                                  "left_out": 0}
    assert {m.reason for m in trace.merged} == {"piece of the same span merged"}
    codes = {w.code for w in trace.warnings}
    assert "duplicate-conflict" not in codes and "missing-start" not in codes
    halves = {s.original_id: s for s in trace.spans if s.original_id == "a0dc23f22c4fee3f"}
    server = halves["a0dc23f22c4fee3f"]
    assert (server.service, server.kind, server.start_us, server.duration_us) == \
        ("platformapi", "server", 1543549825673008, 558631)


def test_zipkin_list_of_traces_is_never_mixed(external: Path, tmp_path: Path) -> None:
    yelp, skew = raw(ext("zipkin-lens/yelp.json")), raw(ext("zipkin-lens/skew.json"))
    both = tmp_path / "traces.json"
    both.write_text(json.dumps([yelp, skew]))  # the shape of Zipkin's /api/v2/traces
    first = load_trace(str(both))
    assert first.trace_id == "a03ee8fff1dcd9b9" and first.input_span_count == 16
    assert first.source is not None and first.source.other_trace_ids == ("1e223ff1f80f1c69",)
    note = next(w for w in first.warnings if w.code == "other-traces")
    assert "1e223ff1f80f1c69" in note.message and note.severity == "info"
    second = load_trace(str(both), trace_id="1E223FF1F80F1C69")
    assert second.trace_id == "1e223ff1f80f1c69"
    assert {s.display_id for s in second.spans} == {hex16(s["id"]) for s in skew}
    with pytest.raises(InputNotFound, match="a03ee8fff1dcd9b9"):
        load_trace(str(both), trace_id="0123456789abcdef")


def test_input_level_rejects_are_marked_as_such_in_a_multi_trace_input(tmp_path: Path) -> None:
    def span(trace: str, span_id: str) -> dict[str, Any]:
        return {"traceID": trace, "spanID": span_id, "operationName": "op", "references": [],
                "startTime": 1_700_000_000_000_000, "duration": 5, "processID": "p1"}

    process = {"p1": {"serviceName": "svc", "tags": []}}
    nameless = {"traceID": "", "spanID": "", "operationName": "lost", "processID": "p1"}
    doc = {"data": [{"traceID": "a" * 16, "spans": [span("a" * 16, "1" * 16), nameless],
                     "processes": process},
                    {"traceID": "b" * 16, "spans": [span("b" * 16, "2" * 16)],
                     "processes": process}]}
    several = tmp_path / "several.json"
    several.write_text(json.dumps(doc))
    for trace_id in ("a" * 16, "b" * 16):
        trace = load_trace(str(several), trace_id=trace_id)
        codes = [w.code for w in trace.warnings]
        assert "rejected-span" in codes and "input-level-notes" in codes
    doc["data"].pop()  # one trace: its rejects are its own, nothing to qualify
    several.write_text(json.dumps(doc))
    codes = [w.code for w in load_trace(str(several)).warnings]
    assert "rejected-span" in codes and "input-level-notes" not in codes


# -- Jaeger query-API JSON -----------------------------------------------------------------

def _jaeger_expected(trace: dict[str, Any]) -> list[tuple[Any, ...]]:
    processes = trace.get("processes", {})
    hex_ids = len(trace["traceID"]) in (16, 32)
    out = []
    for item in trace["spans"]:
        canon = hex16 if hex_ids else str
        child_of = [r for r in item.get("references", []) if r["refType"] == "CHILD_OF"
                    and r.get("traceID", trace["traceID"]) == trace["traceID"]]
        parent = canon(child_of[0]["spanID"]) if child_of else None
        process = item.get("process") or processes.get(item.get("processID"), {})
        out.append((canon(item["spanID"]), parent, process.get("serviceName"),
                    item["operationName"], item["startTime"], item["duration"]))
    return out


@pytest.mark.parametrize("path", CRISP + [ext(f) for f in JAEGER_FILES],
                         ids=lambda p: str(p.relative_to(EXTERNAL)))
def test_jaeger_spans_read_as_the_file_says(path: Path, external: Path) -> None:
    doc = raw(path)
    data = doc.get("data", doc)
    traces = data if isinstance(data, list) else [data]
    expected = [row for trace in traces for row in _jaeger_expected(trace)]
    got = [(s.span_id, s.parent_id, s.service, s.name, s.start_us, s.duration_us)
           for s in parsed_spans(path)]
    assert got == expected


def test_jaeger_tags_logs_references_and_warnings_of_ui_01(external: Path) -> None:
    """ui_01.json and domain_01.json are one trace in two Jaeger forms; domain_01 says what the
    UI JSON's values are (vInt64 9223372036854775222, vBinary AAAwOQ==)."""
    spans = {(s.span_id, s.name): s for s in parsed_spans(ext("jaeger/ui_01.json"))}
    tagged = spans[("0000000000000002", "some-operation")]
    assert tagged.attributes == {"peer.service": "service-y", "peer.ipv4": 23456, "error": True,
                                 "temperature": 72.5, "javascript_limit": 9223372036854775222,
                                 "blob": bytes([0, 0, 0x30, 0x39]).hex()}
    assert tagged.status == STATUS_ERROR
    logged = spans[("0000000000000002", "test-general-conversion")]
    assert [(e.time_us, e.name, e.attributes) for e in logged.events] == [
        (1485467191639875, "some-event", {}), (1485467191639875, "log", {"x": "y"})]
    refs = spans[("0000000000000004", "reference-test")]
    assert (refs.parent_id, refs.parent_ref) == ("0000000000000002", "child_of")
    assert [(link.trace_id, link.span_id, link.ref_type) for link in refs.links] == [
        ("00000000000000ff", "00000000000000ff", "child_of"),
        ("0000000000000001", "0000000000000002", FOLLOWS_FROM)]
    trace = load_trace(str(ext("jaeger/ui_01.json")))
    backend = [w for w in trace.warnings if w.code == "backend-warning"]
    assert [w.message.endswith("some trace warning") for w in backend].count(True) == 1
    spans_warned = next(w for w in backend if w.span_ids)
    assert spans_warned.span_ids == ("0000000000000004", "0000000000000005")
    assert "some span warning" in spans_warned.message


def test_jaeger_bare_trace_and_ui_in_memory_forms(external: Path) -> None:
    bare = load_trace(str(ext("jaeger/ui_01.json")))  # {"traceID", "spans", "processes"}
    assert bare.trace_id == "0000000000000001" and bare.input_span_count == 5
    ui = load_trace(str(ext("jaeger-ui/flamegraph-ride-sharing-testTrace.json")))
    assert ui.trace_id == "84b3fad94c6112edd6af3347d06f6f1d"
    assert {s.service for s in ui.spans} == {"load-generator", "ride-sharing-app"}
    assert ui.root_id == "487f03177ef9cf89" and not ui.warnings


def test_jaeger_several_traces_default_to_the_first_with_a_note(external: Path,
                                                                   tmp_path: Path) -> None:
    first, second = raw(ext("crisp/10.json"))["data"][0], raw(ext("jaeger/ui_01.json"))
    path = tmp_path / "two.json"
    path.write_text(json.dumps({"data": [second, first]}))
    chosen = load_trace(str(path))
    assert chosen.trace_id == "0000000000000001" and chosen.input_span_count == 5
    assert [w.code for w in chosen.warnings].count("other-traces") == 1
    crisp = load_trace(str(path), trace_id="A")
    assert crisp.trace_id == "A" and {s.span_id for s in crisp.spans} == {"A", "B", "C", "D"}
    assert not any(w.code == "backend-warning" for w in crisp.warnings)  # ui_01's stay there
    each = {t.trace_id: {w.code for w in t.warnings} for t in iter_traces([str(path)])}
    assert "backend-warning" in each["0000000000000001"] and "backend-warning" not in each["A"]


def test_otlp_to_jaeger_conversion_pair_reads_as_one_model(external: Path) -> None:
    """Jaeger's own fixture: otlp2jaeger-out.json is what Jaeger made of otlp2jaeger-in.json."""
    def shape(trace: Trace) -> list[tuple[Any, ...]]:
        return [(s.span_id, s.parent_id, s.service, s.name, s.kind, s.start_us, s.duration_us,
                 s.attributes.get("peer.service")) for s in trace.spans]
    otlp = load_trace(str(ext("jaeger/otlp2jaeger-in.json")))
    jaeger = load_trace(str(ext("jaeger/otlp2jaeger-out.json")))
    assert shape(otlp) == shape(jaeger)
    assert shape(otlp) == [("e127af99e3b3e074", None, "telemetrygen", "okey-dokey-0", "server",
                            1706678909209712, 123, "telemetrygen-client")]
    for trace in (otlp, jaeger):  # the file holds the span twice, identically
        assert trace.accounting() == {"input": 2, "analysed": 1, "merged": 1, "rejected": 0,
                                      "left_out": 0}
        assert trace.spans[0].missing_parent_id == "909541b92cf05311"


# -- OTLP/JSON -------------------------------------------------------------------------------

def _otlp_spans(doc: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    doc = doc.get("result", doc)
    out = []
    for block in doc["resourceSpans"]:
        attrs = block.get("resource", {}).get("attributes", [])
        service = next((a["value"]["stringValue"] for a in attrs if a["key"] == "service.name"), "")
        out += [(span, service) for scope in block["scopeSpans"] for span in scope["spans"]]
    return out


@pytest.mark.parametrize("name", OTLP_FILES)
def test_otlp_spans_read_as_the_file_says(name: str, external: Path) -> None:
    spans = parsed_spans(ext(name))
    items = _otlp_spans(raw(ext(name)))
    assert len(spans) == len(items)
    for span, (item, service) in zip(spans, items, strict=True):
        assert span.trace_id == item["traceId"].lower()
        assert span.span_id == item["spanId"].lower()
        assert span.parent_id == (item["parentSpanId"].lower() if item.get("parentSpanId")
                                  else None)
        assert span.service == service and span.name == item["name"]
        if "startTimeUnixNano" in item:  # numbers or decimal strings, floored to µs
            start = int(item["startTimeUnixNano"]) // 1000
            assert span.start_us == start
            assert span.duration_us == int(item["endTimeUnixNano"]) // 1000 - start
        else:
            assert span.start_us is None and span.duration_us is None


def test_otlp_every_attribute_encoding_of_jaeger_2_21(external: Path) -> None:
    spans = {s.name: s for s in parsed_spans(ext("jaeger-ui/v3-trace-local-2.21.0.json"))}
    root = spans["root-with-any-values"]
    attributes = dict(root.attributes)
    assert attributes.pop("otel.scope.name") == "lfx-proposal"
    assert attributes == {
        "array": ["first", False, 9223372036854775807],  # intValue as a string, exact
        "bytes": "010203",  # bytesValue "AQID" is base64 of 01 02 03
        "empty": "", "false": False, "float": 1.5, "integer": 0,
        "nested": {"child": ["value"]}}
    assert (root.status, root.status_message) == (STATUS_ERROR, "probe error status")
    assert root.kind == UNSPECIFIED  # no kind field at all
    assert [(e.time_us, e.name, e.attributes) for e in root.events] == [
        (1786934400000500, "retry", {"attempt": 1})]
    assert [(link.trace_id, link.span_id) for link in root.links] == [
        ("fedcba9876543210fedcba9876543210", "fedcba9876543210")]
    numeric = spans["numeric-kind-and-status"]
    assert (numeric.kind, numeric.status) == ("server", "ok")
    unset = spans["unset-kind-and-status"]
    assert (unset.kind, unset.status) == (UNSPECIFIED, "unset")


def test_otlp_upper_case_ids_and_numeric_nanos(external: Path) -> None:
    trace = load_trace(str(ext("otlp-proto/trace.json")))
    (span,) = trace.spans
    assert trace.trace_id == "5b8efff798038103d269b633813fc60c"
    assert span.span_id == "eee19b7ec3c1b174" and span.kind == "server"
    assert (span.start_us, span.duration_us) == (1544712660000000, 1_000_000)
    assert span.missing_parent_id == "eee19b7ec3c1b173"  # its parent is not in the file
    assert {w.code for w in trace.warnings} == {"orphan-span", "no-root"}


def test_otlp_api_v3_trace_without_times_or_service(external: Path) -> None:
    trace = load_trace(str(ext("jaeger/api_v3_snapshots/GetTrace.json")))
    (span,) = trace.spans
    assert trace.trace_id == "00000000000000000000000000000001"
    assert (span.span_id, span.kind, span.status) == ("0000000000000002", "server", "error")
    assert {w.code for w in trace.warnings} >= {"missing-start", "missing-duration",
                                                 "missing-service"}


def test_collector_file_exporter_one_object_per_line(external: Path, tmp_path: Path) -> None:
    doc = raw(ext("jaeger-ui/v3-trace-local-2.21.0.json"))["result"]
    block = doc["resourceSpans"][0]
    scope = block["scopeSpans"][0]
    lines = [json.dumps({"resourceSpans": [{**block, "scopeSpans": [{**scope, "spans": [span]}]}]})
             for span in scope["spans"]]  # one span per line, as batches arrive
    path = tmp_path / "export.jsonl"
    path.write_bytes(("\r\n".join(lines) + "\n\n").encode())
    found = read_traces(str(path))
    assert found.format == "otlp"
    whole = load_trace(str(ext("jaeger-ui/v3-trace-local-2.21.0.json")))
    assert select_trace(found).spans == whole.spans


def test_several_documents_that_are_not_otlp_are_refused(tmp_path: Path,
                                                         external: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(ext("zipkin-lens/envoy.json").read_text().replace("\n", "") + "\n"
                    + ext("zipkin-lens/skew.json").read_text().replace("\n", "") + "\n")
    with pytest.raises(InputError, match="not one OTLP object per line"):
        read_traces(str(path))


# -- bytes: gzip and stdin -------------------------------------------------------------------

def test_gzip_input_reads_like_the_plain_file(external: Path, tmp_path: Path) -> None:
    source = ext("zipkin-lens/yelp.json")
    packed = tmp_path / "yelp.json.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    assert load_trace(str(packed)).spans == load_trace(str(source)).spans


def test_truncated_gzip_is_an_input_error(external: Path, tmp_path: Path) -> None:
    packed = gzip.compress(ext("zipkin-lens/yelp.json").read_bytes())
    path = tmp_path / "cut.json.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match="cut.json.gz: gzip data is truncated"):
        read_input(str(path))


def test_gzip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * 5_000_000 + b"]"))
    assert path.stat().st_size < 20_000
    with pytest.raises(InputError, match="decompresses to more than 1000000 bytes"):
        read_input(str(path), max_bytes=1_000_000)


def test_stdin_dash(external: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(ext("zipkin-lens/skew.json").read_bytes())  # gzip on stdin too
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    trace = load_trace("-")
    assert trace.trace_id == "1e223ff1f80f1c69" and trace.input_span_count == 4
    assert trace.source is not None and trace.source.name == "<stdin>"


# -- one trace, three formats ----------------------------------------------------------------

def _model(trace: Trace) -> list[tuple[Any, ...]]:
    kind = {INTERNAL: UNSPECIFIED}
    return [(s.span_id, s.parent_id, s.service, s.name, kind.get(s.kind, s.kind), s.start_us,
             s.duration_us, s.status, s.status_message,
             [(e.time_us, e.name, e.attributes) for e in s.events]) for s in trace.spans]


def _read(doc: Any, name: str) -> Trace:
    return select_trace(parse_bytes(json.dumps(doc).encode(), name))


def test_the_same_sdk_trace_in_every_format_gives_the_same_model() -> None:
    recorded = sdk_trace()
    protojson = _read(sdk_to_otlp_protojson(recorded), "otlp-protobuf.json")
    zipkin = _read(sdk_to_zipkin(recorded), "zipkin.json")
    jaeger = _read(sdk_to_jaeger(recorded), "jaeger.json")
    hex_otlp = _read(to_otlp(jaeger.spans), "otlp.json")  # OTLP/JSON as the spec writes it
    assert _model(protojson) == _model(zipkin) == _model(jaeger) == _model(hex_otlp)
    assert {w.code for w in protojson.warnings} == {"id-base64"}  # protobuf JSON: base64 ids
    assert not zipkin.warnings and not jaeger.warnings
    # What the SDK recorded (see formats.sdk_trace), in µs from the request's start.
    by_name = {s.name: s for s in jaeger.spans}
    root = by_name["GET /checkout"]
    assert root.parent_id is None and jaeger.root_id == root.span_id
    assert (root.duration_us, root.status_message) == (50_000, "checkout failed")
    query = by_name["SELECT"]
    assert (query.start_us - root.start_us, query.duration_us) == (2_000, 38_000)
    assert [(e.time_us - root.start_us, e.name, e.attributes) for e in query.events] == [
        (2_500, "retry", {"attempt": 2})]
    assert by_name["process order"].parent_id == by_name["publish order"].span_id
    # Attributes keep their types where the format has types (OTLP and Jaeger).
    for trace in (protojson, jaeger):
        attrs = {s.name: s.attributes for s in trace.spans}["GET /checkout"]
        assert (attrs["http.response.status_code"], attrs["retried"], attrs["ratio"]) == \
            (500, True, 0.25)
    # Links: OTLP has them, Jaeger writes them as FOLLOWS_FROM references, Zipkin drops them.
    assert [link.span_id for link in {s.name: s for s in protojson.spans}
            ["process order"].links] == ["0000000000001234"]


def test_the_sdk_trace_analyses_the_same_in_every_format() -> None:
    recorded = sdk_trace()
    paths = [analyze(_read(doc, name)) for name, doc in (
        ("otlp.json", sdk_to_otlp_protojson(recorded)), ("zipkin.json", sdk_to_zipkin(recorded)),
        ("jaeger.json", sdk_to_jaeger(recorded)))]
    sections = [[(a.index.spans[s.span].name, s.duration_us) for s in a.sections] for a in paths]
    assert sections[0] == sections[1] == sections[2]
    # The consumer runs after its producer returned and is off the path: 50 ms of root tile as
    # root 1 ms, call 0.5, server 0.5, SELECT 38, server 5, call 1, root 1, publish 1, root 2.
    assert sections[0] == [("GET /checkout", 1000), ("POST /cart", 500), ("add_item", 500),
                           ("SELECT", 38000), ("add_item", 5000), ("POST /cart", 1000),
                           ("GET /checkout", 1000), ("publish order", 1000),
                           ("GET /checkout", 2000)]


# -- every real file, end to end ---------------------------------------------------------------

@pytest.mark.parametrize("path", ZIPKIN + [ext(f) for f in OTLP_FILES + JAEGER_FILES],
                         ids=lambda p: str(p.relative_to(EXTERNAL)))
def test_every_real_file_analyses_with_its_invariants(path: Path, external: Path) -> None:
    trace = load_trace(str(path))
    counts = trace.accounting()
    assert counts["analysed"] + counts["merged"] + counts["rejected"] == counts["input"]
    analysis = analyze(trace)
    assert sum(s.duration_us for s in analysis.sections) == analysis.root_duration_us
    assert all(0 <= v for v in analysis.self_us)


def test_a_directory_expands_to_the_trace_files_sorted_rglob_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracewhy.sources import TRACE_SUFFIXES, expand_paths

    for name in ("a.json", "a-b.json", "a/b.json", "a/c/d.jsonl.gz", "a/.hidden.json",
                 ".dir/e.ndjson", "b/f.txt", "b/g.json.gz", "z.jsonl", "a/b/x.json"):
        path = tmp_path / "traces" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.json").write_text("{}")
    (tmp_path / "traces" / "to-file.json").symlink_to(outside / "o.json")
    (tmp_path / "traces" / "to-dir").symlink_to(outside)
    (tmp_path / "traces" / "broken.json").symlink_to(tmp_path / "nowhere.json")
    (tmp_path / "traces" / "dir.json").mkdir()

    def sorted_rglob(directory: str) -> list[str]:
        return [str(p) for p in sorted(Path(directory).rglob("*")) if p.is_file()
                and p.name.endswith(TRACE_SUFFIXES) and not p.name.startswith(".")]

    monkeypatch.chdir(tmp_path)
    for directory in (str(tmp_path / "traces"), f"{tmp_path}/traces/", "traces", "./traces"):
        assert expand_paths([directory]) == sorted_rglob(directory)
    monkeypatch.chdir(tmp_path / "traces")
    assert expand_paths(["."]) == sorted_rglob(".")
    # part by part, not as strings: "a/b/x.json" before "a/b.json", "a/..." before "a-b.json"
    assert expand_paths(["."])[:5] == [".dir/e.ndjson", "a/b/x.json", "a/b.json",
                                       "a/c/d.jsonl.gz", "a-b.json"]
    assert "to-file.json" in expand_paths(["."]) and "broken.json" not in expand_paths(["."])


def test_ids_written_as_json_numbers_are_read_and_said() -> None:
    """Every format writes ids as strings; a producer that writes numbers gets its ids read as
    the number in hex (as Jaeger's old int64 ids meant) and a numeric-id warning per id seen."""
    t0 = 1_700_000_000_000_000
    zipkin = [{"traceId": "463ac35c9f6413ad", "id": 123, "name": "get", "timestamp": t0,
               "duration": 100, "localEndpoint": {"serviceName": "a"}},
              {"traceId": "463ac35c9f6413ad", "id": "7c", "parentId": 123, "name": "db",
               "timestamp": t0 + 10, "duration": 50, "localEndpoint": {"serviceName": "b"}}]
    jaeger = {"data": [{"traceID": "463ac35c9f6413ad", "processes": {"p": {"serviceName": "a"}},
                        "spans": [{"traceID": "463ac35c9f6413ad", "spanID": 255,
                                   "operationName": "get", "startTime": t0, "duration": 100,
                                   "processID": "p", "references": []}]}]}
    for doc, name, root_id, numbers in ((zipkin, "z.json", f"{123:016x}", 2),
                                        (jaeger, "j.json", f"{255:016x}", 1)):
        trace = _read(doc, name)
        assert trace.root_id == root_id
        warning = next(w for w in trace.warnings if w.code == "numeric-id")
        assert warning.message.startswith(f"{numbers} id(s) were JSON numbers")
    # the same trace with string ids: same ids, no warning
    plain = _read([dict(zipkin[0], id="7b"), dict(zipkin[1], parentId="7b")], "z.json")
    assert "numeric-id" not in {w.code for w in plain.warnings}
    assert plain.root_id == f"{123:016x}" and plain.spans[1].parent_id == plain.root_id


@pytest.mark.parametrize(("start", "end"), [
    (b'{"data":[{"traceID":"0af7651916cd43dd","x":', b"}]}"),
    (b'{"resourceSpans":[{"x":', b"}]}"),
    (b'[{"traceId":"0af7651916cd43dd","id":"0af7651916cd43dd","x":', b"}]"),
], ids=["jaeger", "otlp", "zipkin"])
def test_nesting_too_deep_for_the_fast_readers_is_refused_with_its_depth(start: bytes,
                                                                          end: bytes) -> None:
    """msgspec gives up on deep nesting with a RecursionError (even inside a key it skips); the
    tolerant reader must get the input and say what is wrong, not the CLI's "internal error"."""
    data = start + b"[" * 5000 + b"]" * 5000 + end
    with pytest.raises(InputError, match="nested deeper than 1024 levels"):
        parse_bytes(data, "deep.json")


def _otlp_span_doc(start: str, attributes: list[dict[str, Any]]) -> bytes:
    span = {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "00f067aa0ba902b7",
            "kind": 2, "name": "GET /", "startTimeUnixNano": start,
            "endTimeUnixNano": "2000000", "attributes": attributes}
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}).encode()


def test_decimal_strings_longer_than_int_reads_are_repaired_not_a_crash() -> None:
    """OTLP writes int64 as decimal text; int() refuses text of over 4300 digits (CPython's
    guard).  Such a time is a missing time, such an attribute an unreadable value: said, kept."""
    big = "9" * 5000
    trace = select_trace(parse_bytes(_otlp_span_doc(big, []), "big-time.json"))
    assert trace.spans[0].start_us == 0
    assert "missing-start" in {w.code for w in trace.warnings}
    attribute = [{"key": "n", "value": {"intValue": big}}]
    trace = select_trace(parse_bytes(_otlp_span_doc("1000000", attribute), "big-int.json"))
    assert trace.spans[0].attributes == {"n": None} and trace.spans[0].start_us == 1000
    assert "unreadable-value" in {w.code for w in trace.warnings}


def test_a_status_code_of_more_digits_than_int_reads_is_no_status() -> None:
    from tests.support.sdk import SdkTraceBuilder

    b = SdkTraceBuilder()
    b.span("api", "GET /", 0, 10, kind="server", http__status_code="9" * 5000)
    analysis = analyze(b.trace())
    assert analysis.error == [False]
