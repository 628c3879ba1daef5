"""The JSON renderer writes the critical path as text of its own: it must be what orjson writes."""

from __future__ import annotations

import json

import orjson
import pytest

from tracewhy.analysis.analyze import analyze
from tracewhy.render.json import analysis_to_dict, render_json
from tracewhy.render.redact import Redactor
from tracewhy.sources import parse_bytes, select_trace


def _jaeger(span_ids: list[str], service: str, operation: str) -> bytes:
    """A chain of spans, each 10 µs inside its parent, so every span is on the critical path."""
    spans = []
    for depth, span_id in enumerate(span_ids):
        refs = [{"refType": "CHILD_OF", "traceID": "t1", "spanID": span_ids[depth - 1]}] \
            if depth else []
        spans.append({"traceID": "t1", "spanID": span_id, "operationName": f"{operation}{depth}",
                      "references": refs, "startTime": 1_000_000 + 10 * depth,
                      "duration": 1000 - 20 * depth, "tags": [], "processID": "p1"})
    doc = {"data": [{"traceID": "t1", "spans": spans,
                     "processes": {"p1": {"serviceName": service, "tags": []}}}]}
    return json.dumps(doc).encode()


@pytest.mark.parametrize(("span_ids", "service", "operation"), [
    (["a1", "b2", "c3"], "svc", "GET /x"),
    (['q"1', "b\\2", "c\n3"], 'svc "quoted"', "op\twith\u2028odd\x7f chars é"),
])
def test_critical_path_text_is_what_orjson_writes(span_ids: list[str], service: str,
                                                  operation: str) -> None:
    trace = select_trace(parse_bytes(_jaeger(span_ids, service, operation), "t.json"))
    analysis = analyze(trace)
    assert len(analysis.sections) > len(span_ids)  # parents hold time before and after a child
    expected = orjson.dumps(analysis_to_dict(analysis),
                            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
    assert render_json(analysis) == expected


@pytest.mark.parametrize("value", ["4111111111111111", "AKIAABCDEFGHIJKLMNOP"])
def test_ids_that_look_like_secrets_are_still_masked(value: str) -> None:
    assert Redactor().text(value) != value


def test_hex_span_ids_pass_unmasked() -> None:
    redactor = Redactor()
    assert redactor.text("05e575fa4183355c") == "05e575fa4183355c"
    assert not redactor.notes()
