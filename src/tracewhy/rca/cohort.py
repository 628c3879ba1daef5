"""BubbleUp-style comparison over a set of traces: which attribute values are over-represented
among the selected traces (slow, failing, or any condition) compared with the rest?

Each trace becomes one row of the attribute values found on any of its spans (and resources).
For every value: its share among the selected traces and among the others, the difference
(the effect size), and Fisher's exact test, adjusted for the number of values tested with
Benjamini-Hochberg.  A value needs ``min_support`` selected traces to be reported.
Identifier-like keys (a different value in most traces) are left out: they cannot separate.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

from tracewhy.analysis.errors import error_reason
from tracewhy.errors import ConfigError
from tracewhy.model import Trace
from tracewhy.rca.stats import benjamini_hochberg, fisher_exact, quantile
from tracewhy.units import parse_duration_us

SKIPPED_KEYS = {"otel.scope.name", "telemetry.sdk.version", "telemetry.sdk.language",
                "telemetry.sdk.name", "service.instance.id"}
MAX_VALUE_LENGTH = 200
_CONDITION = re.compile(r"\s*([\w.\-/:]+)\s*(<=|>=|!=|=|<|>)\s*(.+?)\s*")


@dataclass(slots=True)
class TraceRow:
    trace_id: str
    root: str
    start_us: int
    duration_us: int
    error: bool
    values: dict[str, set[str]] = field(default_factory=dict)
    numbers: dict[str, list[float]] = field(default_factory=dict)


def trace_row(trace: Trace) -> TraceRow:
    spans = {span.span_id: span for span in trace.spans}
    root = spans.get(trace.root_id or "")
    row = TraceRow(trace.trace_id, f"{root.service} {root.name}" if root else "",
                   (root.start_us or 0) if root else 0, (root.duration_us or 0) if root else 0,
                   root is not None and error_reason(root) is not None)
    for span in trace.spans:
        for source in (span.resource, span.attributes):
            for key, value in source.items():
                if key not in SKIPPED_KEYS:
                    _add(row, key, value)
        _add(row, "service.name", span.service)
    return row


_FLOAT_MAX = int(sys.float_info.max)


def _add(row: TraceRow, key: str, value: Any) -> None:
    if isinstance(value, (list, tuple)):
        for item in value[:50]:
            _add(row, key, item)
    elif isinstance(value, bool) or value is None:
        row.values.setdefault(key, set()).add(str(value).lower())
    elif isinstance(value, (int, float)):
        if isinstance(value, int):
            row.values.setdefault(key, set()).add(str(value))
            if not -_FLOAT_MAX <= value <= _FLOAT_MAX:
                return  # an integer beyond any float (trace data can hold one): a value only
        row.numbers.setdefault(key, []).append(float(value))
    elif isinstance(value, str):
        row.values.setdefault(key, set()).add(value[:MAX_VALUE_LENGTH])


@dataclass(frozen=True)
class Selection:
    """Which traces to look at: ``error``, ``slow`` (slowest 10%), or conditions joined by
    ``and``: ``duration>2s``, ``prediction.confidence<0.5``, ``tenant.id=acme``; a number may
    be a percentile of the set, ``prediction.confidence<p10`` (the lowest 10%)."""

    text: str

    def pick(self, rows: list[TraceRow]) -> list[bool]:
        text = self.text.strip().lower()
        if text == "error":
            return [row.error for row in rows]
        if text == "slow":
            threshold = quantile(sorted(float(r.duration_us) for r in rows), 0.9)
            return [row.duration_us > threshold for row in rows]
        conditions = [self._condition(part, rows) for part in re.split(r"\s+and\s+", self.text)]
        return [all(check(row) for check in conditions) for row in rows]

    def _condition(self, part: str, rows: list[TraceRow]) -> Any:
        match = _CONDITION.fullmatch(part)
        if match is None:
            raise ConfigError(f"--select: cannot read {part!r}; write KEY<op>VALUE with op one "
                              "of < <= > >= = != (e.g. duration>2s, tenant.id=acme), or "
                              "'error' or 'slow'")
        key, op, raw = match.groups()
        if key == "duration":
            try:
                limit = float(parse_duration_us(raw))
            except ValueError as exc:
                raise ConfigError(f"--select: {exc}") from None
            return lambda row: _compare(float(row.duration_us), op, limit)
        number = _percentile(raw, key, rows) if re.fullmatch(r"p\d{1,2}", raw) else _number(raw)
        if number is not None and op not in ("=", "!="):
            return lambda row: any(_compare(v, op, number) for v in row.numbers.get(key, ()))
        if op in ("=", "!="):
            wanted = raw.strip("'\"")
            return lambda row: (wanted in row.values.get(key, ())) == (op == "=")
        raise ConfigError(f"--select: {part!r} compares with a number, but {raw!r} is not one")


def _percentile(raw: str, key: str, rows: list[TraceRow]) -> float | None:
    """``p10`` of a numeric attribute over the set (each trace counted by its lowest value)."""
    lows = sorted(min(row.numbers[key]) for row in rows if row.numbers.get(key))
    return quantile(lows, int(raw[1:]) / 100) if lows else None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(value: float, op: str, limit: float) -> bool:
    return {"<": value < limit, "<=": value <= limit, ">": value > limit,
            ">=": value >= limit, "=": value == limit, "!=": value != limit}[op]


def compare_cohorts(rows: list[TraceRow], selected: list[bool], *, min_support: int = 5,
                    alpha: float = 0.05, top: int = 20) -> dict[str, Any]:
    chosen = [r for r, s in zip(rows, selected, strict=True) if s]
    others = [r for r, s in zip(rows, selected, strict=True) if not s]
    n_sel, n_base = len(chosen), len(others)
    tests: list[dict[str, Any]] = []
    if n_sel and n_base:
        for key in _useful_keys(rows):
            tests.extend(_test_key(key, chosen, others, min_support))
    for test, q in zip(tests, benjamini_hochberg([t["p_value"] for t in tests]), strict=True):
        test["q_value"] = round(q, 6)
    significant = [t for t in tests if t["q_value"] < alpha and t["delta"] > 0]
    significant.sort(key=lambda t: (-t["delta"], t["q_value"], t["key"], t["value"]))
    return {"selected": n_sel, "others": n_base, "tested": len(tests),
            "attributes": significant[:top], "keys": _key_distances(tests)[:top]}


def _useful_keys(rows: list[TraceRow]) -> list[str]:
    """Keys that can separate traces: a few values, or present in only some traces."""
    distinct: dict[str, set[str]] = {}
    present: dict[str, int] = {}
    for row in rows:
        for key, values in row.values.items():
            distinct.setdefault(key, set()).update(values)
            present[key] = present.get(key, 0) + 1
    limit = max(20, len(rows) // 2)
    return sorted(key for key, values in distinct.items()
                  if len(values) <= limit and (len(values) > 1 or present[key] < len(rows)))


def _test_key(key: str, chosen: list[TraceRow], others: list[TraceRow],
              min_support: int) -> list[dict[str, Any]]:
    values = sorted({v for row in chosen for v in row.values.get(key, ())})
    out = []
    for value in values:
        a = sum(1 for row in chosen if value in row.values.get(key, ()))
        if a < min_support:
            continue
        c = sum(1 for row in others if value in row.values.get(key, ()))
        n_sel, n_base = len(chosen), len(others)
        out.append({"key": key, "value": value, "support": a,
                    "selection_share": round(a / n_sel, 4), "baseline_share": round(c / n_base, 4),
                    "delta": round(a / n_sel - c / n_base, 4),
                    "p_value": fisher_exact(a, n_sel - a, c, n_base - c)})
    return out


def _key_distances(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Total variation distance per key over the values tested: how much a key separates."""
    by_key: dict[str, float] = {}
    for test in tests:
        by_key[test["key"]] = by_key.get(test["key"], 0.0) + abs(test["delta"]) / 2
    return [{"key": k, "distance": round(v, 4)}
            for k, v in sorted(by_key.items(), key=lambda kv: (-kv[1], kv[0]))]


