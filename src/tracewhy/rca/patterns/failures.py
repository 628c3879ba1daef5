"""The error-origin finding: the failure that explains the request's error."""

from __future__ import annotations

from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Evidence, Finding, finding_for
from tracewhy.render.format import brief, duration


def error_origin(ctx: RcaContext) -> list[Finding]:
    errors = ctx.errors
    if errors.primary is None:
        return []
    origin = errors.primary
    reason = ctx.analysis.error_reason[origin] or "error"
    chain = errors.chain
    failing = [i for i in chain if ctx.analysis.error[i] and ctx.layer[i] != "mesh"]
    branch = chain[-2] if len(chain) >= 2 else origin  # the root's child on the way down
    impact = ctx.subtree_critical[branch]
    path = " <- ".join(ctx.label(i) for i in failing[:6])
    evidence = [
        Evidence(f"{ctx.label(origin)} failed: {reason}", ctx.ids([origin]), {"reason": reason}),
        Evidence(f"no span below it failed, so the error starts there; it propagated through "
                 f"{len(failing) - 1} erroring span(s): {path}", ctx.ids(failing),
                 {"erroring_spans": len(failing), "reaches_root": errors.reaches_root}),
        Evidence(f"the failing branch holds {duration(impact)} of the critical path",
                 ctx.ids([branch]), {"critical_us": impact}),
    ]
    outcome = "and reached the client" if errors.reaches_root else "but was handled upstream"
    return [finding_for(
        ctx, "error_origin", origin, impact_us=impact, span_ids=ctx.ids(failing),
        evidence=evidence,
        title=f"error starts in {ctx.label(origin)} ({brief(reason)}) {outcome}",
        rule="errors.origin: the deepest error with no erroring child, on the chain that "
             "climbs highest",
        detail={"reason": reason, "reaches_root": errors.reaches_root,
                "chain": [ctx.label(i) for i in failing]})]
