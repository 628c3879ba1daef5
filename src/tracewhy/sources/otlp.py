"""OTLP/JSON: ``{"resourceSpans": ...}``, Jaeger api_v3's ``{"result": {...}}``, the collector
file exporter's one object per line, and Tempo's ``batches`` form.

Times are nanoseconds (numbers or decimal strings) and are floored to microseconds.  Ids are
hex in the OTLP/JSON spec; protobuf-JSON encoders write base64, which is converted with a
warning.  Kinds and status codes come as integers or as enum names.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from tracewhy.ids import base64_to_hex, looks_base64
from tracewhy.model import (
    CLIENT,
    CONSUMER,
    INTERNAL,
    PRODUCER,
    SERVER,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNSET,
    UNSPECIFIED,
    Event,
    Link,
    Span,
)
from tracewhy.sources.common import IdCanon, ParseResult, as_int, as_text, decimal_int

FORMAT = "otlp"
MAX_VALUE_DEPTH = 32
_B64_LENGTHS = {16: 24, 8: 12}
KIND_NUMBERS = {0: UNSPECIFIED, 1: INTERNAL, 2: SERVER, 3: CLIENT, 4: PRODUCER, 5: CONSUMER}
_STATUS_NUMBERS = {0: STATUS_UNSET, 1: STATUS_OK, 2: STATUS_ERROR}


def parse_otlp(docs: list[Any], keep: Callable[[str], bool] | None = None) -> ParseResult:
    result = ParseResult(FORMAT, keep=keep)
    ids = OtlpIds(result)
    for doc in docs:
        for resource_spans in _resource_spans(doc):
            _parse_resource_spans(resource_spans, result, ids)
    return result


def resource_spans_of(doc: Any) -> list[Any] | None:
    """The resourceSpans list of any accepted OTLP wrapper, or None if this is not OTLP."""
    if not isinstance(doc, dict):
        return None
    for wrapper in ("result", "trace"):
        inner = doc.get(wrapper)
        if isinstance(inner, dict):
            doc = inner
            break
    for key in ("resourceSpans", "resource_spans", "batches"):
        value = doc.get(key)
        if isinstance(value, list):
            return value
    return None


def _resource_spans(doc: Any) -> list[Any]:
    return resource_spans_of(doc) or []


class OtlpIds(IdCanon):
    """Hex ids, with base64 ones converted (and counted)."""

    def __init__(self, result: ParseResult) -> None:
        super().__init__(result)

    def unbase64(self, raw: Any, n_bytes: int) -> Any:
        # Base64 of n bytes has a fixed length (24 chars for a trace id, 12 for a span id);
        # checking it first keeps hex ids, the normal case, off the regex.
        if type(raw) is str and len(raw) == _B64_LENGTHS[n_bytes] and looks_base64(raw, n_bytes):
            converted = base64_to_hex(raw)
            if converted is not None:
                self.count("id-base64")
                return converted
        return raw


def _parse_resource_spans(block: Any, result: ParseResult, ids: OtlpIds) -> None:
    if not isinstance(block, dict):
        result.reject("resourceSpans", "expected an object")
        return
    resource_raw = block.get("resource")
    resource = _attributes(resource_raw.get("attributes"), result) \
        if isinstance(resource_raw, dict) else {}
    service = as_text(resource.get("service.name"))
    scopes = block.get("scopeSpans") or block.get("instrumentationLibrarySpans") or []
    for scope_block in scopes if isinstance(scopes, list) else ():
        if not isinstance(scope_block, dict):
            continue
        scope = scope_block.get("scope") or scope_block.get("instrumentationLibrary") or {}
        scope_name = as_text(scope.get("name")) if isinstance(scope, dict) else ""
        spans = scope_block.get("spans")
        for position, raw in enumerate(spans if isinstance(spans, list) else ()):
            span = _parse_span(raw, position, service, resource, scope_name, result, ids)
            if span is not None:
                result.spans.append(span)


def _parse_span(raw: Any, position: int, service: str, resource: dict[str, Any],
                scope_name: str, result: ParseResult, ids: OtlpIds) -> Span | None:
    if not isinstance(raw, dict):
        result.reject(f"span #{position}", f"expected a span object, got {type(raw).__name__}")
        return None
    status = raw.get("status")
    code, message = (status.get("code"), status.get("message")) if isinstance(status, dict) \
        else (None, None)
    name = raw.get("name")
    return build_span(
        result, ids, position, raw.get("traceId"), raw.get("spanId"), raw.get("parentSpanId"),
        name if type(name) is str else as_text(name), raw.get("kind"),
        _nanos(raw.get("startTimeUnixNano")), _nanos(raw.get("endTimeUnixNano")),
        _attributes(raw.get("attributes"), result, result.keep), code, message,
        lambda: _events(raw.get("events"), result), lambda: _links(raw.get("links"), result, ids),
        service, resource, scope_name)


def build_span(result: ParseResult, ids: OtlpIds, position: int, raw_trace_id: Any,
               raw_span_id: Any, raw_parent_id: Any, name: str, kind: Any,
               start_ns: int | None, end_ns: int | None, attributes: dict[str, Any],
               status_code: Any, status_message: Any,
               events: Callable[[], tuple[Event, ...]], links: Callable[[], tuple[Link, ...]],
               service: str, resource: dict[str, Any], scope_name: str) -> Span | None:
    """One OTLP span from its fields, however they were decoded (dicts or typed structs);
    events and links are built only once the span's ids are known to be usable."""
    trace_id = ids.trace(ids.unbase64(raw_trace_id, 16))
    span_id = ids.span(ids.unbase64(raw_span_id, 8), trace_id)
    if not trace_id or not span_id or span_id.strip("0") == "" or trace_id.strip("0") == "":
        result.reject(span_id or f"span #{position}", "missing or all-zero trace/span id")
        return None
    if scope_name:
        attributes.setdefault("otel.scope.name", scope_name)
    status, message = status_of(status_code, status_message)
    parent_id = ids.parent(ids.unbase64(raw_parent_id, 8), trace_id)
    start_us = start_ns // 1000 if start_ns else None
    duration_us = end_ns // 1000 - start_ns // 1000 if start_ns and end_ns else None
    # Positional: Span is built for every span, and keywords cost 2-3x here.
    return Span(trace_id, span_id, parent_id, service, name, _kind(kind), start_us, duration_us,
                status, message, attributes, resource, events(), links())


