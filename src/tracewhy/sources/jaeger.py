"""Jaeger query-API JSON (``/api/traces/{id}``, the UI's download): ``{"data": [trace...]}``.

Times are microseconds.  The parent is the first CHILD_OF reference in the same trace, else the
first FOLLOWS_FROM one (marking the span as not awaited), else the deprecated ``parentSpanID``;
every other reference becomes a link.  ``span.kind`` and ``otel.status_code`` tags, which
Jaeger's OTLP translator writes, become the span's kind and status.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from tracewhy.model import (
    CHILD_OF,
    FOLLOWS_FROM,
    KINDS,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNSET,
    UNSPECIFIED,
    DataWarning,
    Event,
    Link,
    Span,
)
from tracewhy.sources.common import (
    IdCanon,
    ParseResult,
    as_int,
    as_text,
    error_tag_set,
    kept,
    shared_text,
)

FORMAT = "jaeger"


def parse_jaeger(doc: Any, keep: Callable[[str], bool] | None = None) -> ParseResult:
    result = ParseResult(FORMAT, keep=keep)
    ids = IdCanon(result)
    for trace in _traces(doc):
        _parse_trace(trace, result, ids)
    return result


def _traces(doc: Any) -> list[Any]:
    if isinstance(doc, dict) and "data" in doc:
        data = doc["data"]
        return data if isinstance(data, list) else [data]
    if isinstance(doc, list):
        return doc
    return [doc]


def _parse_trace(trace: Any, result: ParseResult, ids: IdCanon) -> None:
    if not isinstance(trace, dict):
        result.reject("trace", f"expected a trace object, got {type(trace).__name__}")
        return
    processes = _processes(trace.get("processes"))
    default_tid = trace.get("traceID")
    spans = trace.get("spans")
    if not isinstance(spans, list):
        result.reject("trace", "trace has no 'spans' list")
        return
    span_warnings: dict[str, dict[str, list[str]]] = {}  # trace id -> span id -> texts
    trace_id = ids.trace(default_tid) if default_tid else ""
    for position, raw in enumerate(spans):
        span = _parse_span(raw, position, default_tid, processes, result, ids)
        if span is not None:
            result.spans.append(span)
            trace_id = trace_id or span.trace_id
            if isinstance(raw.get("warnings"), list) and raw["warnings"]:
                span_warnings.setdefault(span.trace_id, {})[span.span_id] = \
                    [as_text(w) for w in raw["warnings"]]
    note_warnings(result, trace_id, trace.get("warnings"), span_warnings)


def note_warnings(result: ParseResult, trace_id: str, backend_warnings: Any,
                  span_warnings: dict[str, dict[str, list[str]]]) -> None:
    """Warnings Jaeger attached to the trace and to spans, kept with the trace they concern."""
    if isinstance(backend_warnings, list) and backend_warnings and trace_id:
        result.warn(trace_id, DataWarning(
            "backend-warning", "Jaeger attached warnings to the trace: "
            + "; ".join(as_text(w) for w in backend_warnings)[:500]))
    for tid, warned in span_warnings.items():  # Jaeger's adjusters note repairs on the span
        texts = sorted({text for found in warned.values() for text in found})
        result.warn(tid, DataWarning(
            "backend-warning", f"Jaeger attached warnings to {len(warned)} span(s): "
            + "; ".join(texts)[:500], tuple(sorted(warned))))


def _processes(raw: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    if isinstance(raw, dict):
        for pid, proc in raw.items():
            if isinstance(proc, dict):
                out[pid] = (as_text(proc.get("serviceName")), _tags(proc.get("tags")))
    return out


def _tags(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, list):
        return {}
    out: dict[str, Any] = {}
    for tag in raw:
        if isinstance(tag, dict) and "key" in tag:
            key, value = tag["key"], tag.get("value")
            if isinstance(value, str) and tag.get("type") != "string":  # only text is converted
                value = typed_value(tag.get("type"), value)
            out[shared_text(key)] = value
    return out


def typed_value(kind: Any, value: Any) -> Any:
    """Honour the tag's declared type, so Jaeger and OTLP give the same attribute values.

    Jaeger writes int64 values beyond 2^53 as strings (JavaScript cannot hold them) and binary
    values as base64; OTLP's reader turns the same values into int and hex, so we do too.
    """
    kind = as_text(kind).lower()
    if kind == "int64" and isinstance(value, str):
        number = as_int(value)
        return value if number is None else number
    if kind == "float64" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "bool" and isinstance(value, str):
        return value.strip().lower() == "true"
    if kind == "binary" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True).hex()
        except (binascii.Error, ValueError):
            return value
    return value


def _parse_span(raw: Any, position: int, default_tid: Any,
                processes: dict[str, tuple[str, dict[str, Any]]],
                result: ParseResult, ids: IdCanon) -> Span | None:
    if not isinstance(raw, dict):
        result.reject(f"span #{position}", f"expected a span object, got {type(raw).__name__}")
        return None
    process = raw.get("process")
    if isinstance(process, dict):  # the UI's in-memory model inlines the process
        service, resource = as_text(process.get("serviceName")), _tags(process.get("tags"))
    else:
        service, resource = processes.get(as_text(raw.get("processID")), ("", {}))
    refs = raw.get("references")
    return build_span(
        result, ids, position, raw.get("traceID") or default_tid, raw.get("spanID"),
        raw.get("operationName"), _reference_tuples(refs) if type(refs) is list else (),
        raw.get("parentSpanID"), raw.get("startTime"), raw.get("duration"),
        _tags(raw.get("tags")), service, resource, _logs(raw.get("logs")))


Reference = tuple[Any, Any, Any]  # (refType, traceID, spanID) as found


def _reference_tuples(refs: list[Any]) -> list[Reference]:
    return [(ref.get("refType"), ref.get("traceID"), ref.get("spanID"))
            for ref in refs if isinstance(ref, dict)]


# A tag's kind -> the model's own string: one shared object, so kind checks on a million
# spans compare identities instead of characters.
KIND_NAMES = {kind: kind for kind in KINDS}


def build_span(result: ParseResult, ids: IdCanon, position: int, raw_trace_id: Any,
               raw_span_id: Any, name: Any, refs: Sequence[Reference], legacy_parent: Any,
               start: Any, duration: Any, attributes: dict[str, Any], service: str,
               resource: dict[str, Any], events: tuple[Event, ...]) -> Span | None:
    """One Jaeger span from its fields, however they were decoded (dicts or typed structs)."""
    trace_id = ids.trace(raw_trace_id)
    span_id = ids.span(raw_span_id, trace_id)
    if not trace_id or not span_id or span_id.strip("0") == "":
        result.reject(span_id or f"span #{position}", "missing or all-zero trace/span id")
        return None
    parent_id, parent_ref, links = _references(refs, legacy_parent, trace_id, result, ids)
    raw_kind = attributes.get("span.kind")
    kind = KIND_NAMES.get(raw_kind) if type(raw_kind) is str else None
    if kind is None:
        kind = KIND_NAMES.get(as_text(raw_kind).lower(), UNSPECIFIED)
    status, message = span_status(attributes)
    start_us = start if type(start) is int else as_int(start)
    duration_us = duration if type(duration) is int else as_int(duration)
    # Positional: Span is built for every span, and keywords cost 2-3x here.
    return Span(trace_id, span_id, parent_id, service, shared_text(name), kind, start_us,
                duration_us, status, message, kept(attributes, result.keep), resource, events,
                links, parent_ref)


def _references(refs: Sequence[Reference], legacy_parent: Any, trace_id: str,
                result: ParseResult, ids: IdCanon) -> tuple[str | None, str, tuple[Link, ...]]:
    if len(refs) == 1 and refs[0][0] == "CHILD_OF":  # the common case: one CHILD_OF
        _, raw_trace, raw_span = refs[0]
        ref_trace = ids.trace(raw_trace or trace_id)
        if ref_trace == trace_id and ref_trace.strip("0"):
            pid = ids.span(raw_span, ref_trace)
            if pid:
                return (pid if pid.strip("0") else None), CHILD_OF, ()
    all_refs: list[Link] = []
    for ref_type, raw_trace, raw_span in refs:
        ref_trace = ids.trace(raw_trace or trace_id)
        if ref_trace.strip("0") == "":
            result.count("zero-trace-reference")
            continue
        is_follows = as_text(ref_type).upper() == "FOLLOWS_FROM"
        all_refs.append(Link(ref_trace, ids.span(raw_span, ref_trace),
                             FOLLOWS_FROM if is_follows else CHILD_OF))
    local = [ref for ref in all_refs if ref.trace_id == trace_id and ref.span_id]
    parent = next((ref for ref in local if ref.ref_type == CHILD_OF), None)
    parent = parent or next(iter(local), None)
    links = tuple(ref for ref in all_refs if ref is not parent)
    if parent is not None:
        return ids.parent(parent.span_id, trace_id), parent.ref_type, links
    return ids.parent(legacy_parent, trace_id), CHILD_OF, links


def span_status(attributes: dict[str, Any]) -> tuple[str, str]:
    if "error" not in attributes and "otel.status_code" not in attributes \
            and "otel.status_description" not in attributes:
        return STATUS_UNSET, ""  # most spans say nothing about their status
    code = as_text(attributes.get("otel.status_code")).upper()
    message = as_text(attributes.get("otel.status_description"))
    if code == "ERROR" or error_tag_set(attributes.get("error")):
        error = attributes.get("error")
        if not message and isinstance(error, str) and error.lower() != "true":
            message = error
        return STATUS_ERROR, message
    if code == "OK":
        return STATUS_OK, message
    return STATUS_UNSET, message


def _logs(raw: Any) -> tuple[Event, ...]:
    if not isinstance(raw, list) or not raw:
        return ()
    return tuple(log_event(log.get("timestamp"), _tags(log.get("fields")))
                 for log in raw if isinstance(log, dict))


def log_event(timestamp: Any, fields: dict[str, Any]) -> Event:
    # Jaeger's OTLP translator stores an event's name in the "event" field; take it back out
    # so the event reads the same as the OTLP original.
    event = fields.pop("event", None)
    name = as_text(event or fields.get("message") or "log")
    return Event(as_int(timestamp) or 0, name, fields)
