"""Jaeger query-API JSON, OTLP/JSON and Zipkin v2 read in C (``c_readers/``), for the shape
nearly every export has.

The readers scan the bytes once, keep each span's scalars in a compact record, and build the
``Span`` objects only after sorting the records by (trace, start, span id): every later pass
walks the spans in that order, and objects allocated in it are read from cache instead of from
all over the heap (benchmarks/README.md, "Stop 15").  They make exactly the spans the typed
readers' plain-span builders make (``typed.py``, ``typed_zipkin.py``; plus a span's logs or
events, as the general builders make them), calling the same Python rules for a span's status,
a typed tag or an event.  For anything else they give None and the caller takes the msgspec
path, which hands what it cannot take to the tolerant reader.

The extension is built by ``pip install .`` (hatch_build.py); without it (an editable install,
``TRACEWHY_PURE=1``) every reader here gives None and nothing else changes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from types import ModuleType

from tracewhy.ids import canonical_trace_id, uses_hex_ids
from tracewhy.model import CHILD_OF, STATUS_UNSET, UNSPECIFIED, Event, Span
from tracewhy.sources.common import ParseResult, is_canonical_hex, kept_keys
from tracewhy.sources.jaeger import KIND_NAMES, log_event, span_status, typed_value
from tracewhy.sources.otlp import KIND_NUMBERS, bytes_as_hex, status_of
from tracewhy.sources.zipkin import KINDS as ZIPKIN_KINDS
from tracewhy.sources.zipkin import annotation_event, remote_attributes, resource_of
from tracewhy.sources.zipkin import span_status as zipkin_status

_native: ModuleType | None
try:
    _native = importlib.import_module("tracewhy.sources._native")
except ImportError:  # not compiled: the msgspec path reads everything
    _native = None

AVAILABLE = _native is not None

# What the documents the fast paths take start with: Jaeger's query API, OTLP/JSON (group 1:
# "result" when wrapped as Jaeger's api_v3 returns it).
JAEGER_START = re.compile(rb'\s*\{\s*"data"\s*:\s*\[')
OTLP_START = re.compile(rb'\s*\{\s*"(resourceSpans|result)"\s*:')
ZIPKIN_START = re.compile(rb"\s*\[")
ZIPKIN_TRACES = re.compile(rb"\s*\[\s*\[")  # a list of traces, as /api/v2/traces returns


def _trace_key(raw: str) -> str | None:
    """The trace's canonical id when its spans get hex ids (the only kind the reader takes)."""
    trace_id = canonical_trace_id(raw)
    return trace_id if uses_hex_ids(trace_id) and trace_id.strip("0") else None


def _hex_trace_key(raw: str) -> str | None:
    """An OTLP or Zipkin trace id the readers take (canonical hex, not zero), canonical."""
    if not (is_canonical_hex(raw, 32) or is_canonical_hex(raw, 16)) or not raw.strip("0"):
        return None
    return canonical_trace_id(raw)


if _native is not None:
    _native.configure(Span, KIND_NAMES, UNSPECIFIED, STATUS_UNSET, CHILD_OF, span_status,
                      typed_value, _trace_key, log_event)
    _native.configure_otlp(tuple(KIND_NUMBERS[number] for number in range(len(KIND_NUMBERS))),
                           _hex_trace_key, status_of, bytes_as_hex, Event)
    _native.configure_zipkin(ZIPKIN_KINDS, _hex_trace_key, zipkin_status, remote_attributes,
                             resource_of, annotation_event)


def read_jaeger(data: bytes, keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    """Every trace's spans, each trace's in (start, span id) order; None when this reader does
    not take the input, or when not all attributes are wanted (baselines read OTLP)."""
    if _native is None or keep is not None or not JAEGER_START.match(data):
        return None
    return _result("jaeger", _native.read_jaeger(data))


def read_otlp(data: bytes, keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    """Every trace's spans, traces in order of first appearance, each trace's in (start, span
    id) order; None when this reader does not take the input (as ``read_jaeger``).  ``keep``:
    which span attributes to read, as ``ParseResult.keep`` (baselines read OTLP files)."""
    start = OTLP_START.match(data) if _native is not None else None
    if start is None:
        return None
    keys = kept_keys(keep) if keep is not None else None
    spans = _native.read_otlp(data, start.group(1) == b"result", keys)  # type: ignore[union-attr]
    return _result("otlp", spans, keep)


def read_zipkin(data: bytes, keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    """A list of spans or of traces, as ``read_otlp`` reads OTLP."""
    if _native is None or keep is not None or not ZIPKIN_START.match(data):
        return None
    return _result("zipkin", _native.read_zipkin(data, ZIPKIN_TRACES.match(data) is not None))


def _result(fmt: str, spans: list[Span] | None,
            keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    if spans is None:
        return None
    result = ParseResult(fmt, keep=keep)
    result.spans = spans
    return result