def _nanos(value: Any) -> int | None:
    """OTLP times: decimal strings (the JSON mapping) or numbers."""
    if type(value) is str and value.isdecimal():
        number = decimal_int(value)
        if number is not None:
            return number
    return as_int(value)


def _kind(raw: Any) -> str:
    if isinstance(raw, int):
        return KIND_NUMBERS.get(raw, UNSPECIFIED)
    text = as_text(raw).upper().removeprefix("SPAN_KIND_").lower()
    return text if text in KIND_NUMBERS.values() else UNSPECIFIED


def status_of(code: Any, raw_message: Any) -> tuple[str, str]:
    message = as_text(raw_message)
    if code is None:
        return STATUS_UNSET, message
    if isinstance(code, int):
        return _STATUS_NUMBERS.get(code, STATUS_UNSET), message
    text = as_text(code).upper().removeprefix("STATUS_CODE_").lower()
    return (text if text in (STATUS_OK, STATUS_ERROR) else STATUS_UNSET), message


def _events(raw: Any, result: ParseResult) -> tuple[Event, ...]:
    if not isinstance(raw, list) or not raw:
        return ()
    out = []
    for event in raw:
        if isinstance(event, dict):
            time_ns = as_int(event.get("timeUnixNano")) or 0
            out.append(Event(time_ns // 1000, as_text(event.get("name")),
                             _attributes(event.get("attributes"), result)))
    return tuple(out)


def _links(raw: Any, result: ParseResult, ids: OtlpIds) -> tuple[Link, ...]:
    if not isinstance(raw, list) or not raw:
        return ()
    out = []
    for link in raw:
        if isinstance(link, dict):
            trace_id = ids.trace(ids.unbase64(link.get("traceId"), 16))
            span_id = ids.span(ids.unbase64(link.get("spanId"), 8), trace_id)
            out.append(Link(trace_id, span_id, "link", _attributes(link.get("attributes"), result)))
    return tuple(out)


def _attributes(raw: Any, result: ParseResult,
                keep: Callable[[str], bool] | None = None) -> dict[str, Any]:
    if not isinstance(raw, list):
        return {}
    out: dict[str, Any] = {}
    for item in raw:
        if type(item) is not dict or "key" not in item:
            continue
        key, value = item["key"], item.get("value")
        if type(key) is not str:
            key = as_text(key)
        if keep is not None and not keep(key):
            continue
        if type(value) is dict and len(value) == 1:  # the common case: one scalar, fast
            text = value.get("stringValue")
            if type(text) is str:
                out[key] = text
                continue
        out[key] = any_value(value, result)
    return out


def any_value(raw: Any, result: ParseResult, depth: int = 0) -> Any:
    """An OTLP AnyValue as a plain Python value; nesting deeper than 32 is cut with a note.

    A value should carry one field.  One that carries several (or nulls beside a field) is read
    as the typed reader reads it: the first non-null field in ``_VALUE_FIELDS``' order, whatever
    the order in the document, so both readers give the same answer."""
    if not isinstance(raw, dict):
        return raw
    if depth >= MAX_VALUE_DEPTH:
        result.count("deep-nesting")
        return "<value nested too deeply; cut>"
    for camel, snake in _VALUE_FIELDS:
        value = raw.get(camel)
        if value is None:
            value = raw.get(snake)
        if value is not None:
            return _read_field(camel, value, result, depth)
    return None


_VALUE_FIELDS = (("stringValue", "string_value"), ("intValue", "int_value"),
                 ("doubleValue", "double_value"), ("boolValue", "bool_value"),
                 ("bytesValue", "bytes_value"), ("arrayValue", "array_value"),
                 ("kvlistValue", "kvlist_value"))


def _read_field(field: str, value: Any, result: ParseResult, depth: int) -> Any:
    if field == "stringValue":
        return as_text(value)
    if field in ("intValue", "doubleValue"):
        if field == "intValue":
            number: int | float | None = as_int(value)
        else:  # a JSON integer is a double here, as the typed reader reads it
            number = value if isinstance(value, float) else _float(value)
        if number is None:  # "abc", or beyond any float: said, not dropped quietly
            result.count("unreadable-value")
        return number
    if field == "boolValue":
        return value is True or as_text(value).lower() == "true"
    if field == "bytesValue":
        return bytes_as_hex(value)
    if field == "arrayValue":
        return [any_value(v, result, depth + 1) for v in _values(value)]
    return {as_text(kv.get("key")): any_value(kv.get("value"), result, depth + 1)
            for kv in _values(value) if isinstance(kv, dict)}


def _values(container: Any) -> list[Any]:
    """The ``values`` list of an array or kvlist value; anything else reads as empty."""
    values = container.get("values") if isinstance(container, dict) else None
    return values if isinstance(values, list) else []


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # an integer beyond any float overflows
        return None
    return number if number == number and abs(number) != float("inf") else None


def bytes_as_hex(value: Any) -> str:
    try:
        return base64.b64decode(as_text(value), validate=False).hex()
    except ValueError:
        return as_text(value)
