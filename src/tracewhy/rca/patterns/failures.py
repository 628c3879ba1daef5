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
    failing, handler = _climb(ctx, chain)
    branch = chain[-2] if len(chain) >= 2 else origin  # the root's child on the way down
    impact = ctx.subtree_critical[branch]
    how_far = _how_far(ctx, failing, handler)
    evidence = [
        Evidence(f"{ctx.label(origin)} failed: {reason}", ctx.ids([origin]), {"reason": reason}),
        Evidence(f"no span below it failed, so the error starts there; {how_far}",
                 ctx.ids(failing),
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
                "chain": [ctx.label(i) for i in failing],
                "propagation": how_far})]


def _climb(ctx: RcaContext, chain: list[int]) -> tuple[list[int], int | None]:
    """The erroring spans from the origin up (sidecars pass errors through unnamed), and the
    first span above them that did not fail: it handled the error (None: none did).  An error
    higher up, above the handler, is another failure, not this one travelling."""
    failing: list[int] = []
    for i in chain:
        if ctx.layer[i] == "mesh":
            continue
        if not ctx.analysis.error[i]:
            return failing, i
        failing.append(i)
    return failing, None


def _how_far(ctx: RcaContext, failing: list[int], handler: int | None) -> str:
    """How far up the error went: the erroring spans above the origin, and where it stopped."""
    if len(failing) == 1:
        if handler is not None:
            return f"{ctx.label(handler)}, above it, did not fail: the error was handled there"
        return "it reached the root through sidecars only" if ctx.ix.parent[failing[0]] >= 0 \
            else "it is the request's root span"
    above = " <- ".join(ctx.label(i) for i in failing[1:6]) + (" <- …" if len(failing) > 6 else "")
    went = f"it propagated up through {len(failing) - 1} erroring span(s) ({above})"
    if handler is None:
        return f"{went} to the root"
    return f"{went} and was handled by {ctx.label(handler)}, which did not fail"
