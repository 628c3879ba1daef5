"""Roll spans up into hops: one row per (service, operation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracewhy.analysis.index import TraceIndex
from tracewhy.model import Span

UNKNOWN_LAYER = "unknown"


@dataclass(slots=True)
class Hop:
    service: str
    operation: str
    calls: int = 0
    total_us: int = 0
    self_us: int = 0
    critical_us: int = 0
    errors: int = 0
    max_us: int = 0
    first_us: int = 0  # the earliest start among the hop's spans
    last_us: int = 0  # the latest end among them
    layer: str = UNKNOWN_LAYER
    layer_rule: str = ""
    wire_us: int = 0  # client time not covered by the server span (network + mesh + queueing)
    mesh_us: int = 0  # the part of wire_us spent in sidecar/proxy spans
    # this hop's spans with critical time, by index in span order (ids are read only for the
    # few a report cites: on a wide or deep trace nearly every span is critical)
    critical_spans: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.operation)


# One call edge of the operation graph: caller (service, operation), callee, and the callee
# side's [calls, total_us, self_us, critical_us, errors] over the spans on that edge.
CallEdge = tuple[tuple[str, str], tuple[str, str], list[int]]


@dataclass(slots=True)
class Rollup:
    hops: list[Hop]  # by critical time, then total
    edges: list[CallEdge]  # in order of first appearance
    hop_keys: list[tuple[str, str]]  # each (service, operation) once, in order of first span
    span_hop: list[int]  # per span index: its hop's position in hop_keys


def roll_up(ix: TraceIndex, self_us: list[int], critical_us: list[int],
            error: list[bool]) -> Rollup:
    """Hops and call edges in one pass over the spans that works on integers: each (service,
    operation) gets a code."""
    spans, parent, start, end = ix.spans, ix.parent, ix.start, ix.end
    names, op = hop_codes(spans)
    width = len(names)
    calls, total, own, crit, errors, longest = ([0] * width for _ in range(6))
    first, last = [0] * width, [0] * width  # set by each hop's first span, whatever its sign
    critical_spans: list[list[int]] = [[] for _ in range(width)]
    pairs: dict[int, list[int]] = {}  # caller code * width + callee code -> edge totals
    rows = zip(op, start, end, self_us, critical_us, error, parent, strict=True)
    for i, (c, b, f, s, k, e, p) in enumerate(rows):
        duration = f - b
        if not calls[c]:
            first[c], last[c] = b, f
        elif b < first[c]:
            first[c] = b
        if f > last[c]:
            last[c] = f
        calls[c] += 1
        total[c] += duration
        own[c] += s
        if duration > longest[c]:
            longest[c] = duration
        if k:
            crit[c] += k
            critical_spans[c].append(i)
        if e:
            errors[c] += 1
        if p >= 0:
            pair = op[p] * width + c
            row = pairs.get(pair)
            if row is None:
                pairs[pair] = [1, duration, s, k, int(e)]
            else:
                row[0] += 1
                row[1] += duration
                row[2] += s
                row[3] += k
                row[4] += e
    hops = [Hop(service, operation, calls[c], total[c], own[c], crit[c], errors[c], longest[c],
                first[c], last[c], critical_spans=critical_spans[c])
            for c, (service, operation) in enumerate(names)]
    hops.sort(key=lambda h: (-h.critical_us, -h.total_us, h.service, h.operation))
    edges = [(names[pair // width], names[pair % width], row) for pair, row in pairs.items()]
    return Rollup(hops, edges, names, op)


def hop_codes(spans: list[Span]) -> tuple[list[tuple[str, str]], list[int]]:
    """Each (service, operation) once, in order of its first span, and each span's position
    in that list."""
    codes: dict[tuple[str, str], int] = {}
    span_hop = [codes.setdefault((span.service, span.name), len(codes)) for span in spans]
    return list(codes), span_hop


def span_errors(reasons: list[str | None]) -> list[bool]:
    return [reason is not None for reason in reasons]
