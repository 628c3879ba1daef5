"""Pattern detectors: each looks at one analysed trace and returns findings.

A detector is a function ``(RcaContext) -> list[Finding]``.  Every finding states its impact
on the critical path (``impact_us``), so findings from different detectors can be ranked on
one scale: what the request actually waited for, not raw durations.
"""

from __future__ import annotations

from collections.abc import Callable

from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Finding
from tracewhy.rca.patterns.failures import error_origin
from tracewhy.rca.patterns.siblings import repeated_calls, retries, serialized_fanout
from tracewhy.rca.patterns.timing import (
    lock_contention,
    queueing,
    slow_hops,
    timeouts,
    uninstrumented_gaps,
    wire_latency,
)

Detector = Callable[[RcaContext], list[Finding]]

DETECTORS: list[Detector] = [
    error_origin, retries, timeouts, repeated_calls, serialized_fanout, wire_latency, queueing,
    lock_contention, uninstrumented_gaps, slow_hops,
]


def run_detectors(ctx: RcaContext) -> list[Finding]:
    findings = [finding for detect in DETECTORS for finding in detect(ctx)]
    # Ignore what is under 1% of the request, or under 50 µs unless that is a tenth of it
    # (a 100 µs request: 40 µs of it in one hop is the answer, not noise).
    floor = max(ctx.root_duration // 100, min(50, ctx.root_duration // 10))
    kept = [f for f in findings if f.impact_us >= floor or f.kind == "error_origin"]
    return _one_view_of_own_time(ctx, kept)


def _one_view_of_own_time(ctx: RcaContext, findings: list[Finding]) -> list[Finding]:
    """A span's own time can read as "slow hop" and as "un-instrumented gap"; keep the one
    that describes it: a gap when the span has children (time with none running), else slow."""
    gaps = {f.culprit for f in findings if f.kind == "uninstrumented_gap"}
    slow = {f.culprit for f in findings if f.kind == "slow_hop"}
    both = gaps & slow
    return [f for f in findings if f.culprit not in both
            or f.kind not in ("slow_hop", "uninstrumented_gap")
            or (f.kind == "uninstrumented_gap") == bool(ctx.ix.children[f.culprit])]
