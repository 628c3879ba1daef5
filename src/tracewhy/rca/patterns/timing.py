"""Patterns in where the time went: wire, queues, locks, gaps, one slow hop, timeouts."""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import is_not, itemgetter, le, sub
from statistics import median

from tracewhy.model import CLIENT, Span
from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Evidence, Finding, finding_for
from tracewhy.rca.latency import RemoteCall
from tracewhy.render.format import duration

SLOW_HOP_SHARE = 0.25  # a hop owning this much of the request on its own is worth a finding
GAP_SHARE = 0.05  # uninstrumented time below this share of the request is noise
ROUND_DEADLINES_MS = (100, 200, 250, 300, 500, 1000, 2000, 3000, 5000, 10000, 15000, 20000,
                      30000, 60000, 120000)
_QUEUE_NAME = re.compile(r"(queue|enqueue|wait(ing)?[-_ ]for|pool|acquire|backpressure|throttl)",
                         re.IGNORECASE)
_LOCK_NAME = re.compile(r"(lock|mutex|contention|semaphore|latch)", re.IGNORECASE)
_TIMEOUT_TEXT = re.compile(r"(time[d]?[ -]?out|deadline|504|408|DEADLINE_EXCEEDED)",
                           re.IGNORECASE)
POD_KEYS = ("k8s.pod.name", "host.name", "host.id", "host.ip")


def wire_latency(ctx: RcaContext) -> list[Finding]:
    """One finding per (caller service, callee hop): every call's time on the wire, summed."""
    groups: dict[tuple[str, str, str], list[RemoteCall]] = {}
    for call in ctx.calls:
        if call.critical_us <= 0 or len(call.servers) > 1:
            continue  # several servers under one client are retries: the retry finding says it
        callee = ctx.hop(call.servers[0])
        groups.setdefault((ctx.spans[call.client].service, *callee), []).append(call)
    return [_wire_finding(ctx, calls) for _, calls in sorted(groups.items())]


def _wire_finding(ctx: RcaContext, calls: list[RemoteCall]) -> Finding:
    worst = max(calls, key=lambda c: (c.critical_us, -c.client))
    server, client = worst.servers[0], worst.client
    caller = ctx.spans[client].service
    impact = sum(c.critical_us for c in calls)
    wire, mesh = sum(c.wire_us for c in calls), sum(c.mesh_us for c in calls)
    server_us = ctx.ix.end[server] - ctx.ix.start[server]
    client_us = ctx.ix.end[client] - ctx.ix.start[client]
    many = f" (the slowest of {len(calls)} calls)" if len(calls) > 1 else ""
    evidence = [Evidence(
        f"{caller} waited {duration(client_us)} for {ctx.label(server)}{many}, which took "
        f"{duration(server_us)} itself: {duration(worst.wire_us)} between them on the wire "
        f"(network, sidecars, queues)", ctx.ids([client, server]),
        {"client_us": client_us, "server_us": server_us, "wire_us": worst.wire_us})]
    if len(calls) > 1:
        evidence.append(Evidence(
            f"{len(calls)} calls from {caller} lost {duration(wire)} on the wire in all, "
            f"{duration(impact)} of it on the critical path",
            ctx.ids([i for c in calls for i in (c.client, *c.servers)][:40]),
            {"calls": len(calls), "wire_us": wire, "critical_us": impact}))
    if mesh:
        evidence.append(Evidence(f"{duration(mesh)} of it inside sidecar proxy spans",
                                 ctx.ids([m for c in calls for m in c.mesh][:40]),
                                 {"mesh_us": mesh}))
    start_gap = ctx.ix.start[server] - ctx.ix.start[client]
    evidence.append(Evidence(
        f"the server started {duration(max(0, start_gap))} after the client and the client ended "
        f"{duration(max(0, ctx.ix.end[client] - ctx.ix.end[server]))} after the server",
        ctx.ids([client, server]), {"request_gap_us": start_gap}))
    mesh_heavy = mesh * 2 > wire
    culprit = _busiest_sidecar(ctx, worst.mesh) if mesh_heavy and worst.mesh else server
    return finding_for(
        ctx, "wire_latency", culprit, impact_us=impact,
        span_ids=ctx.ids([i for c in calls for i in (c.client, *c.mesh, *c.servers)][:200]),
        evidence=evidence, layer="mesh" if mesh_heavy else ctx.layer[server],
        title=f"{duration(wire)} on the wire between {caller} and {ctx.label(server)}",
        rule="latency.wire: client span time not covered by its server span, summed over the "
             "calls from one service into one hop",
        detail={"caller": caller, "wire_us": wire, "mesh_us": mesh, "calls": len(calls),
                "server_us": server_us, "client_us": client_us})


def _busiest_sidecar(ctx: RcaContext, mesh: list[int]) -> int:
    """The sidecar span with the most time of its own: of a caller's outbound proxy and the
    callee's inbound one, the one the time went into (the lowest span id on a tie)."""
    own = ctx.analysis.self_us
    return min(mesh, key=lambda m: (-own[m], ctx.spans[m].span_id))


