"""``build_report_context``: an Analysis in, the report's plain-data context out.

This is where trace text becomes report text, so redaction happens here (through
:class:`~tracewhy.render.texts.Texts`) before any section exists.  The first screen (header,
verdict, 5 Whys) is built here; the other sections come from ``sections``, ``waterfall``,
``callgraph`` and ``span_details``.  Nothing here reads the clock, the environment or files:
``generated_at``, ``version`` and the reproduce command are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tracewhy import __version__
from tracewhy.analysis.analyze import Analysis
from tracewhy.render import sections
from tracewhy.render.callgraph import build_call_graph
from tracewhy.render.context_types import Header, ReportContext, TopHop, Verdict, Why
from tracewhy.render.format import duration, percent
from tracewhy.render.redact import Redactor, command_line, redact_argv
from tracewhy.render.sections import as_dicts, num
from tracewhy.render.span_details import choose_details, span_detail
from tracewhy.render.text import outlasting_note
from tracewhy.render.texts import Texts, plural
from tracewhy.render.waterfall import build_waterfall

__all__ = ["ReportContext", "build_report_context", "safe_link"]

MAX_EVIDENCE = 200
SUMMARY_SCHEMA = "tracewhy.report-summary/1"


def build_report_context(analysis: Analysis, *, command: Sequence[str],
                         generated_at: datetime | str, redact: bool = True,
                         version: str = __version__) -> ReportContext:
    texts = Texts(Redactor(redact), analysis.index.position)
    evidence = evidence_spans(analysis)
    detailed = choose_details(analysis, evidence)
    texts.detailed = set(detailed)
    ix = analysis.index
    t0 = min(ix.start) if len(ix) else 0
    whys = _whys(analysis, texts)
    verdict = _verdict(analysis, texts)
    body: dict[str, Any] = {
        "waterfall": build_waterfall(analysis, texts, evidence),
        "graph": build_call_graph(analysis, texts),
        "layers": sections.layer_bar(analysis, texts),
        "services": sections.service_bar(analysis, texts),
        "hops": sections.hop_table(analysis, texts),
        "errors": sections.errors_section(analysis, texts),
        "baseline": sections.baseline(analysis, texts),
        "warnings": sections.warnings(analysis, texts),
        "spans": [span_detail(analysis, texts, i, t0, set(evidence)) for i in detailed],
        "next_checks": [texts.text(c, 500) for c in analysis.next_checks
                        if isinstance(c, str)][:20],
    }
    body["findings"], body["findings_note"] = sections.findings(analysis, texts)
    header = _header(analysis, texts, _stamp(generated_at), version)  # last: counts redactions
    return ReportContext(
        header=header, verdict=verdict, whys=whys,
        spans_note=f"{len(detailed):,} of {len(ix):,} spans listed in full",
        command=command_line(redact_argv(list(command))),
        summary=_summary(analysis, header, verdict), **body)


def evidence_spans(analysis: Analysis) -> list[int]:
    """Indexes of every span the root-cause fields cite, in citation order (capped)."""
    cited: list[object] = []
    cause = analysis.root_cause if isinstance(analysis.root_cause, dict) else {}
    cited += _ids(cause.get("span_ids"))
    for why in as_dicts(analysis.whys):
        ev = why.get("evidence")
        cited += _ids(ev.get("span_ids")) if isinstance(ev, dict) else []
    for finding in as_dicts(analysis.findings):
        cited += _ids(finding.get("span_ids"))
        for ev in as_dicts(finding.get("evidence")):
            cited += _ids(ev.get("span_ids"))
    errors = analysis.errors if isinstance(analysis.errors, dict) else {}
    origin = errors.get("origin")
    cited += [origin.get("span_id")] if isinstance(origin, dict) else []
    cited += [step.get("span_id") for step in as_dicts(errors.get("chain"))]
    for rec in as_dicts(errors.get("recovered")):
        cited += _ids(rec.get("span_ids"))
    position = analysis.index.position
    found = (position.get(sid) for sid in cited if isinstance(sid, str))
    return list(dict.fromkeys(i for i in found if i is not None))[:MAX_EVIDENCE]


def _ids(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _whys(analysis: Analysis, texts: Texts) -> list[Why]:
    out = []
    for n, why in enumerate(as_dicts(analysis.whys), 1):
        ev = why.get("evidence") if isinstance(why.get("evidence"), dict) else {}
        assert isinstance(ev, dict)
        step = why.get("step")
        out.append(Why(step if isinstance(step, int) and not isinstance(step, bool) else n,
                       texts.text(why.get("question"), 500), texts.text(why.get("answer"), 1000),
                       texts.text(why.get("rule"), 120), texts.refs(ev.get("span_ids")),
                       sections.values(texts, ev.get("values"))))
    return out


def _verdict(analysis: Analysis, texts: Texts) -> Verdict:
    total = analysis.root_duration_us
    top = [h for h in analysis.hops if h.critical_us][:3]
    top_hops = [TopHop(texts.text(h.service, 120), texts.text(h.operation, 200),
                       percent(h.critical_us / total) if total else "", duration(h.critical_us),
                       _first_anchor(texts, h.critical_spans)) for h in top]
    cause = analysis.root_cause if isinstance(analysis.root_cause, dict) else None
    if cause and cause.get("summary"):
        impact = num(cause, "impact_us")
        share = f", {percent(impact / total)} of the request" if total else ""
        where = ": ".join(texts.text(cause.get(k), 200) for k in ("service", "operation")
                          if cause.get(k))
        detail = f"{texts.text(cause.get('kind'), 40)} in {where} " \
                 f"({texts.text(cause.get('layer'), 40)}), costing {duration(impact)}{share}"
        conf = num(cause, "confidence")
        return Verdict(True, texts.text(cause.get("summary"), 600), detail,
                       f"{conf * 100:.0f}%" if "confidence" in cause else "",
                       texts.refs(cause.get("span_ids")), top_hops)
    if not len(analysis.index):
        sentence = "No root cause found: the trace has no spans."
    elif not top:
        sentence = "No root cause found: the critical path is empty."
    else:
        h = top_hops[0]
        share = f"{h.share} of {duration(total)}" if total else h.critical
        sentence = f"No root cause found: the critical path is dominated by " \
                   f"{h.service}: {h.operation} ({share})."
    return Verdict(False, sentence, "", "", [], top_hops)


def _first_anchor(texts: Texts, spans: list[int]) -> str:
    return texts.index_anchor(spans[0]) if spans else ""


def _header(analysis: Analysis, texts: Texts, generated_at: str, version: str) -> Header:
    trace, root = analysis.trace, analysis.root
    total = analysis.root_duration_us
    symptom = analysis.symptom if isinstance(analysis.symptom, dict) else {}
    note, over = _against_target(symptom, total)
    outlasting = outlasting_note(analysis)
    if outlasting:
        note = f"{note}; {outlasting}"
    failed = sum(analysis.error)
    is_error = bool(root is not None and analysis.error[analysis.index.root])
    status_note = texts.text(root.status_message, 300) if root is not None and is_error else ""
    if not status_note and failed:
        status_note = plural(failed, "failed span") + ("" if is_error else " below the root")
    services = len({h.service for h in analysis.hops})
    acc = trace.accounting()
    source = trace.source
    return Header(
        title=texts.text(f"{root.service} {root.name}" if root else trace.trace_id, 200),
        trace_id=texts.text(trace.trace_id, 80),
        root_service=texts.text(root.service, 200) if root else "",
        root_operation=texts.text(root.name, 300) if root else "",
        duration=duration(total), duration_note=note, over_target=over,
        status="error" if is_error else "ok", status_note=status_note, is_error=is_error,
        symptom=texts.text(symptom.get("summary"), 500),
        spans=f"{plural(len(analysis.index), 'span')} in {plural(services, 'service')}",
        accounting=f"{acc['input']:,} input spans: {acc['analysed']:,} analysed, "
                   f"{acc['merged']:,} merged, {acc['rejected']:,} rejected"
                   + (f", {acc['left_out']:,} left out (--max-spans)" if acc["left_out"] else ""),
        source=f"{texts.text(source.format, 20)}: {texts.text(source.name, 300)}"
        if source else "unknown",
        source_link=safe_link(texts.text(source.ui_url, 2000)) if source and source.ui_url
        else "",
        other_traces=f"{plural(len(source.other_trace_ids), 'other trace')} in the input not "
                     "analysed" if source and source.other_trace_ids else "",
        generated_at=generated_at, version=version, redacted=texts.redactor.enabled,
        redaction_notes=texts.redactor.notes())


def _against_target(symptom: dict[str, Any], total: int) -> tuple[str, bool]:
    slo, p50, p95 = num(symptom, "slo_us"), num(symptom, "baseline_p50_us"), \
        num(symptom, "baseline_p95_us")
    parts, over = [], False
    if slo:
        over = total > slo
        parts.append(f"{total / slo:.1f}× the {duration(slo)} SLO" if over
                     else f"within the {duration(slo)} SLO")
    if p50 or p95:
        parts.append(f"baseline p50 {duration(p50)}, p95 {duration(p95)}")
        over = over or bool(p95 and total > p95)
    excess = num(symptom, "excess_us")
    if excess:
        parts.append(f"{duration(excess)} over target")
    return ("; ".join(parts) or "no SLO or baseline given"), over


def safe_link(url: str) -> str:
    """``url`` if it is a plain http(s) URL without credentials, else empty."""
    if not url or any(c.isspace() or ord(c) < 32 or c in "\"'<>`\\" for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    ok = parts.scheme.lower() in ("http", "https") and parts.hostname and "@" not in parts.netloc
    return url if ok else ""


def _stamp(generated_at: datetime | str) -> str:
    if isinstance(generated_at, str):
        return generated_at
    return generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _summary(analysis: Analysis, header: Header, verdict: Verdict) -> dict[str, Any]:
    cause = analysis.root_cause if isinstance(analysis.root_cause, dict) else None
    return {
        "schema": SUMMARY_SCHEMA, "trace_id": header.trace_id, "verdict": verdict.sentence,
        "root_cause_found": verdict.found, "duration_us": analysis.root_duration_us,
        "error": header.is_error, "root_service": header.root_service,
        "root_operation": header.root_operation,
        "root_cause": {k: cause.get(k) for k in ("finding_id", "kind", "impact_us")}
        if cause else None,
        "finding_ids": [f.get("id") for f in as_dicts(analysis.findings)
                        if isinstance(f.get("id"), str)][:50],
        "generated_at": header.generated_at, "version": header.version,
        "redacted": header.redacted,
    }
