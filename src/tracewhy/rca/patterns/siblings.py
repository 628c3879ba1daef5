"""Patterns in how a span calls its children: N+1, retries, serialised fan-out."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import compress, count, islice
from operator import eq, lt, sub

from tracewhy.model import CLIENT
from tracewhy.rca.context import RcaContext
from tracewhy.rca.errors import ORIGIN
from tracewhy.rca.findings import Evidence, Finding, finding_for
from tracewhy.render.format import duration

MIN_REPEATS = 4  # sequential calls to one operation before it counts as N+1
MIN_FANOUT = 3  # distinct downstream calls in sequence before it counts as serialised


def _sequential_run(ctx: RcaContext, p: int, hop: tuple[str, str]) -> list[int]:
    """The longest run of calls that each start after the previous one ended (the earliest
    of the longest on a tie), among ``p``'s children of one hop; found once per group."""
    run = ctx.runs.get((p, hop))
    if run is None:
        run = ctx.runs[(p, hop)] = _longest_run(ctx, ctx.children_by_hop(p)[hop])
    return run


def _longest_run(ctx: RcaContext, members: list[int]) -> list[int]:
    start, end = ctx.ix.start, ctx.ix.end
    ordered = _by_start_then_end(members, start, end)
    # A run breaks where a call starts before the previous one ended (compared in C: a parent
    # can have 100k children); the longest run wins, the earliest on a tie.
    starts, ends = map(start.__getitem__, ordered), map(end.__getitem__, ordered)
    breaks = [*compress(count(1), map(lt, islice(starts, 1, None), ends)), len(ordered)]
    best_from, best_len, run_from = 0, 0, 0
    for run_end in breaks:
        if run_end - run_from > best_len:
            best_from, best_len = run_from, run_end - run_from
        run_from = run_end
    return ordered[best_from:best_from + best_len]


def _by_start_then_end(members: list[int], start: list[int], end: list[int]) -> list[int]:
    """``sorted(members, key=lambda k: (start[k], end[k]))`` without a Python call per member
    (a parent can have 100k children): stable sorts on int keys, the one on end only when two
    members start together."""
    ordered = sorted(members, key=start.__getitem__)  # linear when already in time order
    starts = list(map(start.__getitem__, ordered))
    if any(map(eq, starts, islice(starts, 1, None))):
        ordered = sorted(members, key=end.__getitem__)
        ordered.sort(key=start.__getitem__)
    return ordered


def repeated_calls(ctx: RcaContext) -> list[Finding]:
    out = []
    children = ctx.ix.children
    for p in ctx.critical_subtrees:
        kids = children[p]
        if not kids or len(kids) < MIN_REPEATS:
            continue
        groups = []  # (critical time, hop, run) of each operation called in a loop
        for hop, members in ctx.children_by_hop(p).items():
            if len(members) < MIN_REPEATS:
                continue
            run = _sequential_run(ctx, p, hop)
            errors = sum(map(ctx.analysis.error.__getitem__, run))
            if len(run) < MIN_REPEATS or errors * 2 >= len(run):
                continue  # failing repeats are retries, not N+1
            groups.append((sum(map(ctx.subtree_critical.__getitem__, run)), hop, run))
        out.extend(_costliest_loops(ctx, p, groups))
    return out


MAX_LOOPS_LISTED = 10  # N+1 findings per parent; a wide fan-out can loop over 100 operations


def _costliest_loops(ctx: RcaContext, p: int,
                     groups: list[tuple[int, tuple[str, str], list[int]]]) -> list[Finding]:
    """One N+1 finding per looped operation, for the costliest few; the first one counts the
    rest, so that nothing found goes unsaid (and a report is not 100 near-copies)."""
    groups.sort(key=lambda group: -group[0])  # stable: ties keep the children's order
    found = [_n_plus_one(ctx, p, run, *hop) for _, hop, run in groups[:MAX_LOOPS_LISTED]]
    rest = groups[MAX_LOOPS_LISTED:]
    if rest:
        calls, held = sum(len(run) for *_, run in rest), sum(group[0] for group in rest)
        found[0].evidence.append(Evidence(
            f"{ctx.label(p)} calls {len(rest)} more operations over and over like this "
            f"({calls} calls, {duration(held)} on the critical path); the "
            f"{MAX_LOOPS_LISTED} costliest are findings of their own",
            ctx.ids([p]), {"more_operations": len(rest), "calls": calls, "critical_us": held}))
    return found


