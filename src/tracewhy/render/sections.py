"""Report sections below the first screen: bars, hop table, errors, findings, baseline, warnings.

Each builder reads the Analysis (the root-cause fields as documented in
docs/analysis-contract.md, read defensively: a missing key shows as empty, never fails) and
returns context values; all trace text goes through :class:`~tracewhy.render.texts.Texts`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tracewhy.analysis.analyze import Analysis
from tracewhy.render.context_types import (
    BarPart,
    Baseline,
    BaselineAttribute,
    BaselineHop,
    DataWarning,
    Errors,
    ErrorStep,
    Evidence,
    FailingHop,
    Finding,
    HopRow,
    HopTable,
    KeyValue,
    Recovered,
    Segment,
    StackedBar,
)
from tracewhy.render.format import duration, percent
from tracewhy.render.texts import Texts, css_layer, plural

MAX_HOPS = 300
MAX_BAR_PARTS = 8
MAX_WARNING_SPANS = 12
BAR_WIDTH = 1000


def as_dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def num(row: dict[str, Any], key: str) -> float:
    value = row.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def maybe(row: dict[str, Any], key: str, fmt: str = "{:.3g}") -> str:
    value = row.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt.format(value)
    return ""


def values(texts: Texts, raw: object) -> list[KeyValue]:
    """Evidence values: ``*_us`` numbers as durations, nulls left out, secrets masked."""
    if not isinstance(raw, dict):
        return []
    items = sorted((kv for kv in raw.items() if kv[1] is not None), key=lambda kv: str(kv[0]))
    return [KeyValue(texts.text(k, 80), _value(texts, str(k), v)) for k, v in items[:20]]


def _value(texts: Texts, key: str, value: object) -> str:
    if key.endswith("_us") and isinstance(value, int | float) and not isinstance(value, bool):
        return duration(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return texts.attr(key, value)


def layer_bar(analysis: Analysis, texts: Texts) -> StackedBar:
    rows = as_dicts(analysis.layers)
    note = "from the root-cause engine"
    if not rows:
        totals: dict[str, int] = {}
        for hop in analysis.hops:
            totals[hop.layer] = totals.get(hop.layer, 0) + hop.critical_us
        rows = [{"layer": k, "critical_us": v} for k, v in totals.items() if v]
        note = "from the hops' layers" if any(r["layer"] != "unknown" for r in rows) else \
            "layers not classified yet: every hop counts as unknown"
    parts = [(texts.text(r.get("layer"), 40), int(num(r, "critical_us")),
              css_layer(r.get("layer"))) for r in rows]
    return _bar("Critical path by layer", note, parts, analysis.root_duration_us)


def service_bar(analysis: Analysis, texts: Texts) -> StackedBar:
    rows = as_dicts(analysis.by_service)
    if not rows:
        totals: dict[str, int] = {}
        for hop in analysis.hops:
            totals[hop.service] = totals.get(hop.service, 0) + hop.critical_us
        rows = [{"service": k, "critical_us": v} for k, v in totals.items() if v]
    ranked = sorted(rows, key=lambda r: (-num(r, "critical_us"), str(r.get("service"))))
    parts = [(texts.text(r.get("service"), 60), int(num(r, "critical_us")), f"c{k}")
             for k, r in enumerate(ranked[:MAX_BAR_PARTS - 1])]
    rest = sum(int(num(r, "critical_us")) for r in ranked[MAX_BAR_PARTS - 1:])
    if rest:
        parts.append((plural(len(ranked) - MAX_BAR_PARTS + 1, "other service"), rest, "other"))
    return _bar("Critical path by service", "", parts, analysis.root_duration_us)


def _bar(title: str, note: str, parts: list[tuple[str, int, str]], total: int) -> StackedBar:
    whole = sum(p[1] for p in parts) or 1
    out, x = [], 0.0
    for label, crit, css in sorted(parts, key=lambda p: -p[1]):
        w = BAR_WIDTH * crit / whole
        out.append(BarPart(label, percent(crit / total) if total else "", duration(crit),
                           Segment(round(x, 2), round(w, 2)), css))
        x += w
    return StackedBar(title, note, out)


def hop_table(analysis: Analysis, texts: Texts) -> HopTable:
    total = analysis.root_duration_us
    rows = []
    for hop in analysis.hops[:MAX_HOPS]:
        first = hop.critical_spans[0] if hop.critical_spans else None
        rows.append(HopRow(
            texts.text(hop.service, 120), texts.text(hop.operation, 200),
            texts.text(hop.layer, 40), hop.calls, duration(hop.critical_us), hop.critical_us,
            percent(hop.critical_us / total) if total else "", duration(hop.total_us),
            hop.total_us, duration(hop.self_us), hop.self_us, duration(hop.max_us), hop.max_us,
            duration(hop.wire_us) if hop.wire_us else "", hop.wire_us, hop.errors,
            texts.index_anchor(first) if first is not None else ""))
    hidden = len(analysis.hops) - len(rows)
    note = f"top {len(rows)} of {len(analysis.hops):,} hops by critical time" if hidden else ""
    return HopTable(rows, note)


def errors_section(analysis: Analysis, texts: Texts) -> Errors:
    raw = analysis.errors if isinstance(analysis.errors, dict) else {}
    origin = _step(texts, raw["origin"]) if isinstance(raw.get("origin"), dict) else None
    failing = sorted((h for h in analysis.hops if h.errors),
                     key=lambda h: (-h.errors, h.service, h.operation))
    count = int(num(raw, "count")) if raw else sum(h.errors for h in failing)
    summary = plural(count, "failed span") if count else "no failed spans"
    if origin:
        summary += f"; the error started in {origin.service}: {origin.operation}"
    exception = texts.text(raw["origin"].get("exception_type"), 120) if origin else ""
    return Errors(
        summary, origin, exception,
        [_step(texts, s) for s in as_dicts(raw.get("chain"))[:50]],
        [_recovered(texts, r) for r in as_dicts(raw.get("recovered"))[:50]],
        [FailingHop(texts.text(h.service, 120), texts.text(h.operation, 200), h.errors,
                    _failed_anchor(analysis, texts, h.service, h.operation))
         for h in failing[:30]])


def _failed_anchor(analysis: Analysis, texts: Texts, service: str, operation: str) -> str:
    for i in sorted(texts.detailed):
        span = analysis.index.spans[i]
        if analysis.error[i] and span.service == service and span.name == operation:
            return texts.index_anchor(i)
    return ""


def _step(texts: Texts, row: dict[str, Any]) -> ErrorStep:
    return ErrorStep(texts.text(row.get("service"), 120), texts.text(row.get("operation"), 200),
                     texts.text(row.get("layer"), 40), texts.text(row.get("message"), 500),
                     texts.ref(row.get("span_id")))


def _recovered(texts: Texts, row: dict[str, Any]) -> Recovered:
    return Recovered(texts.text(row.get("service"), 120), texts.text(row.get("operation"), 200),
                     maybe(row, "attempts", "{:,}"), duration(num(row, "added_us")),
                     texts.refs(row.get("span_ids")))


MAX_FINDINGS_SHOWN = 12  # a wide trace has a finding per repeated operation: ~100


def findings(analysis: Analysis, texts: Texts) -> tuple[list[Finding], str]:
    """The first findings (they come ranked, the root cause first) in full, and a line on the
    rest: a report is read top down, and the JSON output lists every finding."""
    rows = as_dicts(analysis.findings)
    shown, rest = rows[:MAX_FINDINGS_SHOWN], rows[MAX_FINDINGS_SHOWN:]
    note = ""
    if rest:
        kinds = Counter(texts.text(row.get("kind"), 40) for row in rest)
        held = sum(num(row, "impact_us") for row in rest)
        note = (f"{plural(len(rest), 'more finding')} not shown here ("
                + ", ".join(f"{kind} ×{n}" for kind, n in kinds.most_common())
                + f"; {duration(held)} of impact in all); the JSON output lists every one")
    return _findings(analysis, texts, shown), note


def _findings(analysis: Analysis, texts: Texts, rows: list[dict[str, Any]]) -> list[Finding]:
    cause = analysis.root_cause if isinstance(analysis.root_cause, dict) else {}
    total = analysis.root_duration_us
    out = []
    for row in rows:
        impact = num(row, "impact_us")
        share = f" ({percent(impact / total)} of the request)" if total else ""
        where = " · ".join(texts.text(row.get(k), 200) for k in ("service", "operation", "layer")
                           if row.get(k))
        out.append(Finding(
            texts.text(row.get("id"), 20), texts.text(row.get("kind"), 40),
            texts.text(row.get("title"), 300), where, f"{duration(impact)}{share}",
            texts.text(row.get("rule"), 120),
            bool(cause) and cause.get("finding_id") == row.get("id"),
            [Evidence(texts.text(e.get("text"), 500), texts.refs(e.get("span_ids")),
                      values(texts, e.get("values"))) for e in as_dicts(row.get("evidence"))]))
    return out


def baseline(analysis: Analysis, texts: Texts) -> Baseline | None:
    raw = analysis.baseline
    if not isinstance(raw, dict):
        return None
    traces = maybe(raw, "traces", "{:,}")
    summary = f"{traces or 'unknown number of'} baseline traces"
    if raw.get("source"):
        summary += f" from {texts.text(raw.get('source'), 200)}"
    hops = [BaselineHop(
        texts.text(h.get("service"), 120), texts.text(h.get("operation"), 200),
        duration(num(h, "critical_us")), duration(num(h, "baseline_median_us")),
        duration(num(h, "baseline_p95_us")), maybe(h, "percentile", "{:.0f}"),
        maybe(h, "robust_z", "{:.1f}"), duration(num(h, "added_us")), bool(h.get("regressed")))
        for h in as_dicts(raw.get("hops"))[:100]]
    attributes = [BaselineAttribute(
        texts.text(a.get("key"), 120), texts.attr(str(a.get("key")), a.get("value")),
        percent(num(a, "selection_share")), percent(num(a, "baseline_share")),
        percent(num(a, "delta")), maybe(a, "support", "{:,}"), maybe(a, "p_value", "{:.2g}"))
        for a in as_dicts(raw.get("attributes"))[:50]]
    return Baseline(summary, hops, attributes)


def warnings(analysis: Analysis, texts: Texts) -> list[DataWarning]:
    out = []
    for w in analysis.trace.warnings:
        more = len(w.span_ids) - MAX_WARNING_SPANS
        out.append(DataWarning(texts.text(w.code, 60), texts.text(w.severity, 20),
                               texts.text(w.message, 600),
                               texts.refs(list(w.span_ids), MAX_WARNING_SPANS),
                               f"and {more:,} more" if more > 0 else ""))
    return out
