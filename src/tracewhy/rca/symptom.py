"""What is wrong with the request, before asking why: its error, or its latency against the
SLO or the baseline."""

from __future__ import annotations

from typing import Any

from tracewhy.rca.context import RcaContext
from tracewhy.render.format import brief, duration


def describe_symptom(ctx: RcaContext, baseline_p50: int | None,
                     baseline_p95: int | None) -> dict[str, Any]:
    root = ctx.analysis.root
    if root is None:
        return {"kind": "none", "duration_us": 0, "slo_us": ctx.slo_us, "baseline_p50_us": None,
                "baseline_p95_us": None, "excess_us": None, "error": False,
                "status_message": "", "summary": "the trace has no spans"}
    total = ctx.root_duration
    failed = ctx.analysis.error[ctx.ix.root]
    reference = ctx.slo_us if ctx.slo_us is not None else baseline_p50
    excess = total - reference if reference is not None else None
    beyond_p95 = baseline_p95 is not None and total > baseline_p95
    slow = excess is not None and excess > 0 and (ctx.slo_us is not None or beyond_p95)
    kind = "both" if failed and slow else "error" if failed else "latency" if slow else "none"
    return {"kind": kind, "duration_us": total, "slo_us": ctx.slo_us,
            "baseline_p50_us": baseline_p50, "baseline_p95_us": baseline_p95,
            "excess_us": excess, "error": failed,
            "status_message": ctx.analysis.error_reason[ctx.ix.root] or "",
            "summary": _summary(ctx, total, failed, excess, baseline_p50)}


def _summary(ctx: RcaContext, total: int, failed: bool, excess: int | None,
             baseline_p50: int | None) -> str:
    root = ctx.label(ctx.ix.root)
    parts = [f"{root} took {duration(total)}"]
    if ctx.slo_us is not None and excess is not None:
        side = "over" if excess > 0 else "under"
        parts.append(f"{duration(abs(excess))} {side} its SLO of {duration(ctx.slo_us)}")
    elif baseline_p50 is not None and excess is not None:
        parts.append(f"against a baseline median of {duration(baseline_p50)}")
    if failed:
        parts.append(f"and failed ({brief(ctx.analysis.error_reason[ctx.ix.root] or '')})")
    return ", ".join(parts[:2]) + (" " + parts[2] if len(parts) > 2 else "")
