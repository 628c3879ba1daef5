"""A short terminal summary: root, duration, the critical path's top hops, errors, warnings."""

from __future__ import annotations

import textwrap

from tracewhy.analysis.analyze import Analysis
from tracewhy.render.format import duration, percent
from tracewhy.render.redact import Redactor
from tracewhy.render.safe_text import clean

TOP_HOPS = 8
WIDTH = 100  # the verdict and the 5 Whys are wrapped to this, not cut: they are the answer
ANSWER_MAX = 1500  # ...within reason: an answer quoting a huge span value is still cut


def render_text(analysis: Analysis, *, redact: bool = True) -> str:
    redactor = Redactor(enabled=redact)
    return "\n".join(redactor.text(line) for line in _lines(analysis)) + "\n"


def _lines(analysis: Analysis) -> list[str]:
    lines: list[str] = []
    trace, root = analysis.trace, analysis.root
    source = trace.source
    origin = f"  ({source.format}, {clean(source.name)})" if source else ""
    lines.append(f"trace  {clean(trace.trace_id)}{origin}")
    if root is None:
        return [*lines, "no spans"]
    total = analysis.root_duration_us
    status = "ERROR" if analysis.error[analysis.index.root] else "ok"
    lines.append(f"root   {clean(root.service)}  {clean(root.name)}  {duration(total)}  {status}")
    outlasting = outlasting_note(analysis)
    if outlasting:
        lines.append(f"       {outlasting}")
    services = {span.service for span in analysis.index.spans}
    lines.append(f"spans  {len(analysis.index)} in {len(services)} "
                 f"service{'s' if len(services) != 1 else ''}"
                 f"   warnings {len(trace.warnings)}")
    lines.extend(_verdict(analysis))
    lines.append("")
    lines.append("critical path (where the time went):")
    for hop in [h for h in analysis.hops if h.critical_us][:TOP_HOPS]:
        share = hop.critical_us / total if total else 0.0
        lines.append(f"  {percent(share):>6}  {duration(hop.critical_us):>9}  "
                     f"{clean(hop.service)}  {clean(hop.operation)}")
    lines.extend(_errors(analysis))
    lines.extend(_warnings(analysis))
    return lines


def _verdict(analysis: Analysis) -> list[str]:
    if not analysis.root_cause:
        return []
    summary = clean(str(analysis.root_cause.get("summary", "")), ANSWER_MAX)
    out = ["", *_wrapped(f"verdict  {summary}", "         ")]
    for number, why in enumerate(analysis.whys, 1):
        out.append(f"  why {number}: {clean(str(why.get('question', '')))}")
        out.extend(_wrapped("         " + clean(str(why.get("answer", "")), ANSWER_MAX),
                            "         "))
    return out


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False) or [text]


def _errors(analysis: Analysis) -> list[str]:
    failing = [h for h in analysis.hops if h.errors]
    if not failing:
        return []
    ranked = sorted(failing, key=lambda h: (-h.errors, h.service, h.operation))[:TOP_HOPS]
    return ["", f"errors ({sum(h.errors for h in failing)} spans):"] + [
        f"  {hop.errors:>5}  {clean(hop.service)}  {clean(hop.operation)}" for hop in ranked]


def _warnings(analysis: Analysis) -> list[str]:
    if not analysis.trace.warnings:
        return []
    return ["", "data quality:"] + [f"  [{w.code}] {clean(w.message)}"
                                      for w in analysis.trace.warnings]


def outlasting_note(analysis: Analysis) -> str:
    """When the trace runs clearly longer than its root, say how long: a trace viewer shows
    that longer figure as the trace's duration (the text header, the reports' header)."""
    extent = analysis.extent()
    if extent is None or not extent.outlasts(analysis.root_duration_us):
        return ""
    n = extent.after_root
    spans = "1 span ends" if n == 1 else f"{n:,} spans end"
    after = f": {spans} after the root (work it did not wait for, or clock skew)" if n else ""
    return f"the trace runs {duration(extent.duration_us)} from first start to last end{after}"
