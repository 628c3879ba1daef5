"""Every scenario's files read back through tracewhy's own readers, with no warning at all,
and the OTLP, Jaeger and Zipkin forms of a trace say the same thing."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from opentelemetry.exporter.zipkin.json.v2 import JsonV2Encoder
from opentelemetry.exporter.zipkin.node_endpoint import NodeEndpoint

from tracewhy.demo import SCENARIOS, generate
from tracewhy.demo.output import JAEGER_FILE, OTLP_FILE, WORST_FILE, render_run
from tracewhy.demo.run import DemoRun
from tracewhy.model import Span, Trace
from tracewhy.normalise import normalise
from tracewhy.sources import TraceInput, load_trace, parse_bytes, read_traces

TRACES = 60


@cache
def _run(name: str) -> tuple[DemoRun, dict[str, str]]:
    run = generate(name, TRACES, 3)
    return run, render_run(run)


def _write(tmp_path: Path, name: str) -> Path:
    for file, text in _run(name)[1].items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    return tmp_path


def _traces(found: TraceInput) -> dict[str, Trace]:
    """Each trace normalised on its own, as if it were alone in the file."""
    return {tid: normalise(spans, tid, notes=found.notes) for tid, spans in found.traces.items()}


def _essence(span: Span) -> tuple[object, ...]:
    return (span.span_id, span.parent_id, span.service, span.name, span.kind, span.start_us,
            span.duration_us, span.status, span.status_message, span.attributes,
            [(e.time_us, e.name, e.attributes) for e in span.events])


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("file", [OTLP_FILE, JAEGER_FILE])
def test_every_trace_reads_back_with_no_warning(tmp_path: Path, name: str, file: str) -> None:
    run, _ = _run(name)
    found = read_traces(str(_write(tmp_path, name) / file))
    assert found.format == ("otlp" if file == OTLP_FILE else "jaeger")
    assert not found.notes.counts and not found.notes.rejected and not found.notes.warnings
    assert list(found.traces) == [record.trace_id for record in run.records]
    for record, trace in zip(run.records, _traces(found).values(), strict=True):
        assert trace.warnings == [], [w.to_dict() for w in trace.warnings]
        assert len(trace.spans) == len(record.spans)
        assert trace.root_id == record.root.span_id


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_otlp_and_jaeger_files_hold_the_same_spans(tmp_path: Path, name: str) -> None:
    folder = _write(tmp_path, name)
    otlp = _traces(read_traces(str(folder / OTLP_FILE)))
    jaeger = _traces(read_traces(str(folder / JAEGER_FILE)))
    assert otlp.keys() == jaeger.keys()
    for tid, trace in otlp.items():
        ours = {s.span_id: s for s in jaeger[tid].spans}
        for span in trace.spans:
            theirs = ours[span.span_id]
            # Jaeger's translator adds the scope and status as tags; the rest is identical
            extra = {k: v for k, v in theirs.attributes.items()
                     if k.startswith("otel.") or k in ("span.kind", "error")}
            stripped = {k: v for k, v in theirs.attributes.items() if k not in extra}
            assert _essence(span)[:9] == _essence(theirs)[:9]
            assert {k: v for k, v in span.attributes.items() if k != "otel.scope.name"} \
                == stripped
            assert span.resource == {**theirs.resource, "service.name": span.service}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_worst_trace_file_loads_alone_with_no_warning(tmp_path: Path, name: str) -> None:
    run, _ = _run(name)
    trace = load_trace(str(_write(tmp_path, name) / WORST_FILE))
    assert trace.trace_id == run.worst().trace_id
    assert trace.warnings == [] and trace.source is not None
    assert trace.source.other_trace_ids == ()


def _zipkin_form(name: str) -> dict[str, Trace]:
    """The spans as the SDK's Zipkin exporter encodes them (its real encoder), read back."""
    run, _ = _run(name)
    encoded = []
    for span in run.all_spans():
        endpoint = NodeEndpoint()
        endpoint.service_name = str(span.resource.attributes["service.name"])
        encoded.extend(json.loads(JsonV2Encoder().serialize([span], endpoint)))  # type: ignore[list-item]
    found = parse_bytes(json.dumps(encoded).encode(), "zipkin.json")
    assert not found.notes.counts and not found.notes.rejected
    return _traces(found)


@pytest.mark.parametrize("name", ["mesh-retry-storm", "inference-oom"])
def test_the_zipkin_form_keeps_tree_times_and_names(name: str) -> None:
    run, _ = _run(name)
    zipkin = _zipkin_form(name)
    for record in run.records:
        trace = zipkin[record.trace_id]
        assert trace.warnings == []
        by_id = {s.span_id: s for s in trace.spans}
        for node in record.root.walk():
            span = by_id[node.span_id]
            assert (span.start_us, span.duration_us) == (node.start_us,
                                                         node.end_us - node.start_us)
            assert span.service == node.process.service and span.name == node.name
        assert {s.parent_id for s in trace.spans} - set(by_id) == {None}


def test_the_zipkin_form_keeps_every_error_status() -> None:
    run, _ = _run("mesh-retry-storm")
    zipkin = _zipkin_form("mesh-retry-storm")
    for record in run.records:
        statuses = {s.span_id: s.status for s in zipkin[record.trace_id].spans}
        for node in record.root.walk():
            assert (statuses[node.span_id] == "error") == (node.error is not None)
