"""The OTLP/JSON encoding of finished SDK spans (the protocol's JSON mapping).

Field names are lowerCamelCase, trace and span ids are hex (not base64), 64-bit integers and
nanosecond times are decimal strings, kinds and status codes are integers; fields at their
default value are left out, as protobuf's JSON printer does.  Spans are grouped by resource,
then by instrumentation scope, in the order they first appear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, StatusCode

# SpanFlags: the parent's is_remote is known (0x100) and true (0x200).
_HAS_IS_REMOTE, _IS_REMOTE = 0x100, 0x200
_KIND = {"INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5}
_STATUS = {StatusCode.UNSET: 0, StatusCode.OK: 1, StatusCode.ERROR: 2}


def encode_traces(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """One ``{"resourceSpans": [...]}`` document holding ``spans``."""
    resources: dict[int, tuple[dict[str, Any], dict[tuple[str, str], list[Any]]]] = {}
    for span in spans:
        resource_key = id(span.resource)
        if resource_key not in resources:
            resources[resource_key] = (_resource(span), {})
        scope = span.instrumentation_scope
        scope_key = (scope.name, scope.version or "") if scope else ("", "")
        resources[resource_key][1].setdefault(scope_key, []).append(encode_span(span))
    return {"resourceSpans": [
        {"resource": resource, "scopeSpans": [
            {"scope": _scope(name, version), "spans": encoded}
            for (name, version), encoded in scopes.items()]}
        for resource, scopes in resources.values()]}


def encode_span(span: ReadableSpan) -> dict[str, Any]:
    context = span.context
    assert context is not None  # finished SDK spans always have one
    out: dict[str, Any] = {"traceId": format(context.trace_id, "032x"),
                           "spanId": format(context.span_id, "016x")}
    if context.trace_state:
        out["traceState"] = context.trace_state.to_header()
    if span.parent is not None:
        out["parentSpanId"] = format(span.parent.span_id, "016x")
    out["flags"] = _flags(span.parent)
    out["name"] = span.name
    out["kind"] = _KIND[span.kind.name]
    out["startTimeUnixNano"] = str(span.start_time)
    out["endTimeUnixNano"] = str(span.end_time)
    if span.attributes:
        out["attributes"] = attributes(span.attributes)
    if span.events:
        out["events"] = [_event(event.name, event.timestamp, event.attributes)
                         for event in span.events]
    out["status"] = _status(span)
    return out


def attributes(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": any_value(value)} for key, value in values.items()]


def any_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, Sequence):
        return {"arrayValue": {"values": [any_value(item) for item in value]}}
    raise TypeError(f"not an OpenTelemetry attribute value: {type(value).__name__}")


def _flags(parent: SpanContext | None) -> int:
    if parent is not None and parent.is_remote:
        return _HAS_IS_REMOTE | _IS_REMOTE
    return _HAS_IS_REMOTE


def _event(name: str, time_ns: int, values: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"timeUnixNano": str(time_ns), "name": name}
    if values:
        out["attributes"] = attributes(values)
    return out


def _status(span: ReadableSpan) -> dict[str, Any]:
    code = _STATUS[span.status.status_code]
    out: dict[str, Any] = {}
    if span.status.description:
        out["message"] = span.status.description
    if code:
        out["code"] = code
    return out


def _resource(span: ReadableSpan) -> dict[str, Any]:
    return {"attributes": attributes(span.resource.attributes)}


def _scope(name: str, version: str) -> dict[str, Any]:
    return {"name": name, "version": version} if version else {"name": name}
