"""A trace as parallel arrays indexed by span number: the compact form every algorithm uses.

``cstart``/``cend`` are the intervals clamped for the critical path (Jaeger's rules): each
awaited child is cut to its parent's clamped interval, a child entirely outside it is dropped
(``alive`` false), and the drop cascades to its subtree.  Children the parent does not await
(FOLLOWS_FROM, producer -> consumer) are left out of the clamped tree altogether.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.model import Span, Trace
from tracewhy.normalise.repairs import Repairs
from tracewhy.normalise.tree import link


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
    # Are every span's children in (cstart, span id) order?  Yes when the spans are in
    # normalise's canonical order (by start, then span id) and no start was clamped.
    children_in_start_order: bool = False

    def __len__(self) -> int:
        return len(self.spans)


def build_index(trace: Trace) -> TraceIndex:
    spans = trace.spans
    links = trace.links if trace.links is not None and trace.links.current(spans) else None
    canonical = links is not None  # normalise linked these spans, in canonical order
    if links is None:  # a trace normalise did not make, or whose spans changed since: link it
        links = link(spans, Repairs())  # (its repairs are normalise's to report, not ours)
    start, end = links.start, links.end
    cstart, cend, alive, starts_clamped = _clamped(links.order, links.children, start, end,
                                                    links.awaited)
    position = links.position
    root = position[trace.root_id] if trace.root_id is not None else -1
    return TraceIndex(spans, position, links.parent, start, end, links.children, links.order,
                      links.awaited, cstart, cend, alive, root,
                      canonical and not starts_clamped)


def _clamped(order: list[int], children: list[list[int] | None], start: list[int],
             end: list[int], is_awaited: list[bool]
             ) -> tuple[list[int], list[int], list[bool], bool]:
    """The intervals clamped top-down: a parent's children are cut to it, the parent being
    final by then (``order`` puts parents first); and whether any start was cut."""
    cstart = start[:]
    cend = end[:]
    alive = [True] * len(start)
    starts_clamped = False
    for u in order:
        kids = children[u]
        if kids is None:
            continue
        if not alive[u]:  # the drop cascades to the subtree
            for k in kids:
                alive[k] = False
            continue
        ps, pe = cstart[u], cend[u]
        for k in kids:
            if not is_awaited[k]:
                alive[k] = False
                continue
            s, e = cstart[k], cend[k]
            if s >= pe or e <= ps:  # entirely outside the parent (zero-length at an edge too)
                alive[k] = False
                continue
            if s < ps:
                cstart[k] = ps
                starts_clamped = True
            if e > pe:
                cend[k] = pe
    return cstart, cend, alive, starts_clamped
