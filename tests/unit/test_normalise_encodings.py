"""ROBUSTNESS.md A10 (and the huge values of A8): odd bytes and numbers are read safely and
counted, never a crash, and what was read can always be written back out as UTF-8."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from tracewhy.analysis.analyze import analyze
from tracewhy.errors import InputError
from tracewhy.model import Trace
from tracewhy.render.json import render_json
from tracewhy.render.text import render_text
from tracewhy.sources import load_trace, parse_bytes, select_trace
from tracewhy.sources.otlp import MAX_VALUE_DEPTH

CATALOGUE = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"
TID = "0af7651916cd43dd8448eb211c80319c"


def load(name: str) -> Trace:
    return load_trace(str(CATALOGUE / name))


def counts(trace: Trace) -> dict[str, str]:
    return {w.code: w.message for w in trace.warnings}


def writes_back(trace: Trace) -> str:
    """Render both outputs and encode them strictly: a lone surrogate would raise here."""
    analysis = analyze(trace)
    render_text(analysis).encode("utf-8")
    text = render_json(analysis)
    text.encode("utf-8")
    json.loads(text)
    return text


def test_bom_is_skipped_silently() -> None:
    trace = load("a10-bom.json")
    assert [s.name for s in trace.spans] == ["with BOM"] and trace.warnings == []


def test_invalid_utf8_is_replaced_and_counted() -> None:
    trace = load("a10-invalid-utf8.json")
    assert trace.spans[0].name == "caf\ufffd au lait"
    assert counts(trace)["invalid-utf8"].startswith("1 byte sequence(s)")
    writes_back(trace)


def test_lone_surrogates_are_replaced_everywhere_keys_too() -> None:
    trace = load("a10-lone-surrogate.json")
    span = trace.spans[0]
    assert span.name == "half \ufffd emoji"
    assert span.attributes == {"k\ufffd": "v\ufffd"}
    assert counts(trace)["lone-surrogate"].startswith("3 string(s)")  # name, tag key, tag value
    assert "\ufffd" in writes_back(trace)


def test_a_paired_surrogate_escape_is_an_ordinary_character() -> None:
    data = ('[{"traceId": "' + TID + '", "id": "1", "name": "\\ud83d\\ude00", '
            '"timestamp": 1700000000000000, "duration": 5}]').encode()
    trace = select_trace(parse_bytes(data, "emoji.json"))
    assert trace.spans[0].name == "\U0001f600" and "lone-surrogate" not in counts(trace)


def test_nan_and_infinity_are_read_as_missing_and_counted() -> None:
    trace = load("a10-non-finite.json")
    span = trace.spans[0]
    assert counts(trace)["non-finite-number"].startswith("2 NaN/Infinity")
    assert span.attributes["ratio"] is None
    assert span.duration_us == 0 and "missing-duration" in counts(trace)
    writes_back(trace)


def test_an_integer_of_4500_digits_is_read_as_missing_not_a_crash() -> None:
    # Python's int() refuses more than 4300 digits (ValueError); the reader must not.
    trace = load("a10-huge-int.json")
    assert counts(trace)["huge-number"].startswith("1 integer(s)")
    assert trace.spans[0].duration_us == 0
    writes_back(trace)


def test_json_nested_beyond_the_parser_limit_is_refused_with_one_line() -> None:
    with pytest.raises(InputError) as caught:
        load("a10-deep-json.json")
    message = caught.value.one_line()
    assert "a10-deep-json.json" in message and "nested" in message and "\n" not in message


def test_deeply_nested_attribute_values_are_cut_and_counted() -> None:
    trace = load("a10-deep-attribute.otlp.json")
    assert counts(trace)["deep-nesting"].startswith("1 attribute value(s)")
    value, depth = trace.spans[0].attributes["deep"], 0
    while isinstance(value, dict):
        (value,) = value.values()
        depth += 1
    assert depth == MAX_VALUE_DEPTH and value == "<value nested too deeply; cut>"
    writes_back(trace)


def test_a_one_megabyte_tag_value_is_kept_whole() -> None:
    big = "x" * 1_000_000
    doc = [{"traceId": TID, "id": "1", "name": "big", "timestamp": 1_700_000_000_000_000,
            "duration": 5, "tags": {"sql": big}}]
    trace = select_trace(parse_bytes(orjson.dumps(doc), "big.json"))
    assert trace.spans[0].attributes["sql"] == big
    assert len(render_text(analyze(trace))) < 10_000  # the summary does not print it


def test_integers_beyond_64_bits_in_attributes_do_not_crash() -> None:
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": TID, "spanId": "0000000000000001", "name": "n",
        "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000000005000",
        "attributes": [{"key": "big", "value": {"intValue": "1" + "0" * 30}},
                       {"key": "bigger", "value": {"intValue": 10**30}}]}]}]}]}
    trace = select_trace(parse_bytes(json.dumps(doc).encode(), "big-int.json"))
    assert trace.spans[0].attributes["big"] == 10**30  # decimal string: exact
    assert trace.spans[0].duration_us == 5
    writes_back(trace)


def test_otel_zipkin_event_text_with_escaped_surrogates_stays_text() -> None:
    """The Zipkin reader decodes OTel's '{"event": {attrs}}' annotations; an escaped lone
    surrogate inside that text must not come out as a real one."""
    doc = [{"traceId": TID, "id": "1", "name": "r", "timestamp": 1_700_000_000_000_000,
            "duration": 5, "annotations": [
                {"timestamp": 1_700_000_000_000_001, "value": '{"\\ud800": {"k": 1}}'},
                {"timestamp": 1_700_000_000_000_002, "value": '{"retry": {"attempt": 2}}'}]}]
    trace = select_trace(parse_bytes(json.dumps(doc).encode(), "events.json"))
    first, second = trace.spans[0].events
    assert first.name == '{"\\ud800": {"k": 1}}' and first.attributes == {}
    assert (second.name, second.attributes) == ("retry", {"attempt": 2})


def test_malformed_otlp_array_and_kvlist_values_read_as_empty() -> None:
    """Found by the fuzz test in test_properties: ``"values": 1`` crashed the OTLP reader."""
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": TID, "spanId": "0000000000000001", "name": "n",
        "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000000005000",
        "attributes": [{"key": "a", "value": {"arrayValue": {"values": 1}}},
                       {"key": "k", "value": {"kvlistValue": {"values": "x"}}},
                       {"key": "n", "value": {"arrayValue": None}}]}]}]}]}
    trace = select_trace(parse_bytes(json.dumps(doc).encode(), "odd-values.json"))
    # a null field is no value at all, as the typed reader reads it
    assert trace.spans[0].attributes == {"a": [], "k": {}, "n": None}
