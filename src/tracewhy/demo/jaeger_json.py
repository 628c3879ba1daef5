"""Jaeger's query-API JSON (v1, what ``/api/traces/{id}`` and the UI's download give):
``{"data": [trace...]}`` with typed tags, logs, processes and references.

The mapping is the one Jaeger applies to OTLP input: the resource becomes the process,
``span.kind``, ``otel.status_code``, ``otel.status_description``, ``error`` and
``otel.scope.*`` become tags, events become logs whose ``event`` field is the event's name.
Times are microseconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode


def encode_trace(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """One trace (all ``spans`` share a trace id) as a Jaeger trace object."""
    processes: dict[int, str] = {}
    process_table: dict[str, Any] = {}
    encoded = []
    for span in spans:
        key = id(span.resource)
        pid = processes.get(key)
        if pid is None:
            pid = processes[key] = f"p{len(processes) + 1}"
            process_table[pid] = _process(span.resource.attributes)
        encoded.append(_span(span, pid))
    trace_id = encoded[0]["traceID"] if encoded else ""
    return {"traceID": trace_id, "spans": encoded, "processes": process_table, "warnings": None}


def encode_traces(traces: Sequence[Sequence[ReadableSpan]]) -> dict[str, Any]:
    return {"data": [encode_trace(spans) for spans in traces], "total": 0, "limit": 0,
            "offset": 0, "errors": None}


def _span(span: ReadableSpan, pid: str) -> dict[str, Any]:
    context = span.context
    assert context is not None and span.start_time is not None and span.end_time is not None
    trace_id = format(context.trace_id, "032x")
    references = []
    if span.parent is not None:
        references.append({"refType": "CHILD_OF", "traceID": trace_id,
                           "spanID": format(span.parent.span_id, "016x")})
    start_us = span.start_time // 1000
    return {
        "traceID": trace_id,
        "spanID": format(context.span_id, "016x"),
        "operationName": span.name,
        "references": references,
        "startTime": start_us,
        "duration": span.end_time // 1000 - start_us,
        "tags": _tags(span),
        "logs": [{"timestamp": event.timestamp // 1000,
                  "fields": [_tag("event", event.name), *tags(event.attributes or {})]}
                 for event in span.events],
        "processID": pid,
        "warnings": None,
        "flags": 1,
    }


def _tags(span: ReadableSpan) -> list[dict[str, Any]]:
    out = tags(span.attributes or {})
    scope = span.instrumentation_scope
    if scope is not None:
        out.append(_tag("otel.scope.name", scope.name))
        if scope.version:
            out.append(_tag("otel.scope.version", scope.version))
    out.append(_tag("span.kind", span.kind.name.lower()))
    status = span.status
    if status.status_code is not StatusCode.UNSET:
        out.append(_tag("otel.status_code", status.status_code.name))
    if status.status_code is StatusCode.ERROR:
        out.append(_tag("error", True))
        if status.description:
            out.append(_tag("otel.status_description", status.description))
    return out


def _process(resource: Mapping[str, Any]) -> dict[str, Any]:
    others = {k: v for k, v in resource.items() if k != "service.name"}
    return {"serviceName": str(resource.get("service.name", "")), "tags": tags(others)}


def tags(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [_tag(key, value) for key, value in values.items()]


def _tag(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "type": "bool", "value": value}
    if isinstance(value, int):
        return {"key": key, "type": "int64", "value": value}
    if isinstance(value, float):
        return {"key": key, "type": "float64", "value": value}
    if isinstance(value, str):
        return {"key": key, "type": "string", "value": value}
    # Jaeger has no array type; its OTLP translator writes arrays as JSON text
    return {"key": key, "type": "string", "value": json.dumps(list(value))}
