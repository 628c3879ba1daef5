"""What every format parser returns, and the small helpers they share."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracewhy.ids import canonical_span_id, canonical_trace_id, is_all_zero, uses_hex_ids
from tracewhy.model import DataWarning, RejectedSpan, Span

_CANONICAL_SPAN_ID = re.compile("[0-9a-f]{16}")  # what canonical_span_id makes of a hex id


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

    Called for every span and reference, so the common cases are short-cut: a trace id seen
    before (one input rarely holds more than a few), and a span id that is already canonical.
    """

    def __init__(self) -> None:
        self._hex: dict[str, bool] = {}
        self._traces: dict[str, str] = {}

    def trace(self, raw: object) -> str:
        if type(raw) is not str:
            return canonical_trace_id(raw)
        tid = self._traces.get(raw)
        if tid is None:
            tid = self._traces[raw] = canonical_trace_id(raw)
        return tid

    def span(self, raw: object, trace_id: str) -> str:
        hex_ids = self._hex.get(trace_id)
        if hex_ids is None:
            hex_ids = self._hex[trace_id] = uses_hex_ids(trace_id)
        if hex_ids and type(raw) is str and _CANONICAL_SPAN_ID.fullmatch(raw):
            return raw
        return canonical_span_id(raw, hex_ids)

    def parent(self, raw: object, trace_id: str) -> str | None:
        """A parent id, or None for "no parent" (absent, empty or all zeros)."""
        if raw is None or raw == "":
            return None
        pid = self.span(raw, trace_id)
        return None if not pid or is_all_zero(pid) else pid


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


def as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


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
