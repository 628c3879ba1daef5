"""The critical path: which span the request was waiting on at every instant of the root.

Jaeger UI's last-finishing-child walk, with the fixes ALGORITHMS.md asks for:

* iterative (a 100,000-deep chain is fine) and O(n log n): each visited span's children are
  sorted once by end time, and a cursor only moves forward, because the time bound only ever
  moves back;
* a sibling that ends exactly when the next one starts is sequential (``<=``, not ``<``);
* siblings that overlap by a little are sequential too: a child may end up to ``tolerance``
  after the bound (1% of its parent's duration, CRISP's allowance, capped at 1 ms);
* it runs on the clamped tree (``TraceIndex.cstart/cend``), so async children and children
  outside their parent never take the parent's time.

The result is a list of sections ``(span index, start, end)`` in time order that tile the root's
interval exactly: every instant belongs to one span.
"""

from __future__ import annotations

from operator import attrgetter, neg
from typing import NamedTuple

from tracewhy.analysis.index import TraceIndex

OVERLAP_FRACTION = 0.01
OVERLAP_CAP_US = 1000
_SPAN_ID = attrgetter("span_id")


class Section(NamedTuple):  # a tuple: a deep trace has two per span, so they must be cheap
    span: int
    start_us: int
    end_us: int

    @property
    def duration_us(self) -> int:
        return self.end_us - self.start_us


def critical_path(ix: TraceIndex, root: int | None = None) -> list[Section]:
    root = ix.root if root is None else root
    if root < 0:
        return []
    cstart, cend, parent, children, alive = ix.cstart, ix.cend, ix.parent, ix.children, ix.alive
    n = len(cstart)
    sorted_kids: list[list[int] | None] = [None] * n
    cursor = [0] * n
    slack = [0] * n  # per parent: how far a child may overlap the bound (set with its kids)
    out: list[Section] = []
    append, section = out.append, tuple.__new__  # Section(...) is a Python-level call
    u, hi = root, cend[root]
    while True:
        kids = sorted_kids[u]
        if kids is None:
            kids = children[u]
            if kids is None:
                kids = _NONE
            elif len(kids) == 1:  # chains are common: no call, no copy
                k = kids[0]
                if not alive[k] or cend[k] <= cstart[k]:
                    kids = _NONE
            else:
                kids = _blocking_children(ix, u)
            sorted_kids[u] = kids
            if kids:
                slack[u] = min(int((cend[u] - cstart[u]) * OVERLAP_FRACTION), OVERLAP_CAP_US)
        if kids:  # (a leaf goes straight to its own section)
            i = cursor[u]
            limit = hi + slack[u]
            while i < len(kids) and (cend[kids[i]] > limit or cstart[kids[i]] >= hi):
                i += 1  # can never qualify again: the bound only moves back
            if i < len(kids):
                child = kids[i]
                cursor[u] = i + 1
                child_end = cend[child]
                if child_end >= hi:
                    child_end = hi
                else:
                    append(section(Section, (u, child_end, hi)))
                if children[child]:
                    u, hi = child, child_end
                    continue
                # A leaf: the walk would enter it, give it [start, bound] and come straight
                # back to u with the bound at its start; do that here (wide traces are mostly
                # leaves).
                hi = cstart[child]
                if hi < child_end:
                    append(section(Section, (child, hi, child_end)))
                continue
            cursor[u] = i
        if cstart[u] < hi:
            append(section(Section, (u, cstart[u], hi)))
        if u == root:
            break
        u, hi = parent[u], cstart[u]
    out.reverse()
    return out


_NONE: list[int] = []  # shared: no blocking children (never mutated)


def _blocking_children(ix: TraceIndex, u: int) -> list[int]:
    kids = ix.children[u]
    if not kids:
        return []
    alive, cstart, cend = ix.alive, ix.cstart, ix.cend
    if len(kids) == 1:  # chains are common: no list comprehension, no sort
        k = kids[0]
        return [k] if alive[k] and cend[k] > cstart[k] else []
    live = [k for k in kids if alive[k] and cend[k] > cstart[k]]
    if len(live) < 2:
        return live
    # Order: end descending, then start, then span id.  A parent can have a million children,
    # so no per-child Python key function.  Children come in index order: when that is
    # (start, span id) order, one stable sort by end keeps it among ties.
    if ix.children_in_start_order:
        live.sort(key=cend.__getitem__, reverse=True)  # reverse=True keeps the sort stable
        return live
    # Else two stable sorts on int keys when no two children share (end, start), or one sort
    # of (-end, start, span id, index) tuples built in C.
    ends, starts = map(cend.__getitem__, live), map(cstart.__getitem__, live)
    if len(set(zip(ends, starts, strict=True))) == len(live):
        live.sort(key=cstart.__getitem__)
        live.sort(key=cend.__getitem__, reverse=True)  # reverse=True keeps the sort stable
        return live
    keys = zip(map(neg, map(cend.__getitem__, live)), map(cstart.__getitem__, live),
               map(_SPAN_ID, map(ix.spans.__getitem__, live)), live, strict=True)
    return [key[3] for key in sorted(keys)]


def critical_time_per_span(sections: list[Section], n: int) -> list[int]:
    out = [0] * n
    for span, start, end in sections:  # unpacked: named fields cost a lookup each
        out[span] += end - start
    return out
