"""Choosing the root cause among the findings, and saying how sure we are.

Findings are ranked by critical-path impact weighted by how specific their explanation is: a
pattern that names a mechanism (N+1, retries, wire, queue, lock, a baseline regression) outranks
"this hop is slow", which outranks "this span has un-instrumented time", which outranks a
timeout (a timeout is usually the symptom of something slow below it).  When the request
failed, the error origin is the root cause.  Confidence blends how much of the request the
culprit explains, how far ahead of the runner-up it is, and whether independent signals agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Finding

KIND_WEIGHT = {
    "regression": 1.2, "n_plus_one": 1.0, "retry": 1.0, "wire_latency": 1.0, "queueing": 1.0,
    "lock_contention": 1.0, "serialized_fanout": 0.9, "slow_hop": 0.8, "error_origin": 0.8,
    "uninstrumented_gap": 0.6, "timeout": 0.4,
}
REGRESSED_BOOST = 1.5
HANDLED_ERROR_WEIGHT = 0.4
# Findings that describe the same microseconds as the verdict, not an independent signal.
_SAME_TIME = {"slow_hop": ("uninstrumented_gap",), "uninstrumented_gap": ("slow_hop",)}


@dataclass
class Verdict:
    finding: Finding
    confidence: float
    agreeing: list[Finding]


def score(finding: Finding, regressed: set[tuple[str, str]]) -> float:
    boost = REGRESSED_BOOST if _touches(finding, regressed) else 1.0
    weight = KIND_WEIGHT.get(finding.kind, 0.5)
    if finding.kind == "error_origin" and not finding.detail.get("reaches_root"):
        weight = HANDLED_ERROR_WEIGHT  # the request survived it: a lead, not the verdict
    return finding.impact_us * weight * boost


def _touches(finding: Finding, regressed: set[tuple[str, str]]) -> bool:
    """Is the finding about a hop that regressed against the baseline (itself or its callee)?"""
    if (finding.service, finding.operation) in regressed:
        return True
    callee = finding.detail.get("callee_hop")
    return callee is not None and tuple(callee) in regressed


def rank(findings: list[Finding], regressed: set[tuple[str, str]]) -> list[Finding]:
    ranked = sorted(findings, key=lambda f: (-score(f, regressed), f.kind, f.service,
                                             f.operation, f.span_ids))
    for number, finding in enumerate(ranked, 1):
        finding.id = f"F{number}"
    return ranked


def choose(ctx: RcaContext, ranked: list[Finding],
           regressed: set[tuple[str, str]]) -> Verdict | None:
    if not ranked:
        return None
    failed = ctx.errors.primary is not None and ctx.errors.reaches_root
    origin = next((f for f in ranked if f.kind == "error_origin"), None)
    top = origin if failed and origin is not None else ranked[0]
    same_hop = [f for f in ranked if f is not top and f.kind not in _SAME_TIME.get(top.kind, ())
                and ((f.service, f.operation) == (top.service, top.operation)
                     or f.detail.get("callee_span") == top.culprit)]
    return Verdict(top, _confidence(ctx, top, ranked, regressed, same_hop, failed), same_hop)


def _confidence(ctx: RcaContext, top: Finding, ranked: list[Finding],
                regressed: set[tuple[str, str]], agreeing: list[Finding], failed: bool) -> float:
    explained = min(1.0, ctx.share(top.impact_us))
    others = [score(f, regressed) for f in ranked if f is not top
              and (f.service, f.operation) != (top.service, top.operation)]
    lead = 1.0 - (max(others) / score(top, regressed) if others and score(top, regressed) else 0)
    value = 0.25 + 0.35 * explained + 0.2 * max(0.0, min(1.0, lead))
    if agreeing:
        value += 0.1
    if _touches(top, regressed):
        value += 0.1
    if failed and top.kind == "error_origin":
        value = max(value, 0.75 if ctx.errors.reaches_root else 0.5)
    return round(min(0.95, value), 2)


def root_cause_dict(ctx: RcaContext, verdict: Verdict) -> dict[str, Any]:
    top = verdict.finding
    return {"finding_id": top.id, "service": top.service, "operation": top.operation,
            "layer": top.layer, "kind": top.kind, "span_ids": top.span_ids,
            "impact_us": top.impact_us, "confidence": verdict.confidence,
            "summary": summary(ctx, top, verdict.agreeing)}


def summary(ctx: RcaContext, f: Finding, agreeing: list[Finding] | None = None) -> str:
    from tracewhy.render.format import brief, duration

    agreeing = agreeing or []
    share = f"{ctx.share(f.impact_us):.0%} of the request"
    d = f.detail
    if f.kind == "error_origin":
        reach = "; the error reached the client" if d.get("reaches_root") \
            else "; the caller handled it" if d.get("handled") \
            else "; it is outside the request's own tree"
        retried = next((a for a in agreeing if a.kind == "retry"), None)
        if retried is not None:
            r = retried.detail
            reach = (f"; {r['retrier']} retried it {r['failed']} time(s), costing "
                     f"{duration(retried.impact_us)}" + reach)
        return f"{f.service} {f.operation} failed ({brief(str(d.get('reason')))}){reach}."
    if f.kind == "n_plus_one":
        paired = f", each followed by one to {d['paired_with']}" if d.get("paired_with") else ""
        return (f"{f.service} {f.operation} made {d['calls']} sequential calls to {d['callee']}"
                f"{paired} ({duration(f.impact_us)} on the critical path, {share}): batch them.")
    if f.kind == "retry":
        reasons = ", ".join(brief(r, 60) for r in d.get("reasons") or {})
        return (f"{f.service} {f.operation} kept failing ({reasons}) "
                f"and was retried {d['failed']} time(s) by {d['retrier']}, costing "
                f"{duration(f.impact_us)} ({share}).")
    if f.kind == "wire_latency":
        calls = f" over {d['calls']} calls" if d.get("calls", 1) > 1 else ""
        return (f"{duration(d['wire_us'])} was lost on the wire between {d['caller']} and "
                f"{f.service} {f.operation}{calls}, which itself answered in "
                f"{duration(d['server_us'])}; {duration(f.impact_us)} of it on the critical path "
                f"({share}).")
    if f.kind == "regression":
        return (f"{f.service} {f.operation} regressed: +{duration(d['added_us'])} on the "
                f"critical path against the baseline median ({share}).")
    if f.kind == "slow_hop" and d.get("peer"):
        return (f"{f.service} {f.operation} waited {duration(f.impact_us)} on {d['peer']} "
                f"({share}); the trace does not show inside {d['peer']}.")
    if f.kind == "slow_hop":
        return (f"{f.service} {f.operation} spent {duration(f.impact_us)} in its own work "
                f"({share}); nothing it called explains the time.")
    if f.kind == "uninstrumented_gap":
        return (f"{f.service} {f.operation} spent {duration(f.impact_us)} ({share}) with none of "
                f"its child spans running: un-instrumented work or waiting.")
    if f.kind == "serialized_fanout":
        if "all_calls" in d:
            return (f"{f.title}, {d['all_calls']:,} calls in all holding "
                    f"{duration(d['all_critical_us'])}: running them in parallel or batching "
                    f"the repeated ones would save {duration(f.impact_us)} ({share}).")
        return (f"{f.title}: running them in parallel would save {duration(f.impact_us)} "
                f"({share}).")
    if f.kind == "timeout":
        return f"{f.title}; {duration(f.impact_us)} of the request was spent waiting."
    return f"{f.title}: {duration(f.impact_us)} on the critical path ({share})."
