"""Self time: a span's duration minus the union of its awaited children, clipped to it.

This is Jaeger's "ST" definition (overlapping children count once, so self time is never
negative).  Children the span does not wait for (FOLLOWS_FROM, producer -> consumer) are left
out, so fire-and-forget work does not eat its parent's self time.
"""

from __future__ import annotations

from tracewhy.analysis.index import TraceIndex


def self_times(ix: TraceIndex) -> list[int]:
    start, end, awaited, children = ix.start, ix.end, ix.awaited, ix.children
    out = [e - s for s, e in zip(start, end, strict=True)]
    for p, kids in enumerate(children):
        if not kids:
            continue
        ps, pe = start[p], end[p]
        if len(kids) == 1:
            k = kids[0]
            if awaited[k]:
                lo, hi = max(start[k], ps), min(end[k], pe)
                if hi > lo:
                    out[p] -= hi - lo
            continue
        # By raw start (an int key: a parent can have a million children), clipped in the
        # sweep (clipping keeps the order; the union does not depend on the order of ties).
        covered = 0
        cur_lo = cur_hi = ps
        for k in sorted(kids, key=start.__getitem__):
            if not awaited[k]:
                continue
            lo, hi = start[k], end[k]
            if lo < ps:
                lo = ps
            if hi > pe:
                hi = pe
            if hi <= lo:
                continue
            if lo > cur_hi:
                covered += cur_hi - cur_lo
                cur_lo, cur_hi = lo, hi
            elif hi > cur_hi:
                cur_hi = hi
        covered += cur_hi - cur_lo
        out[p] -= covered
    return out
