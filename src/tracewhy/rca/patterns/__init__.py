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
    floor = max(50, ctx.root_duration // 100)  # ignore what is under 1% of the request
    return [f for f in findings if f.impact_us >= floor or f.kind == "error_origin"]