_QUALITY_WORDS = ("confidence", "score", "probability", "accuracy", "quality", "similarity")


def quality_measures(rows: list[TraceRow], limit: int = 2) -> list[str]:
    """Numeric attributes that look like a model's output quality (``prediction.confidence``,
    ``model.score``) and that most traces carry: silent degradation shows in them, not in
    latency or errors, so they are what to select on when neither sets traces apart."""
    counts: dict[str, int] = {}
    for row in rows:
        for key in row.numbers:
            if any(word in key.lower() for word in _QUALITY_WORDS):
                counts[key] = counts.get(key, 0) + 1
    common = [key for key, n in counts.items() if n * 2 >= len(rows)]
    return sorted(common, key=lambda key: (-counts[key], key))[:limit]


def measured_attribute(selection: Selection) -> str | None:
    """The numeric attribute a selection condition tests (``prediction.confidence<p10``)."""
    for part in re.split(r"\s+and\s+", selection.text):
        match = _CONDITION.fullmatch(part)
        if match and match.group(1) != "duration" and match.group(2) not in ("=", "!="):
            return match.group(1)
    return None


def trend(rows: list[TraceRow], measure: str, key: str, value: str) -> list[dict[str, Any]]:
    """Mean of ``measure`` per day (per hour in a window under two days), for traces with
    ``key=value`` and for the others: how a drift built up over time."""
    timed = [r for r in rows if r.numbers.get(measure) and r.start_us]
    if not timed:
        return []
    first = min(r.start_us for r in timed)
    span_us = max(r.start_us for r in timed) - first
    bucket_us = 86_400_000_000 if span_us >= 2 * 86_400_000_000 else 3_600_000_000
    unit = "day" if bucket_us > 3_600_000_000 else "hour"
    sums: dict[int, list[float]] = {}
    for row in timed:
        slot = sums.setdefault((row.start_us - first) // bucket_us, [0.0, 0.0, 0.0, 0.0])
        offset = 0 if value in row.values.get(key, ()) else 2
        slot[offset] += min(row.numbers[measure])
        slot[offset + 1] += 1
    return [{unit: n, "with": round(s[0] / s[1], 4) if s[1] else None, "with_traces": int(s[1]),
             "others": round(s[2] / s[3], 4) if s[3] else None, "other_traces": int(s[3])}
            for n, s in sorted(sums.items())]
