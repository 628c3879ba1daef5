"""The demo's building blocks: the virtual clock, cancellation, seeded ids, the encoders."""

from __future__ import annotations

import random

import pytest

from tracewhy.demo.emit import Emitter, SeededIdGenerator
from tracewhy.demo.jaeger_json import encode_trace
from tracewhy.demo.otlp_json import any_value, encode_traces
from tracewhy.demo.sim import CLIENT, INTERNAL, SERVER, Builder, Dice, Process, cut

APP = Process("app", "1.0", "app-0", "10.0.0.1", "app", "python")
PROXY = Process("app.ml-serving", "1.24", "app-0", "10.0.0.1", "istio-proxy", "cpp")
OTHER = Process("db-api", "2.0", "db-0", "10.0.0.2", "db-api", "python")


def _builder(start: int = 1_000_000) -> Builder:
    return Builder(Dice(random.Random(7)), start)


def test_spans_nest_on_the_virtual_clock() -> None:
    b = _builder()
    with b.span(APP, "s", "root", SERVER) as root:
        b.wait(100)
        with b.span(APP, "s", "child", INTERNAL) as child:
            b.wait(250)
        b.wait(50)
    assert (root.start_us, root.end_us) == (1_000_000, 1_000_400)
    assert (child.start_us, child.end_us) == (1_000_100, 1_000_350)
    assert b.root is root and root.children == [child]


def test_an_instant_span_still_lasts_a_microsecond() -> None:
    b = _builder()
    with b.span(APP, "s", "root", SERVER), b.span(APP, "s", "instant", INTERNAL) as instant:
        pass
    assert instant.end_us - instant.start_us == 1


def test_a_trace_has_one_root() -> None:
    b = _builder()
    with b.span(APP, "s", "root", SERVER):
        pass
    with pytest.raises(RuntimeError), b.span(APP, "s", "second", SERVER):
        pass


def test_cut_ends_open_work_inside_the_deadline_and_drops_work_not_started() -> None:
    b = _builder(0)
    with b.span(APP, "s", "client", CLIENT) as client:
        with b.span(PROXY, "envoy", "proxy", CLIENT, {"component": "proxy",
                                                      "http.response.status_code": 200}) as proxy:
            b.wait(10)
            with b.span(OTHER, "s", "done early", SERVER) as early:
                b.wait(20)
            with b.span(OTHER, "s", "still running", SERVER,
                        {"http.response.status_code": 200}) as running:
                b.wait(1000)
            with b.span(OTHER, "s", "never started", SERVER):
                b.wait(5)
        proxy.error = ""
    cut(client, 100)
    assert client.end_us == 100
    assert proxy.end_us == 99 and proxy.attributes["response_flags"] == "DC"
    assert proxy.error is None and "http.response.status_code" not in proxy.attributes
    assert (early.start_us, early.end_us) == (10, 30)  # finished before: untouched
    assert running.end_us == 98 and "http.response.status_code" not in running.attributes
    assert [c.name for c in proxy.children] == ["done early", "still running"]


def test_dice_are_seeded() -> None:
    first = Dice(random.Random("x"))
    second = Dice(random.Random("x"))
    assert [first.us(1000) for _ in range(5)] == [second.us(1000) for _ in range(5)]
    assert all(value >= 1 for value in (first.us(1, 3.0) for _ in range(200)))


def test_seeded_ids_repeat_for_a_seed_and_differ_between_seeds() -> None:
    a, b, c = SeededIdGenerator(1), SeededIdGenerator(1), SeededIdGenerator(2)
    ids_a = [a.generate_trace_id(), a.generate_span_id()]
    assert ids_a == [b.generate_trace_id(), b.generate_span_id()]
    assert ids_a != [c.generate_trace_id(), c.generate_span_id()]
    assert 0 < ids_a[0] < 2**128 and 0 < ids_a[1] < 2**64


def _emitted() -> list:  # type: ignore[type-arg]
    b = _builder(1_700_000_000_000_000)
    with b.span(APP, "s", "GET /x", CLIENT, {"n": 3, "ok": True, "ratio": 0.5, "tags": ["a"]}):
        b.wait(10)
        with b.span(OTHER, "s", "GET /x", SERVER) as server:
            b.event("exception", {"exception.type": "torch.OutOfMemoryError",
                                  "exception.message": "CUDA out of memory"})
            server.error = "boom"
            b.wait(20)
    assert b.root is not None
    return Emitter(5).emit(b.root)


def test_the_sdk_records_exceptions_with_the_real_library_type() -> None:
    server = next(s for s in _emitted() if s.name == "GET /x" and s.kind.name == "SERVER")
    event = server.events[0]
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "torch.OutOfMemoryError"
    assert event.attributes["exception.message"] == "CUDA out of memory"
    assert server.status.description == "boom"


def test_a_call_into_another_process_has_a_remote_parent() -> None:
    spans = {s.kind.name: s for s in _emitted()}
    client, server = spans["CLIENT"], spans["SERVER"]
    assert server.parent is not None and server.parent.is_remote
    assert server.parent.span_id == client.context.span_id
    assert server.resource.attributes["service.name"] == "db-api"
    assert client.resource.attributes["service.name"] == "app"


def test_otlp_json_uses_the_protocol_json_mapping() -> None:
    spans = sorted(_emitted(), key=lambda s: s.start_time)
    doc = encode_traces(spans)
    first = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert len(first["traceId"]) == 32 and len(first["spanId"]) == 16
    assert first["kind"] == 3 and first["startTimeUnixNano"] == "1700000000000000000"
    assert "parentSpanId" not in first and first["status"] == {}
    values = {a["key"]: a["value"] for a in first["attributes"]}
    assert values["n"] == {"intValue": "3"} and values["ok"] == {"boolValue": True}
    assert values["ratio"] == {"doubleValue": 0.5}
    assert values["tags"] == {"arrayValue": {"values": [{"stringValue": "a"}]}}
    server = doc["resourceSpans"][1]["scopeSpans"][0]["spans"][0]
    assert server["status"] == {"message": "boom", "code": 2}
    assert server["flags"] == 0x300  # the parent's is_remote is known, and true


def test_any_value_refuses_what_otel_cannot_hold() -> None:
    with pytest.raises(TypeError):
        any_value({"a": 1})


def test_jaeger_json_has_typed_tags_processes_references_and_logs() -> None:
    spans = sorted(_emitted(), key=lambda s: s.start_time)
    trace = encode_trace(spans)
    client, server = trace["spans"]
    assert trace["processes"][client["processID"]]["serviceName"] == "app"
    assert trace["processes"][server["processID"]]["serviceName"] == "db-api"
    assert server["references"] == [{"refType": "CHILD_OF", "traceID": trace["traceID"],
                                     "spanID": client["spanID"]}]
    tags = {t["key"]: t for t in client["tags"]}
    assert tags["n"]["type"] == "int64" and tags["ratio"]["type"] == "float64"
    assert tags["span.kind"]["value"] == "client" and tags["tags"]["value"] == '["a"]'
    server_tags = {t["key"]: t["value"] for t in server["tags"]}
    assert server_tags["error"] is True and server_tags["otel.status_code"] == "ERROR"
    assert server["logs"][0]["fields"][0] == {"key": "event", "type": "string",
                                              "value": "exception"}
    assert (server["startTime"], server["duration"]) == (1_700_000_000_000_010, 20)
