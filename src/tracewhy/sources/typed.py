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

from collections.abc import Callable
from sys import intern
from typing import Any, Literal

import msgspec

from tracewhy.ids import uses_hex_ids
from tracewhy.model import CHILD_OF, STATUS_UNSET, UNSPECIFIED, Event, Link, Span
from tracewhy.sources.common import (
    CanonicalIds,
    IdCanon,
    KeptKeys,
    ParseResult,
    as_int,
    as_text,
    decimal_int,
    is_canonical_hex,
    kept,
    kept_keys,
)
from tracewhy.sources.jaeger import (
    KIND_NAMES,
    build_span,
    log_event,
    note_warnings,
    span_status,
    typed_value,
)
from tracewhy.sources.native import (
    JAEGER_START,
    OTLP_START,
    ZIPKIN_START,
    read_jaeger,
    read_otlp,
)
from tracewhy.sources.native import read_zipkin as read_native_zipkin
from tracewhy.sources.otlp import KIND_NUMBERS, OtlpIds, bytes_as_hex, status_of
from tracewhy.sources.otlp import build_span as build_otlp_span
from tracewhy.sources.typed_zipkin import read_zipkin


# Literal fields decode to one shared string each instead of a new one per tag (500k of them in
# a 100k-span trace); a type outside them sends the input to the tolerant reader.
class _Tag(msgspec.Struct, gc=False):
    key: str
    value: Any = None
    type: Literal["string", "bool", "int64", "float64", "binary"] = "string"


class _Ref(msgspec.Struct, gc=False):
    refType: Literal["CHILD_OF", "FOLLOWS_FROM", ""] = ""
    traceID: str = ""
    spanID: str = ""


class _Log(msgspec.Struct, gc=False):
    timestamp: int = 0
    fields: tuple[_Tag, ...] = ()


class _Process(msgspec.Struct, gc=False):
    serviceName: str = ""
    tags: tuple[_Tag, ...] = ()


class _Span(msgspec.Struct, gc=False):
    spanID: str = ""
    traceID: str = ""
    operationName: str = ""
    references: tuple[_Ref, ...] = ()
    parentSpanID: str = ""
    startTime: int | None = None
    duration: int | None = None
    tags: tuple[_Tag, ...] = ()
    logs: tuple[_Log, ...] = ()
    processID: str = ""
    process: _Process | None = None
    warnings: list[str] | None = None


class _Trace(msgspec.Struct, gc=False):
    traceID: str = ""
    spans: list[_Span] = []
    processes: dict[str, _Process] = {}
    warnings: list[str] | None = None


class _JaegerDoc(msgspec.Struct, gc=False):
    data: list[_Trace]


_JAEGER = msgspec.json.Decoder(_JaegerDoc)


def parse_typed(data: bytes, fmt: str | None, keep: Callable[[str], bool] | None = None,
                *, native: bool = True) -> ParseResult | None:
    """The input read on the fast path, or None when it is not plainly well-formed.

    ``native``: try the C reader first (``native.py``); False reads with msgspec only,
    which the parity tests use as the reference."""
    if fmt in (None, "jaeger") and JAEGER_START.match(data):
        found = read_jaeger(data, keep) if native else None
        if found is not None:
            return found
        try:
            doc = _JAEGER.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        return _jaeger(doc, keep)
    start = OTLP_START.match(data) if fmt in (None, "otlp") else None
    if start is not None:
        found = read_otlp(data, keep) if native else None
        return found if found is not None else _otlp(data, start.group(1) == b"result", keep)
    if fmt in (None, "zipkin") and ZIPKIN_START.match(data):
        found = read_native_zipkin(data, keep) if native else None
        return found if found is not None else read_zipkin(data, keep)
    return None


def _tags(tags: tuple[_Tag, ...]) -> dict[str, Any]:
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
        plain = _PlainSpans(trace.traceID, trace_id, ids, keep) if trace_id.strip("0") else None
        append = result.spans.append
        for position, raw in enumerate(trace.spans):
            span = plain.build(raw, processes) if plain is not None else None
            if span is None:
                if raw.process is not None:
                    service, resource = raw.process.serviceName, _tags(raw.process.tags)
                else:
                    service, resource = processes.get(raw.processID, no_process)
                refs = [(r.refType, r.traceID, r.spanID) for r in raw.references]
                events = tuple(log_event(log.timestamp, _tags(log.fields)) for log in raw.logs) \
                    if raw.logs else ()
                span = build_span(result, ids, position, raw.traceID or trace.traceID,
                                  raw.spanID, raw.operationName, refs, raw.parentSpanID,
                                  raw.startTime, raw.duration, _tags(raw.tags), service,
                                  resource, events)
                if span is None:
                    continue
            append(span)
            trace_id = trace_id or span.trace_id
            if raw.warnings:
                span_warnings.setdefault(span.trace_id, {})[span.span_id] = list(raw.warnings)
        note_warnings(result, trace_id, trace.warnings, span_warnings)
    return result


