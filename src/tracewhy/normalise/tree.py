"""Linking spans into a forest: self-parents, orphans, cycles, and the choice of main root.

No span is ever dropped here.  An orphan becomes the root of its own subtree (never a child of
the main root, which would invent a call that did not happen); a cycle is cut at its
earliest-starting member.  All walks are iterative: a 100,000-deep chain is a normal input.
"""

from __future__ import annotations

from tracewhy.model import CHILD_OF, CLIENT, CONSUMER, UNKNOWN_SERVICE, Span, SpanLinks, awaited
from tracewhy.normalise.repairs import Repairs


def link(spans: list[Span], repairs: Repairs) -> SpanLinks:
    """Link spans by position; every span ends up in exactly one tree of the forest."""
    n = len(spans)
    position = {span.span_id: i for i, span in enumerate(spans)}
    parent = [-1] * n
    children: list[list[int] | None] = [None] * n
    is_awaited = [True] * n
    start, end = [0] * n, [0] * n  # read here: a pass over a million spans costs ~0.5 s
    roots = []
    for i, span in enumerate(spans):
        s = start[i] = span.start_us or 0
        end[i] = s + (span.duration_us or 0)
        pid = span.parent_id
        p = position.get(pid, -1) if pid is not None else -1
        if p < 0 or p == i:
            _unlink(span, p == i, repairs)
            roots.append(i)
            continue
        parent[i] = p
        kids = children[p]
        if kids is None:
            children[p] = [i]
        else:
            kids.append(i)
        # awaited() is only ever False for these two cases; skip the call for the rest
        if (span.parent_ref != CHILD_OF or span.kind == CONSUMER) \
                and not awaited(spans[p], span):
            is_awaited[i] = False
    order = top_down(roots, children)
    if len(order) < n:
        _break_cycles(spans, order, parent, children, roots, repairs)
        roots.sort()  # cut spans join the roots: keep them in index order
        order = top_down(roots, children)
    return SpanLinks(spans, position, parent, children, roots, order, is_awaited, start, end)


def _unlink(span: Span, self_parent: bool, repairs: Repairs) -> None:
    """A span with no parent in the trace: a root, an orphan or its own parent."""
    if span.parent_id is None:
        if span.missing_parent_id is not None:
            repairs.note("orphan-span", span.span_id)
    elif self_parent:
        span.parent_id = None
        repairs.note("self-parent", span.span_id)
    else:
        span.missing_parent_id = span.parent_id
        span.parent_id = None
        repairs.note("orphan-span", span.span_id)


def top_down(roots: list[int], children: list[list[int] | None]) -> list[int]:
    order = list(roots)
    for u in order:  # breadth first: the list grows behind the loop and is its queue
        kids = children[u]
        if kids:
            order.extend(kids)
    return order


def _break_cycles(spans: list[Span], order: list[int], parent: list[int],
                  children: list[list[int] | None], roots: list[int], repairs: Repairs) -> None:
    reached = bytearray(len(spans))
    for i in order:
        reached[i] = 1
    unreached = [i for i in range(len(spans)) if not reached[i]]
    for first in sorted(unreached, key=lambda i: _start_key(spans[i])):
        if reached[first]:
            continue
        cycle = _find_cycle(first, parent)
        cut = min(cycle, key=lambda i: _start_key(spans[i]))
        kids = children[parent[cut]]
        assert kids is not None
        kids.remove(cut)
        parent[cut] = -1
        spans[cut].parent_id = None
        roots.append(cut)
        repairs.note("cycle-broken", spans[cut].span_id)
        for i in top_down([cut], children):
            reached[i] = 1


def _find_cycle(first: int, parent: list[int]) -> list[int]:
    """Follow parents from a span that no root reaches; they must loop."""
    seen: dict[int, int] = {}
    walk: list[int] = []
    u = first
    while u not in seen:
        seen[u] = len(walk)
        walk.append(u)
        u = parent[u]
    return walk[seen[u]:]


def _start_key(span: Span) -> tuple[int, str]:
    return (span.start_us or 0, span.span_id)


def choose_root(links: SpanLinks, repairs: Repairs) -> Span | None:
    """The main root: a true root (no parent reference) if there is one, earliest first."""
    roots = [links.spans[i] for i in links.roots]
    proper = [r for r in roots if r.missing_parent_id is None]
    if not roots:
        return None
    if not proper:
        repairs.note("no-root")
    elif len(proper) > 1:
        for root in proper:
            repairs.note("multiple-roots", root.span_id)
        repairs.counts["multiple-roots"] = len(proper)
    return min(proper or roots, key=lambda s: (s.start_us or 0, -(s.duration_us or 0), s.span_id))


_UNKNOWN_NAMES = ("", "unknown", UNKNOWN_SERVICE)


def is_unknown_service(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in _UNKNOWN_NAMES or lowered.startswith("unknown_service")


def name_services(links: SpanLinks, repairs: Repairs, services: set[str]) -> None:
    """Fill missing service names from the caller's peer.service (Zipkin's rule), else mark.
    ``services``: the names the spans have, read by the caller before it sorted them (in
    memory order, a fraction of the cost of reading them in time order on a big trace)."""
    spans, parent = links.spans, links.parent
    unknown = {name: is_unknown_service(name) for name in services}
    if not any(unknown.values()):
        return  # the usual case, told without walking the tree
    for i in links.order:  # top-down: a caller is named before its callees look at it
        span = spans[i]
        if not unknown[span.service]:
            continue
        caller = spans[parent[i]] if parent[i] >= 0 else None
        peer = caller.attributes.get("peer.service") if caller is not None else None
        if caller is not None and caller.kind == CLIENT and isinstance(peer, str) and peer:
            span.service = peer
        elif not span.service.strip().lower().startswith("unknown_service"):
            span.service = UNKNOWN_SERVICE  # "" and "unknown" alike; unknown_service:<exe> stays
        repairs.note("missing-service", span.span_id)