def queueing(ctx: RcaContext) -> list[Finding]:
    return _named_waits(ctx, _QUEUE_NAME, "queueing", "waiting for a queue, pool or slot",
                        "pattern.queueing: a span or event named queue/wait/pool/acquire/throttle "
                        "on the critical path")


def lock_contention(ctx: RcaContext) -> list[Finding]:
    return _named_waits(ctx, _LOCK_NAME, "lock_contention", "waiting for a lock",
                        "pattern.lock_contention: a span or event named lock/mutex/contention "
                        "on the critical path")


def _named_waits(ctx: RcaContext, pattern: re.Pattern[str], kind: str, what: str,
                 rule: str) -> list[Finding]:
    out = []
    waiting = {name for name in ctx.operation_names if pattern.search(name)}  # regex per name
    named = ctx.critical_spans_named(waiting)
    for i in sorted({*named, *ctx.critical_spans_with_events}):
        span = ctx.spans[i]
        if span.name in waiting:
            impact = ctx.subtree_critical[i]
            evidence = [Evidence(f"{ctx.label(i)} spent {duration(impact)} on the critical path "
                                 f"{what}", ctx.ids([i]), {"critical_us": impact})]
        else:
            events = [e for e in span.events if pattern.search(e.name)]
            if not events:
                continue
            impact = _event_window(ctx, i, [e.time_us for e in events])
            evidence = [Evidence(f"{ctx.label(i)} recorded {', '.join(e.name for e in events[:3])}"
                                 f" ({duration(impact)} on the critical path)", ctx.ids([i]),
                                 {"events": len(events), "critical_us": impact})]
        if impact > 0:
            out.append(finding_for(ctx, kind, i, impact_us=impact, span_ids=ctx.ids([i]),
                                   evidence=evidence, rule=rule,
                                   title=f"{ctx.label(i)}: {what}"))
    return out


def _event_window(ctx: RcaContext, i: int, times: list[int]) -> int:
    """Critical time of the span from its first wait event to the next event or its end."""
    lo = min(times)
    later = sorted(e.time_us for e in ctx.spans[i].events if e.time_us > lo)
    hi = later[0] if later else ctx.ix.end[i]
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in ctx.sections_of.get(i, ()))


def uninstrumented_gaps(ctx: RcaContext) -> list[Finding]:
    out = []
    floor = max(1000, int(ctx.root_duration * GAP_SHARE))
    if max(ctx.critical, default=0) < floor:
        return []  # a span's sections add up to its critical time: none can be this wide
    for i, gaps in sorted(_wide_sections(ctx, floor).items()):
        kids = ctx.ix.children[i]
        if not kids or ctx.layer[i] == "mesh" or i in ctx.call_of_client:
            continue
        total = sum(e - s for s, e in gaps)
        widest = max(gaps, key=lambda g: g[1] - g[0])
        offset = widest[0] - ctx.ix.start[i]
        evidence = [Evidence(
            f"{ctx.label(i)} has {duration(total)} on the critical path with none of its "
            f"{len(kids)} child span(s) running; the widest gap is "
            f"{duration(widest[1] - widest[0])} starting +{duration(offset)} into the span",
            ctx.ids([i]), {"gap_us": total, "widest_gap_us": widest[1] - widest[0]})]
        host = _host(ctx.spans[i])
        if host:
            evidence.append(Evidence(f"it ran on {host}", ctx.ids([i]), {"host": host}))
        out.append(finding_for(
            ctx, "uninstrumented_gap", i, impact_us=total, span_ids=ctx.ids([i]),
            evidence=evidence, title=f"{duration(total)} of un-instrumented time in {ctx.label(i)}",
            rule="pattern.uninstrumented_gap: critical-path time in a span with children but "
                 "no child running, >= 5% of the request",
            detail={"gap_us": total, "host": host}))
    return out


def _wide_sections(ctx: RcaContext, floor: int) -> dict[int, list[tuple[int, int]]]:
    """Per span, its sections at least ``floor`` wide.  Few are: they are picked out in C
    (a deep chain has 200k sections)."""
    sections = ctx.analysis.sections
    widths = map(sub, map(itemgetter(2), sections), map(itemgetter(1), sections))
    wide: dict[int, list[tuple[int, int]]] = {}
    for span, start, end in compress(sections, map(le, repeat(floor), widths)):
        wide.setdefault(span, []).append((start, end))
    return wide


def slow_hops(ctx: RcaContext) -> list[Finding]:
    threshold = ctx.root_duration * SLOW_HOP_SHARE
    candidates = {hop.key for hop in ctx.analysis.hops if hop.critical_us >= threshold > 0}
    if not candidates:  # hop totals bound what any subset of their spans can hold
        return []
    own: dict[tuple[str, str], list[int]] = {}
    spans, layer, hops, clients = ctx.spans, ctx.layer, ctx.hop_names, ctx.call_of_client
    for i, crit in enumerate(ctx.critical):
        # A client span whose server is in the trace is a remote call (wire time); one whose
        # peer is not (a database, an outside API) holds the peer's time: a slow hop too.
        if crit and hops[i] in candidates and layer[i] != "mesh" and i not in clients \
                and (spans[i].kind != CLIENT or not ctx.ix.children[i]):
            own.setdefault(hops[i], []).append(i)
    out = []
    for members in own.values():
        impact = sum(ctx.critical[i] for i in members)
        if impact >= threshold:
            out.append(_slow_hop(ctx, members, impact))
    return out


