"""A trace as parallel arrays indexed by span number: the compact form every algorithm uses.

``cstart``/``cend`` are the intervals clamped for the critical path (Jaeger's rules): each
awaited child is cut to its parent's clamped interval, a child entirely outside it is dropped
(``alive`` false), and the drop cascades to its subtree.  Children the parent does not await
(FOLLOWS_FROM, producer -> consumer) are left out of the clamped tree altogether.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.model import CHILD_OF, CONSUMER, Span, Trace, awaited


@dataclass(slots=True)
class TraceIndex:
    spans: list[Span]
    position: dict[str, int]
    parent: list[int]  # -1 for roots
    start: list[int]
    end: list[int]
    children: list[list[int] | None]  # None when a span has no children
    order: list[int]  # top-down: parents before children
    awaited: list[bool]  # does the parent wait for this span (True for roots)
    cstart: list[int]
    cend: list[int]
    alive: list[bool]  # still in the clamped (critical-path) tree
    root: int  # the main root, -1 for an empty trace

    def __len__(self) -> int:
        return len(self.spans)


def build_index(trace: Trace) -> TraceIndex:
    spans = trace.spans
    n = len(spans)
    position = {span.span_id: i for i, span in enumerate(spans)}
    start = [span.start_us or 0 for span in spans]
    end = [s + (span.duration_us or 0) for s, span in zip(start, spans, strict=True)]
    parent = [-1] * n
    children: list[list[int] | None] = [None] * n
    is_awaited = [True] * n
    roots = []
    for i, span in enumerate(spans):
        pid = span.parent_id
        if pid is None:
            roots.append(i)
            continue
        p = position[pid]
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
    order = _top_down(roots, children)
    cstart, cend, alive = _clamp(order, parent, start, end, is_awaited)
    root = position[trace.root_id] if trace.root_id is not None else -1
    return TraceIndex(spans, position, parent, start, end, children, order, is_awaited,
                      cstart, cend, alive, root)


def _top_down(roots: list[int], children: list[list[int] | None]) -> list[int]:
    order = list(roots)
    i = 0
    while i < len(order):
        kids = children[order[i]]
        if kids is not None:
            order.extend(kids)
        i += 1
    return order


def _clamp(order: list[int], parent: list[int], start: list[int], end: list[int],
           is_awaited: list[bool]) -> tuple[list[int], list[int], list[bool]]:
    cstart = start[:]
    cend = end[:]
    alive = [True] * len(start)
    for i in order:
        p = parent[i]
        if p < 0:
            continue
        if not alive[p] or not is_awaited[i]:
            alive[i] = False
            continue
        ps, pe = cstart[p], cend[p]
        s, e = cstart[i], cend[i]
        if s >= pe or e <= ps:  # entirely outside the parent (zero-length at an edge too)
            alive[i] = False
            continue
        if s < ps:
            cstart[i] = ps
        if e > pe:
            cend[i] = pe
    return cstart, cend, alive
