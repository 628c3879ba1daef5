"""The report context: every value the HTML and Markdown reports show, as plain data.

Built by ``render.context.build_report_context`` from an Analysis; read by the templates and
``render.markdown``, which compute nothing.  Every string that came from a trace has already been
redacted and cleaned of control characters (escaping is the renderer's job).  Every field says
what it holds (``field.metadata["doc"]``; a test checks it), and a test checks the templates read
every field and nothing else.  Durations are preformatted strings (``"12.3 ms"``); ``*_us``
integers sit beside them where a table sorts on them.  SVG geometry is in user units of the
drawing's viewBox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def doc(text: str) -> Any:
    """A dataclass field carrying its documentation."""
    return field(metadata={"doc": text})


@dataclass(frozen=True, slots=True)
class SpanRef:
    """A link to a span's details, or its id alone when the report holds no details for it."""

    label: str = doc("the span id as shown")
    anchor: str = doc("fragment id of the span's details (`span-<n>`), empty when not listed")


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One attribute, evidence value or label/value pair."""

    key: str = doc("the name")
    value: str = doc("the value as text (redacted)")


@dataclass(frozen=True, slots=True)
class Header:
    """The first screen's facts about the trace and the report."""

    title: str = doc("`service operation` of the root span, or the trace id")
    trace_id: str = doc("the trace id")
    root_service: str = doc("service of the main root span (empty for an empty trace)")
    root_operation: str = doc("operation of the main root span")
    duration: str = doc("duration of the main root, formatted")
    duration_note: str = doc("the duration against the SLO or baseline, or why there is none")
    over_target: bool = doc("the duration exceeds the SLO or the baseline p95")
    status: str = doc("`error` or `ok`")
    status_note: str = doc("the root's status message, or how many spans below it failed")
    is_error: bool = doc("the request failed (root span in error)")
    symptom: str = doc("the root-cause engine's one-line symptom, empty when absent")
    spans: str = doc("span and service counts")
    accounting: str = doc("input spans analysed, merged and rejected")
    source: str = doc("input format and file/URL (credentials stripped)")
    source_link: str = doc("validated http(s) link to the trace in the Jaeger/Zipkin UI, or empty")
    other_traces: str = doc("note on other traces in the input, or empty")
    generated_at: str = doc("when the report was made (UTC), as given by the caller")
    version: str = doc("tracewhy version that made the report")
    redacted: bool = doc("secrets were redacted (false only under --no-redact)")
    redaction_notes: list[str] = doc("what redaction masked, as counts per rule")