def _n_plus_one(ctx: RcaContext, p: int, run: list[int], service: str, name: str) -> Finding:
    ix = ctx.ix
    durations = sorted(map(sub, map(ix.end.__getitem__, run), map(ix.start.__getitem__, run)))
    total = sum(durations)
    impact = sum(map(ctx.subtree_critical.__getitem__, run))
    callee = f"{service} {name}"
    first, last = run[0], run[-1]
    run_ids = ctx.ids(run)
    evidence = [
        Evidence(f"{len(run)} calls to {callee} one after another, none overlapping: "
                 f"{duration(total)} in total, {duration(durations[len(durations) // 2])} median",
                 run_ids, {"calls": len(run), "total_us": total,
                           "median_us": durations[len(durations) // 2]}),
        Evidence(f"first starts at +{duration(ctx.ix.start[first] - ctx.ix.start[p])}, last "
                 f"ends at +{duration(ctx.ix.end[last] - ctx.ix.start[p])} into {ctx.label(p)}",
                 ctx.ids([p, first, last])),
    ]
    keys = _varying_attributes(ctx, run)
    if keys:
        evidence.insert(1, Evidence("they differ only in " + ", ".join(keys)
                                    + ": one call per item, where one batched call would do",
                                    ctx.ids(run[:3]), {"varying": keys}))
    partner = _loop_partner(ctx, p, run)
    paired = ctx.label(partner[0]) if partner else None
    if partner:
        held = sum(map(ctx.subtree_critical.__getitem__, partner))
        evidence.append(Evidence(
            f"each call is followed by one to {paired} ({len(partner)} calls, {duration(held)} "
            "on the critical path): one loop over the items makes both, and batching both "
            "saves the most", ctx.ids(partner), {"paired_calls": len(partner),
                                                 "paired_critical_us": held}))
    return finding_for(
        ctx, "n_plus_one", p, impact_us=impact, span_ids=ctx.ids([p, *run]),
        evidence=evidence,
        title=f"{ctx.label(p)} made {len(run)} sequential calls to {callee}",
        rule="pattern.n_plus_one: >= 4 sequential calls to one operation from one parent",
        detail={"calls": len(run), "callee": callee, "callee_hop": (service, name),
                "total_us": total, "varying": keys, "paired_with": paired})


LOOP_SAMPLE = 50  # gaps between calls looked at: enough to tell a loop from chance
LOOP_BODY = 8  # other calls between two repeats, at most, for a tight loop


def _loop_partner(ctx: RcaContext, p: int, run: list[int]) -> list[int] | None:
    """The calls of the one other operation that sits between the repeats of ``run``, once in
    (nearly) every gap: a loop over items that calls both (fetch features, then predict).
    Looks at the first gaps only, and only at tight loops, so a wide fan-out costs little."""
    kids, codes = ctx.ix.children[p] or [], ctx.analysis.span_hop
    mine, once_per_gap, gaps = codes[run[0]], Counter[int](), 0
    for a, b in zip(run[:LOOP_SAMPLE], run[1:LOOP_SAMPLE + 1], strict=False):
        lo, hi = bisect_right(kids, a), bisect_left(kids, b)  # kids: in index (time) order
        if hi - lo > LOOP_BODY:
            return None
        in_gap = Counter(codes[k] for k in kids[lo:hi] if ctx.ix.awaited[k])
        once_per_gap.update(code for code, n in in_gap.items() if n == 1 and code != mine)
        gaps += 1
    if not once_per_gap:
        return None
    code, n = once_per_gap.most_common(1)[0]
    if n * 10 < gaps * 9:  # in at least 90% of the gaps
        return None
    return ctx.children_by_hop(p)[ctx.analysis.hop_keys[code]]


def _varying_attributes(ctx: RcaContext, run: list[int]) -> list[str]:
    seen: dict[str, set[object]] = {}
    for k in run[:50]:  # a sample is enough to see which attributes change call to call
        for key, value in ctx.spans[k].attributes.items():
            values = seen.get(key)
            if values is None:
                values = seen[key] = set()
            # Strings as they are (most values; no repr), anything else by its repr, wrapped so
            # that it never equals a string (1, 1.0 and True must differ, and "1" from 1).
            values.add(value if type(value) is str else (repr(value),))
    return sorted(key for key, values in seen.items() if 1 < len(values))[:3]


def retries(ctx: RcaContext) -> list[Finding]:
    out = []
    children = ctx.ix.children
    for p in _parents_of_errors(ctx):
        kids = children[p]
        if not kids or len(kids) < 2:
            continue
        for hop, members in ctx.children_by_hop(p).items():
            if len(members) < 2:
                continue
            run = _sequential_run(ctx, p, hop)
            failed = _failed_attempts(ctx, run[:-1])
            if len(run) >= 2 and failed and (len(failed) * 2 >= len(run) - 1 or _marked(ctx, run)):
                out.append(_retry(ctx, p, run, failed))
    return out


def _failed_attempts(ctx: RcaContext, attempts: list[int]) -> list[int]:
    """The attempts that erred or timed out.  Only those with an error or a reason can: found
    in C, since a parent of one error can have 100k children in groups of thousands."""
    error, reasons = ctx.analysis.error, ctx.analysis.error_reason
    flagged = compress(attempts, map(reasons.__getitem__, attempts))  # every error has one
    return [k for k in flagged if error[k] or _timed_out(ctx, k)]


def _parents_of_errors(ctx: RcaContext) -> list[int]:
    """Retries need an erroring child: only the parents of errors can have them."""
    parent = ctx.ix.parent
    parents = {parent[i] for i in compress(range(len(parent)), ctx.analysis.error)}
    return sorted(parents - {-1})


def _timed_out(ctx: RcaContext, k: int) -> bool:
    reason = (ctx.analysis.error_reason[k] or "").lower()
    return "timeout" in reason or "deadline" in reason or "504" in reason


def _marked(ctx: RcaContext, run: list[int]) -> bool:
    keys = ("http.request.resend_count", "retry.attempt", "retry_attempt", "rpc.retry")
    return any(key in ctx.spans[k].attributes for k in run[:50] for key in keys)


def _retry(ctx: RcaContext, p: int, run: list[int], failed: list[int]) -> Finding:
    culprit, reasons = _failing_callee(ctx, failed)
    backoff = _parent_time_between(ctx, p, ctx.ix.start[run[0]], ctx.ix.start[run[-1]])
    impact = sum(ctx.subtree_critical[k] for k in failed) + backoff
    last_ok = not ctx.analysis.error[run[-1]]
    outcome = "the last attempt succeeded" if last_ok else "every attempt failed"
    reason_text = ", ".join(f"{r} x{n}" for r, n in reasons.most_common(3)) or "no error status"
    run_ids = ctx.ids(run)
    evidence = [
        Evidence(f"{len(run)} attempts of {ctx.label(run[0])} under {ctx.label(p)}; "
                 f"{len(failed)} failed ({reason_text}); {outcome}", run_ids,
                 {"attempts": len(run), "failed": len(failed)}),
        Evidence(f"failed attempts and the waits between them cost {duration(impact)} on the "
                 f"critical path", ctx.ids(failed),
                 {"failed_critical_us": impact - backoff, "backoff_us": backoff}),
    ]
    return finding_for(
        ctx, "retry", culprit, impact_us=impact, span_ids=ctx.ids([p, *run]),
        evidence=evidence,
        title=f"{len(failed)} failed attempt(s) of {ctx.label(run[0])} retried by {ctx.label(p)}",
        rule="pattern.retry: sequential attempts of one operation after errors or timeouts",
        detail={"attempts": len(run), "failed": len(failed), "retrier": ctx.label(p),
                "reasons": dict(reasons), "recovered": last_ok})


def _failing_callee(ctx: RcaContext, failed: list[int]) -> tuple[int, Counter[str]]:
    """The span that stands for why the attempts failed: the error origin below them."""
    role = ctx.errors.role
    reasons: Counter[str] = Counter()
    origins = []
    for k in failed:
        stack = [k]
        while stack:
            i = stack.pop()
            if role.get(i) == ORIGIN:
                origins.append(i)
                reasons[ctx.analysis.error_reason[i] or "error"] += 1
            stack.extend(ctx.ix.children[i] or ())
    if not origins:
        return failed[-1], reasons
    hops = Counter(ctx.hop(i) for i in origins)
    top = hops.most_common(1)[0][0]
    return max((i for i in origins if ctx.hop(i) == top), key=lambda i: ctx.ix.end[i]), reasons


def _parent_time_between(ctx: RcaContext, p: int, lo: int, hi: int) -> int:
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in ctx.sections_of.get(p, ()))


def serialized_fanout(ctx: RcaContext) -> list[Finding]:
    out = []
    children = ctx.ix.children
    for p in ctx.critical_subtrees:
        kids = children[p]
        if not kids or len(kids) < MIN_FANOUT:
            continue
        if not any(ctx.spans[k].service != ctx.spans[p].service or k in ctx.call_of_client
                   for k in kids[:64]) and len(kids) > 64:
            continue  # a long list of local calls: no fan-out to other services to speak of
        remote = _remote_children(ctx, p, kids)
        calls = _costliest_per_hop(ctx, remote)
        if len(calls) < MIN_FANOUT:
            continue
        run = _longest_run(ctx, calls)  # a list of our own: not one of the cached groups
        on_path = [k for k in run if ctx.subtree_critical[k] > 0]
        if len(on_path) >= MIN_FANOUT:
            out.append(_fanout(ctx, p, on_path, remote))
    return out


def _remote_children(ctx: RcaContext, p: int, kids: list[int]) -> list[int]:
    """Awaited children that call out: client spans, other services' spans, remote calls."""
    spans, awaited, clients = ctx.spans, ctx.ix.awaited, ctx.call_of_client
    hops = ctx.hop_names  # one shared tuple per hop: no span read to compare services
    service = hops[p][0]
    return [k for k in kids if awaited[k] and (  # kind last: the only read of the span
        hops[k][0] != service or k in clients or spans[k].kind == CLIENT)]


def _costliest_per_hop(ctx: RcaContext, calls: list[int]) -> list[int]:
    """Per hop, the call with the most critical time in its subtree (the first on a tie),
    costliest first: what a stable sort of all the calls by falling cost meets first."""
    subtree, codes = ctx.subtree_critical, ctx.analysis.span_hop
    best: dict[int, int] = {}  # hop code -> position in calls (an int hashes for free)
    for pos, k in enumerate(calls):
        hop = codes[k]
        held = best.get(hop)
        if held is None or subtree[k] > subtree[calls[held]]:
            best[hop] = pos
    return [calls[pos] for pos in sorted(best.values(),
                                         key=lambda pos: (-subtree[calls[pos]], pos))]


def _fanout(ctx: RcaContext, p: int, run: list[int], remote: list[int]) -> Finding:
    costs = [ctx.subtree_critical[k] for k in run]
    saving = sum(costs) - max(costs)
    names = ", ".join(ctx.label(k) for k in run[:5])
    evidence = [Evidence(f"{len(run)} different downstream calls run one after another ({names}); "
                         f"run in parallel they would take {duration(max(costs))} instead of "
                         f"{duration(sum(costs))}", ctx.ids(run),
                         {"calls": len(run), "sequential_us": sum(costs),
                          "parallel_us": max(costs)})]
    detail = {"calls": len(run), "saving_us": saving}
    # Calls on the critical path ran one after another.  When operations repeat, all of them
    # count: parallel calls or batched repeats would save all but the longest.
    held = [k for k in remote if ctx.subtree_critical[k]]
    if len(held) > len(run):
        held_costs = list(map(ctx.subtree_critical.__getitem__, held))
        total = sum(held_costs)
        saving = max(saving, total - max(held_costs))
        detail.update(saving_us=saving, all_calls=len(held), all_critical_us=total)
        evidence.append(Evidence(
            f"in all, {len(held):,} downstream calls run one after another and hold "
            f"{duration(total)} of the critical path ({ctx.share(total):.0%} of the request); "
            "repeated calls to one operation are findings of their own (N+1)",
            ctx.ids(held[:3]), {"calls": len(held), "critical_us": total}))
    return finding_for(
        ctx, "serialized_fanout", p, impact_us=saving, span_ids=ctx.ids([p, *run]),
        evidence=evidence,
        title=f"{ctx.label(p)} calls {len(run)} downstream operations one after another",
        rule="pattern.serialized_fanout: >= 3 distinct remote calls in a row on the critical "
             "path; impact = what parallel calls save",
        detail=detail)
