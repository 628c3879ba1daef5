"""Linking spans into a forest: self-parents, orphans, cycles, and the choice of main root.

No span is ever dropped here.  An orphan becomes the root of its own subtree (never a child of
the main root, which would invent a call that did not happen); a cycle is cut at its
earliest-starting member.  All walks are iterative: a 100,000-deep chain is a normal input.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.model import CLIENT, UNKNOWN_SERVICE, Span
from tracewhy.normalise.repairs import Repairs


@dataclass
class Forest:
    by_id: dict[str, Span]
    children: dict[str, list[Span]]
    roots: list[Span]
    order: list[Span]  # top-down: every parent before its children


def link(spans: list[Span], repairs: Repairs) -> Forest:
    by_id = {span.span_id: span for span in spans}
    children: dict[str, list[Span]] = {}
    roots = []
    for span in spans:
        pid = span.parent_id
        if pid is None:
            if span.missing_parent_id is not None:
                repairs.note("orphan-span", span.span_id)
        elif pid == span.span_id:
            span.parent_id = pid = None
            repairs.note("self-parent", span.span_id)
        elif pid not in by_id:
            span.missing_parent_id = pid
            span.parent_id = pid = None
            repairs.note("orphan-span", span.span_id)
        if pid is None:
            roots.append(span)
        else:
            kids = children.get(pid)
            if kids is None:
                children[pid] = [span]
            else:
                kids.append(span)
    order = _top_down(roots, children)
    if len(order) < len(spans):
        _break_cycles(spans, order, children, roots, repairs)
    return Forest(by_id, children, roots, order)


def _top_down(roots: list[Span], children: dict[str, list[Span]]) -> list[Span]:
    order = list(roots)
    i = 0
    while i < len(order):  # breadth first: order[i:] is the queue
        kids = children.get(order[i].span_id)
        if kids:
            order.extend(kids)
        i += 1
    return order


def _break_cycles(spans: list[Span], order: list[Span], children: dict[str, list[Span]],
                  roots: list[Span], repairs: Repairs) -> None:
    reached = {id(span) for span in order}
    by_id = {span.span_id: span for span in spans}
    for start in sorted((s for s in spans if id(s) not in reached), key=_start_key):
        if id(start) in reached:
            continue
        cycle = _find_cycle(start, by_id)
        cut = min(cycle, key=_start_key)
        assert cut.parent_id is not None
        children[cut.parent_id].remove(cut)
        cut.parent_id = None
        roots.append(cut)
        repairs.note("cycle-broken", cut.span_id)
        subtree = _top_down([cut], children)
        order.extend(subtree)
        reached.update(id(span) for span in subtree)


def _find_cycle(start: Span, by_id: dict[str, Span]) -> list[Span]:
    """Follow parents from a span that no root reaches; they must loop."""
    path: dict[str, int] = {}
    walk: list[Span] = []
    span = start
    while span.span_id not in path:
        path[span.span_id] = len(walk)
        walk.append(span)
        assert span.parent_id is not None
        span = by_id[span.parent_id]
    return walk[path[span.span_id]:]


def _start_key(span: Span) -> tuple[int, str]:
    return (span.start_us or 0, span.span_id)


def choose_root(roots: list[Span], repairs: Repairs) -> Span | None:
    """The main root: a true root (no parent reference) if there is one, earliest first."""
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


def name_services(order: list[Span], by_id: dict[str, Span], repairs: Repairs) -> None:
    """Fill missing service names from the caller's peer.service (Zipkin's rule), else mark."""
    unknown: dict[str, bool] = {}  # per distinct name: a trace has few, and many spans
    for span in order:
        is_unknown = unknown.get(span.service)
        if is_unknown is None:
            is_unknown = unknown[span.service] = is_unknown_service(span.service)
        if not is_unknown:
            continue
        parent = by_id.get(span.parent_id) if span.parent_id else None
        peer = parent.attributes.get("peer.service") if parent is not None else None
        if parent is not None and parent.kind == CLIENT and isinstance(peer, str) and peer:
            span.service = peer
        elif not span.service.strip().lower().startswith("unknown_service"):
            span.service = UNKNOWN_SERVICE  # "" and "unknown" alike; unknown_service:<exe> stays
        repairs.note("missing-service", span.span_id)
