"""What every format parser returns, and the small helpers they share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tracewhy.ids import canonical_span_id, canonical_trace_id, is_all_zero, uses_hex_ids
from tracewhy.model import DataWarning, RejectedSpan, Span

LOWER_HEX = "0123456789abcdef"


def is_canonical_hex(raw: str, digits: int) -> bool:
    """Is ``raw`` already what a hex id of ``digits`` digits canonicalises to?"""
    return len(raw) == digits and not raw.strip(LOWER_HEX)


@dataclass
class ParseResult:
    """Spans of every trace in one input, in input order, plus what the parser noticed."""

    format: str
    spans: list[Span] = field(default_factory=list)
    rejected: list[RejectedSpan] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # repair code -> occurrences
    # Warnings about one trace (a backend's notes on it): kept apart so that, in an input with
    # several traces, each trace gets its own and never another's.
    trace_warnings: dict[str, list[DataWarning]] = field(default_factory=dict)
    # Span attributes to keep (None: all).  Baselines read thousands of traces and only need a
    # few attributes; not converting the rest is most of the cost of reading OTLP.
    keep: Callable[[str], bool] | None = None

    def count(self, code: str, n: int = 1) -> None:
        self.counts[code] = self.counts.get(code, 0) + n

    def warn(self, trace_id: str, warning: DataWarning) -> None:
        self.trace_warnings.setdefault(trace_id, []).append(warning)

    def reject(self, where: str, reason: str) -> None:
        self.rejected.append(RejectedSpan(where, reason))


class IdCanon:
    """Canonical ids for one input; remembers which trace ids use hex ids.

    Called for every span and reference, so ids are remembered: a trace id seen before (one
    input rarely holds more than a few), and a span id seen before (as a span or a parent).
    """

    def __init__(self, result: ParseResult | None = None) -> None:
        self._result = result  # where ids read from an odd form are counted (None: not)
        self._hex: dict[str, bool] = {}
        self._traces: dict[str, str] = {}
        # raw span id -> canonical id, for opaque [0] and hex [1] traces: every occurrence of an
        # id (the span's own, its children's references) becomes one string object, made here
        # beside the spans.  Later passes look ids up in dicts millions of times; finding the
        # very object stored, in compact memory, beats comparing strings scattered across the
        # parsed document's freed gigabytes (linking 1M spans: 1.5x faster).
        self._span_ids: tuple[dict[str, str], dict[str, str]] = ({}, {})

    def trace(self, raw: object) -> str:
        if type(raw) is not str:
            self._note_number(raw)
            return canonical_trace_id(raw)
        tid = self._traces.get(raw)
        if tid is None:
            tid = self._traces[raw] = canonical_trace_id(raw)
        return tid

    def span(self, raw: object, trace_id: str) -> str:
        hex_ids = self._hex.get(trace_id)
        if hex_ids is None:
            hex_ids = self._hex[trace_id] = uses_hex_ids(trace_id)
        if type(raw) is not str:
            self._note_number(raw)
            return canonical_span_id(raw, hex_ids)
        memo = self._span_ids[hex_ids]
        span_id = memo.get(raw)
        if span_id is None:
            if hex_ids and is_canonical_hex(raw, 16):
                span_id = raw.lower()  # already canonical: a copy, for the reason above
            else:
                span_id = canonical_span_id(raw, hex_ids)
            memo[raw] = span_id
        return span_id

    def _note_number(self, raw: object) -> None:
        """Ids are strings in every format; a number is read (ids.py) and counted."""
        if type(raw) is int:
            self.count("numeric-id")

    def count(self, code: str) -> None:
        """Count an id read from an odd form, under a warning code."""
        if self._result is not None:
            self._result.count(code)

    def parent(self, raw: object, trace_id: str) -> str | None:
        """A parent id, or None for "no parent" (absent, empty or all zeros)."""
        if raw is None or raw == "":
            return None
        pid = self.span(raw, trace_id)
        return None if not pid or is_all_zero(pid) else pid

class CanonicalIds:
    """The id lookups of the plain-span builders: raw ids already in canonical hex form, each
    distinct id checked once.  ``traces`` and ``known`` are read inline by the builders (a hit
    needs no call); the methods fill them, and give None for an id the builder must leave to
    the general path (not canonical hex, or all zeros)."""

    __slots__ = ("ids", "traces", "known")

    def __init__(self, ids: IdCanon) -> None:
        self.ids = ids
        self.traces: dict[str, str] = {}  # raw trace id -> its canonical, non-zero id
        self.known: dict[str, str] = {}  # raw span id -> its canonical, non-zero id

    def _trace_id(self, raw: str) -> str | None:
        if not (is_canonical_hex(raw, 32) or is_canonical_hex(raw, 16)) or not raw.strip("0"):
            return None
        trace_id = self.traces[raw] = self.ids.trace(raw)
        return trace_id

    def _span_id(self, raw: str) -> str | None:
        if not is_canonical_hex(raw, 16) or not raw.strip("0"):
            return None
        span_id = self.known[raw] = raw.lower()  # canonical already: a copy, as IdCanon makes
        return span_id



def as_int(value: Any) -> int | None:
    """An integer time from a number or a decimal string; None when absent or unusable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 1e30 else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number == number and abs(number) < 1e30 else None
    return None


def decimal_int(text: str) -> int | None:
    """``int(text)`` for text that ``str.isdecimal()`` accepts; None where int() refuses it
    (more than 4300 digits: CPython's guard against quadratic conversion)."""
    try:
        return int(text)
    except ValueError:
        return None


def as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def shared_text(value: Any) -> str:
    """``as_text``, interned: for names that repeat on many spans (attribute keys, operation
    names), so a million spans share a few objects instead of holding a million copies spread
    over the parsed document, and dict lookups on them stay in cache."""
    text = as_text(value)
    return sys.intern(text) if type(text) is str else text


def error_tag_set(value: Any) -> bool:
    """An ``error`` tag marks an error unless it is absent, false, empty or "false"/"0"."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0")
    return bool(value)


def kept(attributes: dict[str, Any], keep: Callable[[str], bool] | None) -> dict[str, Any]:
    """``attributes`` without the keys ``keep`` refuses (all of them when ``keep`` is None)."""
    if keep is None:
        return attributes
    return {key: value for key, value in attributes.items() if keep(key)}


class KeptKeys(dict[str, str | None]):
    """Attribute key -> the key interned when ``keep`` accepts it, None when it refuses it.

    ``keep`` is asked once per distinct key, not once per attribute: a baseline reads a few
    hundred thousand attributes under a few dozen keys.
    """

    def __init__(self, keep: Callable[[str], bool]) -> None:
        super().__init__()
        self.keep = keep

    def __missing__(self, key: str) -> str | None:
        kept_key = self[key] = sys.intern(key) if self.keep(key) else None
        return kept_key


@lru_cache(maxsize=8)
def kept_keys(keep: Callable[[str], bool]) -> KeptKeys:
    """One ``KeptKeys`` per ``keep`` for the whole process, so every trace of a baseline
    starts with the keys the previous ones taught it."""
    return KeptKeys(keep)