def _slow_hop(ctx: RcaContext, members: list[int], impact: int) -> Finding:
    culprit = max(members, key=lambda i: ctx.critical[i])
    total = sum(ctx.ix.end[i] - ctx.ix.start[i] for i in members)
    peer = untraced_peer(ctx.spans[culprit]) if ctx.spans[culprit].kind == CLIENT else None
    text = (f"{ctx.label(culprit)} waited {duration(impact)} on {peer} on the critical path, "
            f"{ctx.share(impact):.0%} of the request; the trace does not show inside {peer}"
            if peer else
            f"{ctx.label(culprit)} itself (not its children) holds {duration(impact)} of the "
            f"critical path, {ctx.share(impact):.0%} of the request")
    evidence = [Evidence(text, ctx.ids(members),
                         {"critical_us": impact, "spans": len(members), "total_us": total})]
    pod = _hot_pod(ctx, culprit)
    if pod:
        evidence.append(pod)
    return finding_for(
        ctx, "slow_hop", culprit, impact_us=impact, span_ids=ctx.ids(members), evidence=evidence,
        title=f"{ctx.label(culprit)} is slow: {duration(impact)} of the request",
        rule="pattern.slow_hop: one hop's own time >= 25% of the request",
        detail={"own_us": impact, "host": _host(ctx.spans[culprit]), "peer": peer})


_PEER_KEYS = ("peer.service", "db.system", "rpc.service", "server.address", "net.peer.name",
              "http.host", "network.peer.address")


def untraced_peer(span: Span) -> str:
    """What a client span with no server span in the trace called, as its attributes name it
    (``postgresql``, ``payments``, ``api.example.com``), else "the peer it called"."""
    attributes = span.attributes
    for key in _PEER_KEYS:
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return "the peer it called"


def _host(span: Span) -> str:
    for key in POD_KEYS:
        value = span.resource.get(key) or span.attributes.get(key)
        if value:
            return f"{key}={value}"
    return ""


def _hot_pod(ctx: RcaContext, culprit: int) -> Evidence | None:
    """Spans of the same hop on other pods: is this pod the odd one out?"""
    hop, host = ctx.hop(culprit), _host(ctx.spans[culprit])
    if not host:
        return None
    mine: list[int] = []
    others: list[int] = []
    spans, start, end = ctx.spans, ctx.ix.start, ctx.ix.end
    for i in ctx.spans_of_hop(hop):
        (mine if _host(spans[i]) == host else others).append(end[i] - start[i])
    if not others or not mine:
        return Evidence(f"it ran on {host}", ctx.ids([culprit]), {"host": host})
    mine_median, others_median = median(mine), median(others)
    return Evidence(f"on {host} it took {duration(mine_median)} (median of {len(mine)}); on other "
                    f"hosts {duration(others_median)} (median of {len(others)})",
                    ctx.ids([culprit]), {"host": host, "host_median_us": mine_median,
                                         "other_hosts_median_us": others_median})


def timeouts(ctx: RcaContext) -> list[Finding]:
    out = []
    reasons = ctx.analysis.error_reason
    for i in compress(range(len(reasons)), map(is_not, reasons, repeat(None))):  # the errors
        reason = reasons[i]
        if reason is None or ctx.subtree_critical[i] <= 0:
            continue
        span = ctx.spans[i]
        dur = ctx.ix.end[i] - ctx.ix.start[i]
        deadline = _round_deadline(dur)
        if not (_TIMEOUT_TEXT.search(reason) or _TIMEOUT_TEXT.search(span.status_message)
                or deadline):
            continue
        said = f"at {duration(dur)}, right at a {deadline} ms deadline" if deadline \
            else f"after {duration(dur)}"
        out.append(finding_for(
            ctx, "timeout", i, impact_us=ctx.subtree_critical[i], span_ids=ctx.ids([i]),
            evidence=[Evidence(f"{ctx.label(i)} failed ({reason}) {said}", ctx.ids([i]),
                               {"duration_us": dur, "deadline_ms": deadline})],
            title=f"{ctx.label(i)} timed out {said}",
            rule="pattern.timeout: an error that says timeout/deadline/504, or ends within 2% "
                 "of a round deadline",
            detail={"duration_us": dur, "deadline_ms": deadline}))
    return out


def _round_deadline(duration_us: int) -> int | None:
    for deadline in ROUND_DEADLINES_MS:
        if abs(duration_us - deadline * 1000) <= deadline * 1000 * 0.02:
            return deadline
    return None
