"""Zipkin v2 JSON: a list of spans, or a list of traces (``/api/v2/traces``).

Times are microseconds.  ``localEndpoint.serviceName`` is the service; the remote endpoint is
kept as ``peer.service`` / ``network.peer.*`` attributes; the ``error`` tag marks an error and
its value is the message.  The ``shared`` flag is kept so normalise can split client and server
halves that share one span id, as Jaeger does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from sys import intern
from typing import Any

from tracewhy.errors import InputError
from tracewhy.model import (
    CLIENT,
    CONSUMER,
    PRODUCER,
    SERVER,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNSET,
    UNSPECIFIED,
    Event,
    Span,
)
from tracewhy.sources.common import IdCanon, ParseResult, as_int, as_text, kept

FORMAT = "zipkin"
KINDS = {"CLIENT": CLIENT, "SERVER": SERVER, "PRODUCER": PRODUCER, "CONSUMER": CONSUMER}


def parse_zipkin(doc: Any, name: str = "input",
                 keep: Callable[[str], bool] | None = None) -> ParseResult:
    result = ParseResult(FORMAT, keep=keep)
    ids = IdCanon(result)
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    for position, raw in enumerate(_flatten(doc)):
        span = _parse_span(raw, position, result, ids, resources, name)
        if span is not None:
            result.spans.append(span)
    return result


def _flatten(doc: Any) -> list[Any]:
    if not isinstance(doc, list):
        return [doc]
    if any(isinstance(item, list) for item in doc):  # a list of traces; odd items get rejected
        return [span for item in doc for span in (item if isinstance(item, list) else [item])]
    return doc


def is_zipkin_v1(span: dict[str, Any]) -> bool:
    annotations = span.get("annotations")
    return "binaryAnnotations" in span or (isinstance(annotations, list) and any(
        isinstance(a, dict) and a.get("value") in ("cs", "sr", "ss", "cr") and "endpoint" in a
        for a in annotations))


def _parse_span(raw: Any, position: int, result: ParseResult, ids: IdCanon,
                resources: dict[tuple[str, str], dict[str, Any]], name: str) -> Span | None:
    if not isinstance(raw, dict):
        result.reject(f"span #{position}", f"expected a span object, got {type(raw).__name__}")
        return None
    if position < 3 and is_zipkin_v1(raw):
        raise InputError(f"{name}: Zipkin v1 JSON is not supported",
                         hint="fetch /api/v2/trace/{id} from Zipkin instead")
    local = _endpoint(raw.get("localEndpoint"))
    remote = _endpoint(raw.get("remoteEndpoint"))
    tags = raw.get("tags")
    timestamp = raw.get("timestamp")
    if type(timestamp) is not int:
        timestamp = as_int(timestamp)
    # JSON object keys are always strings: a plain copy (ours to add peer attributes to).
    return build_span(
        result, ids, resources, position, raw.get("traceId"), raw.get("id"), raw.get("parentId"),
        as_text(raw.get("name")), raw.get("kind"), timestamp, as_int(raw.get("duration")),
        dict(tags) if type(tags) is dict else {}, as_text(local.get("serviceName")),
        local.get("ipv4") or local.get("ipv6"), remote.get("serviceName"),
        remote.get("ipv4") or remote.get("ipv6"), remote.get("port"),
        _annotations(raw.get("annotations")), raw.get("shared") is True)


def build_span(result: ParseResult, ids: IdCanon, resources: dict[tuple[str, str], dict[str, Any]],
               position: int, raw_trace_id: Any, raw_span_id: Any, raw_parent_id: Any, name: str,
               kind_name: Any, timestamp: int | None, duration: int | None,
               attributes: dict[str, Any], service: str, local_address: Any,
               remote_service: Any, remote_address: Any, remote_port: Any,
               events: tuple[Event, ...], shared: bool) -> Span | None:
    """One span from its decoded fields, for both readers (the tolerant one and the typed fast
    path); ``attributes`` is the span's own copy of its tags (peer attributes are added to it)."""
    trace_id = ids.trace(raw_trace_id)
    span_id = ids.span(raw_span_id, trace_id)
    if not trace_id or not span_id or span_id.strip("0") == "":
        result.reject(span_id or f"span #{position}", "missing or all-zero trace/span id")
        return None
    remote_attributes(remote_service, remote_address, remote_port, attributes)
    status, message = span_status(attributes)
    parent_id = ids.parent(raw_parent_id, trace_id)
    kind = KINDS.get(kind_name) if type(kind_name) is str else None  # the usual: "SERVER"
    kind = kind or KINDS.get(as_text(kind_name).upper(), UNSPECIFIED)
    service, name = intern(service), intern(name)  # repeat on every span: one string each
    # Positional: Span is built for every span, and keywords cost 2-3x here.
    return Span(trace_id, span_id, parent_id, service, name, kind,
                timestamp if timestamp else None, duration, status, message,
                kept(attributes, result.keep), resource_of(service, local_address, resources),
                events, shared=shared)


def span_status(attributes: dict[str, Any]) -> tuple[str, str]:
    """In Zipkin the presence of an ``error`` tag marks a failure, whatever its text (OTel's
    exporter writes ``""`` for an ERROR status without description), unless it says false;
    OTel's ``otel.status_code`` tag counts too.  The text, if any, is the message."""
    if "error" not in attributes and "otel.status_code" not in attributes:
        return STATUS_UNSET, ""  # most spans say nothing about their status
    error = attributes.get("error")
    code = as_text(attributes.get("otel.status_code")).upper()
    text = as_text(error)
    if (error is not None and text.strip().lower() not in ("false", "0")) or code == "ERROR":
        message = text if text.strip().lower() != "true" else ""
        return STATUS_ERROR, message or as_text(attributes.get("otel.status_description"))
    return (STATUS_OK if code == "OK" else STATUS_UNSET), ""


def _endpoint(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def remote_attributes(service: Any, address: Any, port: Any,
                      attributes: dict[str, Any]) -> None:
    """The remote endpoint as attributes; the span's own tags win."""
    if service:
        attributes.setdefault("peer.service", as_text(service))
    if address:
        attributes.setdefault("network.peer.address", as_text(address))
    if port:
        attributes.setdefault("network.peer.port", port)


def resource_of(service: str, raw_address: Any,
                cache: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    address = as_text(raw_address)
    key = (service, address)
    resource = cache.get(key)
    if resource is None:
        resource = cache[key] = {"service.name": service}
        if address:
            resource["host.ip"] = address
    return resource


def _annotations(raw: Any) -> tuple[Event, ...]:
    if not isinstance(raw, list) or not raw:
        return ()
    return tuple(_annotation(a) for a in raw if isinstance(a, dict))


def _annotation(raw: dict[str, Any]) -> Event:
    return annotation_event(as_int(raw.get("timestamp")) or 0, as_text(raw.get("value")))


def annotation_event(time_us: int, value: str) -> Event:
    """OpenTelemetry's Zipkin exporter writes an event as ``{"<name>": {attributes}}`` text;
    read it back as that event, so the trace matches its OTLP form."""
    if value.startswith("{") and value.endswith("}"):
        try:  # the text may hold escaped lone surrogates: refuse what cannot be written back
            decoded = json.loads(value)
            json.dumps(decoded, ensure_ascii=False).encode()
        except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
            decoded = None
        if isinstance(decoded, dict) and len(decoded) == 1:
            (name, attributes), = decoded.items()
            if isinstance(attributes, dict):
                return Event(time_us, name, attributes)
    return Event(time_us, value)
