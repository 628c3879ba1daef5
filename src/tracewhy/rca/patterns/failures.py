"""The error-origin finding: the failure that explains the request's error."""

from __future__ import annotations

from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Evidence, Finding, finding_for
from tracewhy.rca.latency import RemoteCall
from tracewhy.render.format import brief, duration


def error_origin(ctx: RcaContext) -> list[Finding]:
    errors = ctx.errors
    if errors.primary is None:
        return []
    origin = errors.primary
    reason = ctx.analysis.error_reason[origin] or "error"
    chain = errors.chain
    failing, handler = _climb(ctx, chain)
    in_request = chain[-1] == ctx.ix.root  # not under another root of a forest
    # What the failure cost: the branch below the root when it reached the root, else the
    # failed work only (the request went on around it).
    branch = chain[-2] if errors.reaches_root and len(chain) >= 2 else failing[-1]
    impact = ctx.subtree_critical[branch]
    how_far = _how_far(ctx, failing, handler, in_request)
    evidence = [
        Evidence(f"{ctx.label(origin)} failed: {reason}", ctx.ids([origin]), {"reason": reason}),
        Evidence(f"no span below it failed, so the error starts there; {how_far}",
                 ctx.ids(failing),
                 {"erroring_spans": len(failing), "reaches_root": errors.reaches_root}),
        Evidence(f"the failing branch holds {duration(impact)} of the critical path",
                 ctx.ids([branch]), {"critical_us": impact}),
    ]
    call = ctx.call_of_client.get(origin)  # the failing span is a call whose server is traced
    server = _server_side(ctx, origin, call) if call is not None else ""
    if call is not None:
        evidence.append(Evidence(f"its server side did not fail: {server}", ctx.ids(call.servers),
                                 {"wire_us": call.wire_us}))
    outcome = "and reached the client" if errors.reaches_root else \
        "but was handled upstream" if handler is not None else "outside the request's own tree"
    return [finding_for(
        ctx, "error_origin", origin, impact_us=impact, span_ids=ctx.ids(failing),
        evidence=evidence,
        title=f"error starts in {ctx.label(origin)} ({brief(reason)}) {outcome}",
        rule="errors.origin: the deepest error with no erroring child, on the chain that "
             "climbs highest",
        detail={"reason": reason, "reaches_root": errors.reaches_root,
                "handled": handler is not None, "chain": [ctx.label(i) for i in failing],
                "propagation": how_far, "server_side": server,
                "server": ctx.spans[call.servers[0]].service if call is not None else None})]


def _server_side(ctx: RcaContext, origin: int, call: RemoteCall) -> str:
    """Where the time of a failed call went when its server did not fail (nothing below the
    origin did): a client timing out on a server that answered late."""
    ix = ctx.ix
    first = min(call.servers, key=ix.start.__getitem__)
    waited = ix.start[first] - ix.start[origin]
    served = sum(ix.end[k] - ix.start[k] for k in call.servers)
    return (f"{ctx.label(first)} started {duration(max(0, waited))} into the call and worked "
            f"{duration(served)}; {duration(call.wire_us)} of the call went on the way there "
            "and back (queues, network, sidecars)")


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


def _how_far(ctx: RcaContext, failing: list[int], handler: int | None, in_request: bool) -> str:
    """How far up the error went: the erroring spans above the origin, and where it stopped."""
    root = "the root" if in_request else \
        "a root of its own, beside the request's (work the trace holds besides the request)"
    if len(failing) == 1:
        if handler is not None:
            return f"{ctx.label(handler)}, above it, did not fail: the error was handled there"
        if ctx.ix.parent[failing[0]] >= 0:
            return f"it reached {root} through sidecars only"
        return "it is the request's root span" if in_request else f"it is {root}"
    above = " <- ".join(ctx.label(i) for i in failing[1:6]) + (" <- …" if len(failing) > 6 else "")
    went = f"it propagated up through {len(failing) - 1} erroring span(s) ({above})"
    if handler is None:
        return f"{went} to {root}"
    return f"{went} and was handled by {ctx.label(handler)}, which did not fail"
