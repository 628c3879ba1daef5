"""The report as Markdown (tickets, postmortem documents): the HTML report's content, with tables
where the page draws SVG.

Trace text is escaped for Markdown and for the HTML that Markdown allows: ``<``, ``>`` and ``&``
become entities, Markdown punctuation is backslash-escaped (so ``|`` cannot split a table cell
and backticks cannot open code), and line breaks become spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tracewhy import __version__
from tracewhy.render.context import ReportContext, build_report_context
from tracewhy.render.context_types import KeyValue, SpanRef, StackedBar

if TYPE_CHECKING:
    from tracewhy.analysis.analyze import Analysis

_PUNCT = re.compile(r"([\\`*_\[\]|~])")
_LEAD = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")


def md(text: str) -> str:
    """Escape trace text for Markdown (inline, and safe inside a table cell)."""
    text = _LINE_BREAKS.sub(" ", text)
    text = "".join(_ENTITIES.get(c, c) for c in text)
    return _PUNCT.sub(r"\\\1", text)


def md_line(text: str) -> str:
    """Escape trace text that starts a line: also a leading block marker (``#``, ``-``, ``1.``)."""
    return _LEAD.sub(_escape_lead, md(text))


def _escape_lead(m: re.Match[str]) -> str:
    """A block marker at the start (``#``, ``-``, ``1.``) made literal."""
    mark = m.group(2)
    return m.group(1) + (f"{mark[:-1]}\\{mark[-1]}" if mark[0].isdigit() else f"\\{mark}")


def render_markdown(analysis: Analysis, *, command: Sequence[str] = ("tracewhy",),
                    generated_at: datetime | str | None = None, redact: bool = True,
                    version: str = __version__) -> str:
    context = build_report_context(analysis, command=command,
                                   generated_at=generated_at or datetime.now(UTC),
                                   redact=redact, version=version)
    return render_context_markdown(context)


def render_context_markdown(ctx: ReportContext) -> str:
    parts = [_first_screen(ctx), _whys(ctx), _bars(ctx), _hops(ctx), _errors(ctx),
             _findings(ctx), _baseline(ctx), _warnings(ctx), _timeline(ctx), _reproduce(ctx)]
    return "\n\n".join(p for p in parts if p).rstrip() + "\n"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _refs(refs: Sequence[SpanRef]) -> str:
    return ", ".join(f"`{r.label}`" if _plain_id(r.label) else md(r.label) for r in refs)


def _plain_id(label: str) -> bool:
    return bool(re.fullmatch(r"[0-9A-Za-z#._-]{1,80}", label))


def _kv(items: Sequence[KeyValue]) -> str:
    return "; ".join(f"{md(i.key)} = {md(i.value)}" for i in items)


def _first_screen(ctx: ReportContext) -> str:
    h = ctx.header
    lines = [f"# tracewhy report: {md(h.title)}", ""]
    if not h.redacted:
        lines += ["> **Secrets NOT redacted** (made with --no-redact). Do not share.", ""]
    lines += [f"**Verdict:** {md(ctx.verdict.sentence)}"]
    if ctx.verdict.detail:
        conf = f" (confidence {md(ctx.verdict.confidence)})" if ctx.verdict.confidence else ""
        lines += ["", f"{md(ctx.verdict.detail)}{conf}"]
    if ctx.verdict.evidence:
        lines += ["", f"Evidence: {_refs(ctx.verdict.evidence)}"]
    redaction = ("on: masked " + md("; ".join(h.redaction_notes)) if h.redaction_notes
                 else "on: nothing needed masking") if h.redacted else "**off** (--no-redact)"
    facts = [("Trace", f"`{h.trace_id}`" if _plain_id(h.trace_id) else md(h.trace_id)),
             ("Root", md(f"{h.root_service}: {h.root_operation}") if h.root_service else "none"),
             ("Duration", f"{md(h.duration)} ({md(h.duration_note)})"),
             ("Status", md(h.status + (f": {h.status_note}" if h.status_note else ""))),
             ("Symptom", md(h.symptom)),
             ("Source", md(h.source) + (f" ([open in the tracing UI](<{h.source_link}>))"
                                        if h.source_link else "")),
             ("Spans", md(f"{h.spans} ({h.accounting})")),
             ("Other traces", md(h.other_traces)), ("Redaction", redaction),
             ("Generated", md(f"{h.generated_at} by tracewhy {h.version}"))]
    return "\n".join(lines) + "\n\n" + _table(("", ""), [(k, v) for k, v in facts if v])


def _whys(ctx: ReportContext) -> str:
    out = ["## 5 Whys", ""]
    if not ctx.whys:
        out.append("_No 5-Whys chain: the root-cause engine gave none for this trace._")
    for why in ctx.whys:
        out.append(f"{why.step}. **{md(why.question)}** {md(why.answer)}")
        extra = [f"evidence {_refs(why.evidence)}" if why.evidence else "",
                 _kv(why.values), f"rule {md(why.rule)}" if why.rule else ""]
        if any(extra):
            out.append(f"   ({'; '.join(e for e in extra if e)})")
    if ctx.verdict.top_hops:
        out += ["", "Top of the critical path:", "",
                _table(("share", "time", "hop"), [(md(h.share), md(h.critical),
                                                   md(f"{h.service}: {h.operation}"))
                                                  for h in ctx.verdict.top_hops])]
    if ctx.next_checks:
        out += ["", "Next checks:", ""] + [f"- {md(c)}" for c in ctx.next_checks]
    return "\n".join(out)


def _bars(ctx: ReportContext) -> str:
    return "## Where the critical path went\n\n" + "\n\n".join(
        _bar(bar) for bar in (ctx.layers, ctx.services))


def _bar(bar: StackedBar) -> str:
    note = f" ({md(bar.note)})" if bar.note else ""
    if not bar.parts:
        return f"{md(bar.title)}{note}: no critical-path time."
    return f"{md(bar.title)}{note}:\n\n" + _table(
        ("part", "critical", "share"), [(md(p.label), md(p.critical), md(p.share))
                                        for p in bar.parts])


def _hops(ctx: ReportContext) -> str:
    note = f"\n\nShowing the {md(ctx.hops.note)}." if ctx.hops.note else ""
    rows = [(md(r.service), md(r.operation), md(r.layer), f"{r.calls:,}", md(r.critical),
             md(r.share), md(r.self_time), md(r.total), md(r.max_time), md(r.wire),
             f"{r.errors:,}") for r in ctx.hops.rows]
    table = _table(("service", "operation", "layer", "calls", "critical", "share", "self",
                    "total", "max", "wire", "errors"), rows) if rows else "_No hops._"
    return f"## Hops{note}\n\n{table}"


def _errors(ctx: ReportContext) -> str:
    e = ctx.errors
    out = ["## Errors", "", md_line(e.summary) + (f" ({md(e.exception)})" if e.exception else "")]
    if e.origin:
        o = e.origin
        out += ["", f"Origin: {_refs([o.span])} {md(f'{o.service}: {o.operation}')} "
                    f"{md(o.message)}"]
    if e.chain:
        out += ["", _table(("#", "span", "hop", "layer", "message"), [
            (str(k), _refs([s.span]), md(f"{s.service}: {s.operation}"), md(s.layer),
             md(s.message)) for k, s in enumerate(e.chain, 1)])]
    if e.recovered:
        out += ["", "Retried away:", ""] + [
            f"- {md(f'{r.service}: {r.operation}')}: attempts {md(r.attempts)}, "
            f"{md(r.added)} added {_refs(r.spans)}" for r in e.recovered]
    if e.failing:
        out += ["", _table(("failed spans", "hop"), [
            (f"{h.errors:,}", md(f"{h.service}: {h.operation}")) for h in e.failing])]
    return "\n".join(out)


def _findings(ctx: ReportContext) -> str:
    if not ctx.findings:
        return "## Findings\n\n_No findings: the root-cause engine reported none._"
    out = ["## Findings"]
    for f in ctx.findings:
        tag = " **(root cause)**" if f.is_root_cause else ""
        out += ["", f"### {md(f.id)} {md(f.title)}{tag}", "",
                md_line(f"{f.kind} · {f.where} · impact {f.impact}") +
                (f" · rule {md(f.rule)}" if f.rule else "")]
        out += [f"- {md(ev.text)} {_refs(ev.spans)} {_kv(ev.values)}".rstrip()
                for ev in f.evidence]
    if ctx.findings_note:
        out += ["", f"_{md(ctx.findings_note)}_"]
    return "\n".join(out)


def _baseline(ctx: ReportContext) -> str:
    b = ctx.baseline
    if b is None:
        return ""
    out = ["## Against the baseline", "", md_line(b.summary)]
    if b.hops:
        out += ["", _table(("hop", "here", "median", "p95", "percentile", "robust z", "added",
                            "regressed"),
                           [(md(f"{h.service}: {h.operation}"), md(h.critical), md(h.median),
                             md(h.p95), md(h.percentile), md(h.robust_z), md(h.added),
                             "yes" if h.regressed else "") for h in b.hops])]
    if b.attributes:
        out += ["", _table(("attribute", "here", "baseline", "delta", "support", "p"),
                           [(md(f"{a.key} = {a.value}"), md(a.selection), md(a.baseline),
                             md(a.delta), md(a.support), md(a.p_value)) for a in b.attributes])]
    return "\n".join(out)


def _warnings(ctx: ReportContext) -> str:
    if not ctx.warnings:
        return "## Data quality\n\n_No repairs were needed._"
    rows = [(f"`{w.code}`" if _plain_id(w.code) else md(w.code), md(w.severity), md(w.message),
             _refs(w.spans) + (f" {md(w.more)}" if w.more else "")) for w in ctx.warnings]
    return "## Data quality\n\n" + _table(("code", "severity", "what", "spans"), rows)


def _timeline(ctx: ReportContext) -> str:
    rows = [(md(r.label), md(r.duration),
             "critical" if r.critical else "", "error" if r.is_error else "")
            for r in ctx.waterfall.rows]
    table = _table(("span", "duration", "critical path", "error"), rows) if rows else ""
    return f"## Timeline\n\n{md_line(ctx.waterfall.note)}.\n\n{table}".rstrip()


def _reproduce(ctx: ReportContext) -> str:
    fence = "````" if "```" in ctx.command else "```"
    return f"## Reproduce this report\n\n{fence}\n{ctx.command}\n{fence}"
