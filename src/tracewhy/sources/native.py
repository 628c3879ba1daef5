"""Jaeger query-API JSON read in C (``_jaeger_native.c``), for the shape nearly every export has.

The reader scans the bytes once, keeps each span's scalars in a compact record, and builds the
``Span`` objects only after sorting the records by (start, span id): every later pass walks the
spans in that order, and objects allocated in it are read from cache instead of from all over
the heap (benchmarks/README.md, "Stop 15").  It makes exactly the spans ``typed._PlainSpans``
makes (and a span's logs as events, as the general builder makes them), with the same rules
for what it leaves alone: for anything else it gives None and the
caller takes the msgspec path, which hands what it cannot take to the tolerant reader.

The extension is built by ``pip install .`` (hatch_build.py); without it (an editable install,
``TRACEWHY_PURE=1``) ``read_jaeger`` always gives None and nothing else changes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from types import ModuleType

from tracewhy.ids import canonical_trace_id, uses_hex_ids
from tracewhy.model import CHILD_OF, STATUS_UNSET, UNSPECIFIED, Span
from tracewhy.sources.common import ParseResult
from tracewhy.sources.jaeger import KIND_NAMES, log_event, span_status, typed_value

_native: ModuleType | None
try:
    _native = importlib.import_module("tracewhy.sources._jaeger_native")
except ImportError:  # not compiled: the msgspec path reads everything
    _native = None

AVAILABLE = _native is not None

# What a Jaeger query-API document starts with; the fast paths take nothing else.
JAEGER_START = re.compile(rb'\s*\{\s*"data"\s*:\s*\[')


def _trace_key(raw: str) -> str | None:
    """The trace's canonical id when its spans get hex ids (the only kind the reader takes)."""
    trace_id = canonical_trace_id(raw)
    return trace_id if uses_hex_ids(trace_id) and trace_id.strip("0") else None


if _native is not None:
    _native.configure(Span, KIND_NAMES, UNSPECIFIED, STATUS_UNSET, CHILD_OF, span_status,
                      typed_value, _trace_key, log_event)


def read_jaeger(data: bytes, keep: Callable[[str], bool] | None = None) -> ParseResult | None:
    """Every trace's spans, each trace's in (start, span id) order; None when this reader does
    not take the input (or all attributes are not wanted: baselines read through msgspec)."""
    if _native is None or keep is not None or not JAEGER_START.match(data):
        return None
    spans = _native.read(data)
    if spans is None:
        return None
    result = ParseResult("jaeger")
    result.spans = spans
    return result