@dataclass(frozen=True, slots=True)
class TopHop:
    """One of the hops that took most of the critical path."""

    service: str = doc("service name")
    operation: str = doc("operation name")
    share: str = doc("share of the root's duration on the critical path, e.g. `41.0%`")
    critical: str = doc("critical-path time, formatted")
    anchor: str = doc("fragment id of its first critical span's details, or empty")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The root cause in one sentence, or the fallback when the engine found none."""

    found: bool = doc("the root-cause engine named a root cause")
    sentence: str = doc("the verdict sentence")
    detail: str = doc("kind, location and impact of the root cause, or empty")
    confidence: str = doc("confidence as a percentage, or empty")
    evidence: list[SpanRef] = doc("the root cause's evidence spans")
    top_hops: list[TopHop] = doc("the top hops of the critical path (up to 3)")


@dataclass(frozen=True, slots=True)
class Why:
    """One step of the 5-Whys chain."""

    step: int = doc("step number, 1 for the symptom")
    question: str = doc("the question")
    answer: str = doc("the answer")
    rule: str = doc("the rule that produced the answer")
    evidence: list[SpanRef] = doc("evidence spans")
    values: list[KeyValue] = doc("evidence values (redacted)")


@dataclass(frozen=True, slots=True)
class Segment:
    """A horizontal piece of a bar: an x offset and a width."""

    x: float = doc("left edge")
    w: float = doc("width")


@dataclass(frozen=True, slots=True)
class WaterfallRow:
    """One bar of the waterfall: a span, or an aggregate of folded spans."""

    y: int = doc("top of the row")
    indent: int = doc("x of the label (tree depth)")
    label: str = doc("`service: operation`, shortened to fit")
    title: str = doc("tooltip: full names, times, flags")
    bar: Segment = doc("the span's (or folded group's) extent")
    critical: list[Segment] = doc("critical-path sections inside the bar")
    duration: str = doc("duration text (count for folded rows)")
    layer: str = doc("CSS-safe layer name for the colour")
    is_error: bool = doc("the span failed (or some folded span did)")
    folded: bool = doc("an aggregate row standing for folded spans")
    outside: bool = doc("the span reaches outside the time axis (its bar is clipped)")
    anchor: str = doc("fragment id of the span's details, or empty")


@dataclass(frozen=True, slots=True)
class Tick:
    """A time-axis tick."""

    x: float = doc("x position")
    label: str = doc("offset from the trace start, formatted")


@dataclass(frozen=True, slots=True)
class Waterfall:
    """The timeline drawing (SVG), with huge traces folded to a bounded number of rows."""

    width: int = doc("viewBox width")
    height: int = doc("viewBox height")
    bar_left: int = doc("x where the time axis starts")
    rows: list[WaterfallRow] = doc("rows, top to bottom: shown spans in tree order, then folds")
    ticks: list[Tick] = doc("time-axis ticks")
    note: str = doc("how many spans are drawn and how many folded")


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A service box in the call graph."""

    x: float = doc("left edge")
    y: float = doc("top edge")
    w: float = doc("width")
    h: float = doc("height")
    label: str = doc("service name, shortened to fit")
    title: str = doc("tooltip: full name and numbers")
    stats: str = doc("critical time and share")
    errors: str = doc("error count text, empty when none")
    layer: str = doc("CSS-safe layer name for the colour")


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A caller -> callee edge of the service call graph."""

    path: str = doc("SVG path data (numbers only)")
    label: str = doc("calls, critical time and errors")
    lx: float = doc("label x")
    ly: float = doc("label y")
    title: str = doc("tooltip: caller -> callee and numbers")
    critical: bool = doc("the edge carries critical-path time")
    is_error: bool = doc("some calls on the edge failed")


@dataclass(frozen=True, slots=True)
class CallGraph:
    """The service-level call graph, laid out in layers (callers left of callees)."""

    width: int = doc("viewBox width")
    height: int = doc("viewBox height")
    nodes: list[GraphNode] = doc("service boxes")
    edges: list[GraphEdge] = doc("call edges")
    note: str = doc("what was left out, or empty")


@dataclass(frozen=True, slots=True)
class BarPart:
    """A part of a stacked bar and its legend entry."""

    label: str = doc("layer or service name")
    share: str = doc("share of the critical path")
    critical: str = doc("critical-path time")
    segment: Segment = doc("position in the bar")
    css: str = doc("CSS-safe colour class")


@dataclass(frozen=True, slots=True)
class StackedBar:
    """The critical path split one way, as a stacked bar."""

    title: str = doc("what the bar splits by")
    note: str = doc("where the split came from, or a caveat")
    parts: list[BarPart] = doc("the parts, largest first")


@dataclass(frozen=True, slots=True)
class HopRow:
    """One row of the hop table: a (service, operation) roll-up."""

    service: str = doc("service name")
    operation: str = doc("operation name")
    layer: str = doc("layer (as classified, `unknown` when not)")
    calls: int = doc("number of spans")
    critical: str = doc("critical-path time")
    critical_us: int = doc("critical-path time, for sorting")
    share: str = doc("critical share of the root's duration")
    total: str = doc("summed duration")
    total_us: int = doc("summed duration, for sorting")
    self_time: str = doc("summed self time")
    self_us: int = doc("summed self time, for sorting")
    max_time: str = doc("longest span")
    max_us: int = doc("longest span, for sorting")
    wire: str = doc("client time not covered by the server span, or empty")
    wire_us: int = doc("wire time, for sorting")
    errors: int = doc("failed spans")
    anchor: str = doc("fragment id of its first critical span's details, or empty")


@dataclass(frozen=True, slots=True)
class HopTable:
    """The hop table (sortable in the page)."""

    rows: list[HopRow] = doc("hops by critical time, descending")
    note: str = doc("how many hops are listed, when capped")


@dataclass(frozen=True, slots=True)
class ErrorStep:
    """A span in the error propagation chain."""

    service: str = doc("service name")
    operation: str = doc("operation name")
    layer: str = doc("layer")
    message: str = doc("error message (redacted)")
    span: SpanRef = doc("the span")


@dataclass(frozen=True, slots=True)
class Recovered:
    """Errors that were retried away."""

    service: str = doc("service name")
    operation: str = doc("operation name")
    attempts: str = doc("number of attempts")
    added: str = doc("time the retries added")
    spans: list[SpanRef] = doc("the attempts")


@dataclass(frozen=True, slots=True)
class FailingHop:
    """A hop with failed spans."""

    service: str = doc("service name")
    operation: str = doc("operation name")
    errors: int = doc("failed spans")
    anchor: str = doc("fragment id of a failed span's details, or empty")


@dataclass(frozen=True, slots=True)
class Errors:
    """Where errors started and how they travelled to the root."""

    summary: str = doc("one line: how many errors, where they started")
    origin: ErrorStep | None = doc("the span where the error started, when known")
    exception: str = doc("exception type at the origin, or empty")
    chain: list[ErrorStep] = doc("propagation chain, origin first, up to the root")
    recovered: list[Recovered] = doc("errors retried away")
    failing: list[FailingHop] = doc("hops with failed spans, most first")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of a finding's evidence."""

    text: str = doc("what was observed")
    spans: list[SpanRef] = doc("the spans")
    values: list[KeyValue] = doc("measured values")


