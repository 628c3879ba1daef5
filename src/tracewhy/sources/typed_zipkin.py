"""The fast path for well-formed Zipkin v2 JSON: typed structs instead of a dict per span.

Same contract as ``typed.py``: the structs hold only the fields ``zipkin.py`` reads, typed as
Zipkin itself writes them (ids, names and tag values as text, times and ports as int64).  Any
other shape makes the decoder refuse and ``read_zipkin`` return None, so the tolerant reader
reads the input with its repairs and warnings: times as text or floats, numeric ids or tags,
nulls, a Zipkin v1 span (``binaryAnnotations``, or annotations with an ``endpoint``), NaN,
invalid UTF-8, lone surrogates.  Spans are built by ``zipkin.build_span`` on both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from sys import intern
from typing import Annotated, Any

import msgspec

from tracewhy.model import CHILD_OF, STATUS_UNSET, UNSPECIFIED, Event, Span
from tracewhy.sources.common import CanonicalIds, IdCanon, ParseResult, kept
from tracewhy.sources.native import ZIPKIN_TRACES
from tracewhy.sources.zipkin import (
    FORMAT,
    KINDS,
    annotation_event,
    build_span,
    remote_attributes,
    resource_of,
    span_status,
)

# Beyond int64, orjson turns an integer into a float (and the tolerant reader rounds it): leave
# such numbers to it rather than read them more exactly than it does.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class _Endpoint(msgspec.Struct, gc=False):
    serviceName: str = ""
    ipv4: str = ""
    ipv6: str = ""
    port: Int64 = 0


class _Annotation(msgspec.Struct, gc=False, forbid_unknown_fields=True):  # v1 has "endpoint"
    timestamp: Int64 = 0
    value: str = ""


class _Span(msgspec.Struct, gc=False):
    traceId: str  # required: a list whose spans lack it is not plainly Zipkin
    id: str
    parentId: str = ""
    name: str = ""
    kind: str | None = ""  # None: the OTel SDK's encoder writes null for an INTERNAL span
    timestamp: Int64 | None = None
    duration: Int64 | None = None
    localEndpoint: _Endpoint | None = None
    remoteEndpoint: _Endpoint | None = None
    tags: dict[str, str] = {}
    annotations: tuple[_Annotation, ...] = ()
    shared: bool = False
    binaryAnnotations: Any = msgspec.UNSET  # present (even null): Zipkin v1, refused


_SPANS = msgspec.json.Decoder(list[_Span])
_TRACES = msgspec.json.Decoder(list[list[_Span]])
_NO_ENDPOINT = _Endpoint()


def read_zipkin(data: bytes, keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    """A list of spans or of traces read on the fast path, or None when not plainly well-formed."""
    try:
        if ZIPKIN_TRACES.match(data):
            spans = [span for trace in _TRACES.decode(data) for span in trace]
        else:
            spans = _SPANS.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    if not spans:  # the tolerant reader says why there is nothing to read
        return None
    return _build(spans, keep)


def _build(spans: list[_Span], keep: Callable[[str], bool] | None) -> ParseResult | None:
    result = ParseResult(FORMAT, keep=keep)
    ids = IdCanon()
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    plain = _PlainSpans(ids, resources, keep)
    append = result.spans.append
    for position, raw in enumerate(spans):
        if raw.binaryAnnotations is not msgspec.UNSET:
            return None
        span = plain.build(raw)
        if span is None:
            local = raw.localEndpoint or _NO_ENDPOINT
            remote = raw.remoteEndpoint or _NO_ENDPOINT
            span = build_span(
                result, ids, resources, position, raw.traceId, raw.id, raw.parentId, raw.name,
                raw.kind, raw.timestamp, raw.duration, raw.tags, local.serviceName,
                local.ipv4 or local.ipv6, remote.serviceName, remote.ipv4 or remote.ipv6,
                remote.port, _events(raw.annotations) if raw.annotations else (), raw.shared)
        if span is not None:
            append(span)
    return result


class _PlainSpans(CanonicalIds):
    """Spans in the shape Zipkin stores them, built without the general path (``build_span``).

    That shape: a 16- or 32-digit lowercase hex trace id, 16-digit lowercase hex span and parent
    ids (or no parent), all non-zero, and an upper-case kind (or none).  ``build`` gives None
    for anything else and ``build_span`` takes it, with every rule and repair; the parity tests
    hold both to the tolerant reader.
    """

    __slots__ = ("resources", "keep")

    def __init__(self, ids: IdCanon, resources: dict[tuple[str, str], dict[str, Any]],
                 keep: Callable[[str], bool] | None) -> None:
        super().__init__(ids)
        self.resources, self.keep = resources, keep

    def build(self, raw: _Span) -> Span | None:
        kind = KINDS.get(raw.kind) if raw.kind else UNSPECIFIED
        trace_id = self.traces.get(raw.traceId) or self._trace_id(raw.traceId)
        known = self.known
        span_id = known.get(raw.id) or self._span_id(raw.id)
        parent = raw.parentId
        parent_id = (known.get(parent) or self._span_id(parent)) if parent else None
        if kind is None or trace_id is None or span_id is None or (parent and parent_id is None):
            return None
        attributes = raw.tags  # decoded for this span alone: ours to add to
        remote = raw.remoteEndpoint
        if remote is not None:
            remote_attributes(remote.serviceName, remote.ipv4 or remote.ipv6, remote.port,
                              attributes)
        if "error" in attributes or "otel.status_code" in attributes:
            status, message = span_status(attributes)
        else:  # most spans say nothing about their status
            status, message = STATUS_UNSET, ""
        local = raw.localEndpoint or _NO_ENDPOINT
        service = intern(local.serviceName)  # repeats on every span: share one string each
        # Positional, as build_span: keywords cost 2-3x here.
        return Span(trace_id, span_id, parent_id, service, intern(raw.name), kind,
                    raw.timestamp or None, raw.duration, status, message,
                    kept(attributes, self.keep),
                    resource_of(service, local.ipv4 or local.ipv6, self.resources),
                    _events(raw.annotations) if raw.annotations else (), (), CHILD_OF,
                    raw.shared)


def _events(annotations: tuple[_Annotation, ...]) -> tuple[Event, ...]:
    return tuple(annotation_event(a.timestamp, a.value) for a in annotations)
