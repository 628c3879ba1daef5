"""The fast path for well-formed input: decode JSON straight into typed structs (msgspec).

Most inputs are exactly what their backend wrote.  Decoding those into structs that hold only
the fields we read skips building a Python dict for every span, tag and reference, which is
most of the cost of reading a big trace.  Anything that does not fit the types exactly (a time
as a string, a tag that is not an object, a NaN, invalid UTF-8, an unknown shape) makes the
decoder refuse, and the tolerant reader (``decode_json`` + the format parsers) reads it instead,
with all its repairs and warnings.  Both paths build spans with the same functions, and a test
holds them to the same result on every real trace we have.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from sys import intern
from typing import Any

import msgspec

from tracewhy.sources.common import IdCanon, ParseResult
from tracewhy.sources.jaeger import build_span, log_event, note_warnings, typed_value

_JAEGER_START = re.compile(rb'\s*\{\s*"data"\s*:\s*\[')


class _Tag(msgspec.Struct):
    key: str
    value: Any = None
    type: str = "string"


class _Ref(msgspec.Struct):
    refType: str = ""
    traceID: str = ""
    spanID: str = ""


class _Log(msgspec.Struct):
    timestamp: int = 0
    fields: list[_Tag] = []


class _Process(msgspec.Struct):
    serviceName: str = ""
    tags: list[_Tag] = []


class _Span(msgspec.Struct):
    spanID: str = ""
    traceID: str = ""
    operationName: str = ""
    references: list[_Ref] = []
    parentSpanID: str = ""
    startTime: int | None = None
    duration: int | None = None
    tags: list[_Tag] = []
    logs: list[_Log] = []
    processID: str = ""
    process: _Process | None = None
    warnings: list[str] | None = None


class _Trace(msgspec.Struct):
    traceID: str = ""
    spans: list[_Span] = []
    processes: dict[str, _Process] = {}
    warnings: list[str] | None = None


class _JaegerDoc(msgspec.Struct):
    data: list[_Trace]


_JAEGER = msgspec.json.Decoder(_JaegerDoc)


def parse_typed(data: bytes, fmt: str | None,
                keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    """The input read on the fast path, or None when it is not plainly well-formed."""
    if fmt in (None, "jaeger") and _JAEGER_START.match(data):
        try:
            doc = _JAEGER.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        return _jaeger(doc, keep)
    return None


def _tags(tags: list[_Tag]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tag in tags:
        value = tag.value
        if type(value) is str and tag.type != "string":
            value = typed_value(tag.type, value)
        out[intern(tag.key)] = value  # keys repeat on every span: share one string each
    return out


def _jaeger(doc: _JaegerDoc, keep: Callable[[str], bool] | None) -> ParseResult:
    result = ParseResult("jaeger", keep=keep)
    ids = IdCanon()
    for trace in doc.data:
        processes = {pid: (p.serviceName, _tags(p.tags)) for pid, p in trace.processes.items()}
        no_process: tuple[str, dict[str, Any]] = ("", {})
        span_warnings: dict[str, dict[str, list[str]]] = {}
        trace_id = ids.trace(trace.traceID) if trace.traceID else ""
        append = result.spans.append
        for position, raw in enumerate(trace.spans):
            if raw.process is not None:
                service, resource = raw.process.serviceName, _tags(raw.process.tags)
            else:
                service, resource = processes.get(raw.processID, no_process)
            refs = [(r.refType, r.traceID, r.spanID) for r in raw.references]
            events = tuple(log_event(log.timestamp, _tags(log.fields)) for log in raw.logs) \
                if raw.logs else ()
            span = build_span(result, ids, position, raw.traceID or trace.traceID, raw.spanID,
                              raw.operationName, refs, raw.parentSpanID, raw.startTime,
                              raw.duration, _tags(raw.tags), service, resource, events)
            if span is None:
                continue
            append(span)
            trace_id = trace_id or span.trace_id
            if raw.warnings:
                span_warnings.setdefault(span.trace_id, {})[span.span_id] = list(raw.warnings)
        note_warnings(result, trace_id, trace.warnings, span_warnings)
    return result