@dataclass(frozen=True, slots=True)
class Finding:
    """A finding of the root-cause engine, ranked by impact."""

    id: str = doc("finding id, e.g. F1")
    kind: str = doc("finding kind, e.g. n_plus_one")
    title: str = doc("one-line title")
    where: str = doc("service, operation and layer")
    impact: str = doc("time it cost, and share of the root")
    rule: str = doc("the rule that fired")
    is_root_cause: bool = doc("this finding is the verdict")
    evidence: list[Evidence] = doc("evidence lines")


@dataclass(frozen=True, slots=True)
class BaselineHop:
    """A hop against its baseline distribution."""

    service: str = doc("service name")
    operation: str = doc("operation name")
    critical: str = doc("critical time in this trace")
    median: str = doc("baseline median")
    p95: str = doc("baseline p95")
    percentile: str = doc("this trace's percentile among the baseline")
    robust_z: str = doc("robust z-score")
    added: str = doc("time added over the baseline median")
    regressed: bool = doc("judged a regression")


@dataclass(frozen=True, slots=True)
class BaselineAttribute:
    """An attribute value more common here than in the baseline."""

    key: str = doc("attribute key")
    value: str = doc("attribute value (redacted)")
    selection: str = doc("share of slow/error spans with it")
    baseline: str = doc("share of baseline spans with it")
    delta: str = doc("difference of the shares")
    support: str = doc("number of spans")
    p_value: str = doc("p-value")


@dataclass(frozen=True, slots=True)
class Baseline:
    """The comparison with baseline traces."""

    summary: str = doc("how many baseline traces, from where")
    hops: list[BaselineHop] = doc("hops against their baseline")
    attributes: list[BaselineAttribute] = doc("attributes over-represented in this trace")


@dataclass(frozen=True, slots=True)
class DataWarning:
    """A data-quality repair, with the spans it concerns."""

    code: str = doc("warning code (see README, Data-quality warnings)")
    severity: str = doc("`warning` or `info`")
    message: str = doc("what was found and done")
    spans: list[SpanRef] = doc("the spans (capped)")
    more: str = doc("how many more spans, or empty")


@dataclass(frozen=True, slots=True)
class SpanEvent:
    """An event (log) of a span."""

    offset: str = doc("time from the trace start")
    name: str = doc("event name")
    attributes: list[KeyValue] = doc("event attributes (redacted)")


@dataclass(frozen=True, slots=True)
class SpanDetail:
    """One span listed in full: why it is listed, its attributes and events."""

    anchor: str = doc("fragment id (`span-<n>`)")
    span_id: str = doc("span id")
    service: str = doc("service name")
    operation: str = doc("operation name")
    kind: str = doc("span kind")
    offset: str = doc("start, from the trace start")
    duration: str = doc("duration")
    critical: str = doc("critical-path time, or empty")
    status: str = doc("status (unset/ok/error)")
    status_message: str = doc("status message (redacted)")
    is_error: bool = doc("the span failed")
    reasons: str = doc("why it is listed: evidence, error, critical path")
    parent: SpanRef = doc("the parent span, label empty for a root")
    attributes: list[KeyValue] = doc("attributes, sorted by key (redacted)")
    resource: list[KeyValue] = doc("resource attributes (redacted)")
    events: list[SpanEvent] = doc("events in time order")


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the report shows.  The templates see this and nothing else."""

    header: Header = doc("first-screen facts")
    verdict: Verdict = doc("the root cause in one sentence")
    whys: list[Why] = doc("the 5-Whys chain, symptom first; empty when the engine gave none")
    next_checks: list[str] = doc("what to check outside the trace (redacted)")
    waterfall: Waterfall = doc("the timeline drawing")
    graph: CallGraph = doc("the service call graph drawing")
    layers: StackedBar = doc("critical path by layer")
    services: StackedBar = doc("critical path by service")
    hops: HopTable = doc("the hop table")
    errors: Errors = doc("errors and their propagation")
    findings: list[Finding] = doc("findings, by rank, the first MAX_FINDINGS_SHOWN of them")
    findings_note: str = doc("a line on the findings not shown, empty when all are")
    baseline: Baseline | None = doc("baseline comparison, None when no baseline was given")
    warnings: list[DataWarning] = doc("data-quality warnings: every repair made")
    spans: list[SpanDetail] = doc("spans listed in full (evidence, errors, critical path)")
    spans_note: str = doc("how many spans are listed in full, of how many")
    command: str = doc("the command that reproduces the report (secrets stripped)")
    summary: dict[str, Any] = doc("machine-readable summary embedded as JSON for tools")