class _PlainSpans:
    """Spans of one trace in the shape nearly every export has, built without the general path.

    That shape: no inline process, no logs, the trace's own trace id, and either no reference
    or one CHILD_OF within the trace; ids non-zero.  ``build`` gives None for anything else and
    ``build_span`` takes it, with every rule and repair; the parity tests hold both to the
    tolerant reader.  (A million spans: the general path's per-span calls cost ~2 µs each.)
    """

    __slots__ = ("raw_trace_id", "trace_id", "ids", "keep", "known", "hex_ids")

    def __init__(self, raw_trace_id: str, trace_id: str, ids: IdCanon,
                 keep: Callable[[str], bool] | None) -> None:
        self.raw_trace_id, self.trace_id, self.ids, self.keep = raw_trace_id, trace_id, ids, keep
        self.known: dict[str, str] = {}  # raw span id -> its canonical, non-zero id
        self.hex_ids = uses_hex_ids(trace_id)

    def build(self, raw: _Span, processes: dict[str, tuple[str, dict[str, Any]]]) -> Span | None:
        if raw.process is not None or raw.logs or raw.parentSpanID \
                or (raw.traceID and raw.traceID != self.raw_trace_id):
            return None
        process = processes.get(raw.processID)
        refs = raw.references
        if process is None or len(refs) > 1:
            return None
        known = self.known
        span_id = known.get(raw.spanID) or self._id(raw.spanID)
        parent_id = None
        if refs:
            ref = refs[0]
            if ref.refType != "CHILD_OF" or (ref.traceID and ref.traceID != self.raw_trace_id):
                return None
            parent_id = known.get(ref.spanID) or self._id(ref.spanID)
            if parent_id is None:
                return None
        if span_id is None:
            return None
        attributes = _tags(raw.tags)
        raw_kind = attributes.get("span.kind")
        kind = KIND_NAMES.get(raw_kind, UNSPECIFIED) if type(raw_kind) is str else UNSPECIFIED
        if kind is UNSPECIFIED and raw_kind is not None:
            return None  # an odd spelling: the general path normalises it
        if "error" in attributes or "otel.status_code" in attributes \
                or "otel.status_description" in attributes:
            status, message = span_status(attributes)
        else:  # most spans say nothing about their status
            status, message = STATUS_UNSET, ""
        if self.keep is not None:
            attributes = kept(attributes, self.keep)
        return Span(self.trace_id, span_id, parent_id, process[0], intern(raw.operationName),
                    kind, raw.startTime, raw.duration, status, message, attributes, process[1],
                    (), (), CHILD_OF)

    def _id(self, raw: str) -> str | None:
        """The canonical id of a raw id not seen before; None for one that must go the general
        way (zero, or empty)."""
        if self.hex_ids and is_canonical_hex(raw, 16):
            span_id = raw.lower()  # canonical already: a copy, as IdCanon makes
        else:
            span_id = self.ids.span(raw, self.trace_id)
        if not span_id or not span_id.strip("0"):
            return None
        self.known[raw] = span_id
        return span_id


# --- OTLP/JSON ----------------------------------------------------------------------------

MAX_VALUE_DEPTH = 32

# gc=False: a decoded document is a tree (no reference cycles), so its structs need not be
# tracked by the cyclic GC; not tracking them makes decoding ~10% cheaper.


# Unknown fields (the snake_case aliases) send the input to the tolerant reader.
class _Value(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    stringValue: str | None = None
    intValue: int | str | None = None
    doubleValue: float | None = None
    boolValue: bool | None = None
    bytesValue: str | None = None
    arrayValue: _Array | None = None
    kvlistValue: _KeyValues | None = None


class _KeyValue(msgspec.Struct, gc=False):
    key: str
    value: _Value | None = None


class _Array(msgspec.Struct, gc=False):
    values: tuple[_Value, ...] = ()


class _KeyValues(msgspec.Struct, gc=False):
    values: tuple[_KeyValue, ...] = ()


class _Status(msgspec.Struct, gc=False):
    code: int | str | None = None
    message: str | None = None


class _Event(msgspec.Struct, gc=False):
    timeUnixNano: int | str = 0
    name: str = ""
    attributes: tuple[_KeyValue, ...] = ()


class _Link(msgspec.Struct, gc=False):
    traceId: str = ""
    spanId: str = ""
    attributes: tuple[_KeyValue, ...] = ()


class _OtlpSpan(msgspec.Struct, gc=False):
    traceId: str = ""
    spanId: str = ""
    parentSpanId: str = ""
    name: str = ""
    kind: int | str | None = None
    startTimeUnixNano: int | str | None = None
    endTimeUnixNano: int | str | None = None
    attributes: tuple[_KeyValue, ...] = ()
    events: tuple[_Event, ...] = ()
    links: tuple[_Link, ...] = ()
    status: _Status | None = None


class _Scope(msgspec.Struct, gc=False):
    name: str = ""


class _ScopeSpans(msgspec.Struct, gc=False):
    scope: _Scope | None = None
    spans: list[_OtlpSpan] = []


class _Resource(msgspec.Struct, gc=False):
    attributes: tuple[_KeyValue, ...] = ()


class _ResourceSpans(msgspec.Struct, gc=False):
    resource: _Resource | None = None
    scopeSpans: list[_ScopeSpans] = []
    instrumentationLibrarySpans: Any = None  # the old name: left to the tolerant reader


class _TracesData(msgspec.Struct, gc=False):
    resourceSpans: list[_ResourceSpans]


class _Wrapped(msgspec.Struct, gc=False):  # Jaeger api_v3's {"result": {...}}
    result: _TracesData


_OTLP = msgspec.json.Decoder(_TracesData)
_OTLP_WRAPPED = msgspec.json.Decoder(_Wrapped)


class _NeedsRepair(Exception):
    """A value the tolerant reader repairs and counts (nested deeper than it keeps, or not of
    its declared type): the input goes to it."""


def _otlp(data: bytes, wrapped: bool, keep: Callable[[str], bool] | None) -> ParseResult | None:
    try:
        doc = _OTLP_WRAPPED.decode(data).result if wrapped else _OTLP.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    result = ParseResult("otlp", keep=keep)
    ids = OtlpIds(result)
    if any(block.instrumentationLibrarySpans is not None for block in doc.resourceSpans):
        return None
    plain = _PlainOtlpSpans(ids, kept_keys(keep) if keep is not None else None)
    try:
        for block in doc.resourceSpans:
            _otlp_block(block, result, ids, plain)
    except _NeedsRepair:
        return None
    return result


def _otlp_block(block: _ResourceSpans, result: ParseResult, ids: OtlpIds,
                plain: _PlainOtlpSpans) -> None:
    resource = _values(block.resource.attributes) if block.resource is not None else {}
    service = as_text(resource.get("service.name"))
    append = result.spans.append
    for scope_block in block.scopeSpans:
        scope_name = scope_block.scope.name if scope_block.scope is not None else ""
        for position, raw in enumerate(scope_block.spans):
            span = plain.build(raw, service, resource, scope_name)
            if span is None:
                span = _otlp_span(raw, position, service, resource, scope_name, result, ids,
                                  plain.keys)
            if span is not None:
                append(span)


def _otlp_span(raw: _OtlpSpan, position: int, service: str, resource: dict[str, Any],
               scope_name: str, result: ParseResult, ids: OtlpIds,
               keys: KeptKeys | None) -> Span | None:
    status = raw.status
    start, end = raw.startTimeUnixNano, raw.endTimeUnixNano
    return build_otlp_span(
        result, ids, position, raw.traceId, raw.spanId, raw.parentSpanId, intern(raw.name),
        raw.kind, start if type(start) is int else as_int(start),
        end if type(end) is int else as_int(end),
        _values(raw.attributes, keys),
        status.code if status is not None else None,
        status.message if status is not None else None,
        # most spans have neither: tuple() is the empty tuple, without a closure per span
        (lambda: _events(raw.events)) if raw.events else tuple,
        (lambda: tuple(_link(link, ids) for link in raw.links)) if raw.links else tuple,
        service, resource, scope_name)


class _PlainOtlpSpans(CanonicalIds):
    """OTLP spans in the shape SDKs write, built without the general path (``build_span``).

    That shape: a 32- or 16-digit lowercase hex trace id, 16-digit lowercase hex span and parent ids
    (or no parent), all non-zero; an integer kind; times as integers or decimal strings; no
    links.  ``build`` gives None for anything else and ``build_span`` takes it, with every rule
    and repair; the parity tests hold both to the tolerant reader.  (A thousand small traces:
    ~3.7 -> ~2.2 µs a span.)
    """

    __slots__ = ("keys",)

    def __init__(self, ids: OtlpIds, keys: KeptKeys | None) -> None:
        super().__init__(ids)
        self.keys = keys

    def build(self, raw: _OtlpSpan, service: str, resource: dict[str, Any],
              scope_name: str) -> Span | None:
        if raw.links:
            return None
        kind = KIND_NUMBERS.get(raw.kind) if type(raw.kind) is int else None
        trace_id = self.traces.get(raw.traceId) or self._trace_id(raw.traceId)
        start, end = raw.startTimeUnixNano, raw.endTimeUnixNano
        if type(start) is str and start.isdecimal():  # the JSON mapping's form; inline: 2 calls
            start = decimal_int(start)
        if type(end) is str and end.isdecimal():
            end = decimal_int(end)
        if kind is None or trace_id is None or type(start) is not int or type(end) is not int:
            return None
        known = self.known
        span_id = known.get(raw.spanId) or self._span_id(raw.spanId)
        parent = raw.parentSpanId
        parent_id = (known.get(parent) or self._span_id(parent)) if parent else None
        if span_id is None or (parent and parent_id is None):
            return None
        attributes = _values(raw.attributes, self.keys)
        if scope_name:
            attributes.setdefault("otel.scope.name", scope_name)
        status = raw.status
        if status is None or (status.code is None and status.message is None):
            status_code, status_message = STATUS_UNSET, ""  # most spans: what status_of says
        else:
            status_code, status_message = status_of(status.code, status.message)
        return Span(trace_id, span_id, parent_id, service, intern(raw.name), kind,
                    start // 1000 if start else None,
                    end // 1000 - start // 1000 if start and end else None,
                    status_code, status_message, attributes, resource,
                    _events(raw.events) if raw.events else (), ())

def _events(events: tuple[_Event, ...]) -> tuple[Event, ...]:
    return tuple(Event((as_int(e.timeUnixNano) or 0) // 1000, e.name, _values(e.attributes))
                 for e in events)


def _link(link: _Link, ids: OtlpIds) -> Link:
    trace_id = ids.trace(ids.unbase64(link.traceId, 16))
    return Link(trace_id, ids.span(ids.unbase64(link.spanId, 8), trace_id), "link",
                _values(link.attributes))


def _values(pairs: tuple[_KeyValue, ...], keys: KeptKeys | None = None) -> dict[str, Any]:
    """Attributes as a dict; ``keys``: only the keys it keeps (all, interned, when None)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key = intern(pair.key) if keys is None else keys[pair.key]
        if key is None:
            continue
        value = pair.value
        if value is None:
            out[key] = None
        elif value.stringValue is not None:  # the common cases first, without a call
            out[key] = value.stringValue
        elif type(value.intValue) is str and value.intValue.isdecimal() \
                and len(value.intValue) < 20:  # as _value reads it, without its checks
            out[key] = int(value.intValue)
        else:
            out[key] = _value(value, 0)
    return out


def _value(value: _Value, depth: int) -> Any:
    """Same reading as otlp.any_value, from the typed struct."""
    if depth >= MAX_VALUE_DEPTH:
        raise _NeedsRepair
    if value.stringValue is not None:
        return value.stringValue
    if value.intValue is not None:
        number = value.intValue  # the JSON mapping writes int64 as a decimal string
        read = decimal_int(number) if type(number) is str and number.isdecimal() \
            else as_int(number)
        if read is None:
            raise _NeedsRepair
        return read
    if value.doubleValue is not None:
        return value.doubleValue
    if value.boolValue is not None:
        return value.boolValue
    if value.bytesValue is not None:
        return bytes_as_hex(value.bytesValue)
    if value.arrayValue is not None:
        return [_value(v, depth + 1) for v in value.arrayValue.values]
    if value.kvlistValue is not None:
        return {kv.key: (_value(kv.value, depth + 1) if kv.value is not None else None)
                for kv in value.kvlistValue.values}
    return None
