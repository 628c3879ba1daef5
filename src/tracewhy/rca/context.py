"""Everything the detectors share about one analysed trace, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from heapq import nsmallest
from itertools import compress, count, repeat
from operator import attrgetter, eq
from typing import Any

from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.index import TraceIndex
from tracewhy.model import Span
from tracewhy.rca.errors import ErrorAnalysis
from tracewhy.rca.latency import RemoteCall

MAX_EVIDENCE_IDS = 200
_events = attrgetter("events")


@dataclass
class RcaContext:
    analysis: Analysis
    hop_names: list[tuple[str, str]]  # per span index: (service, operation)
    layer: list[str]  # per span index
    layer_rule: dict[tuple[str, str], str]
    calls: list[RemoteCall]
    errors: ErrorAnalysis
    slo_us: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    # Shortcuts to the analysis's arrays, read in every detector's inner loops.
    ix: TraceIndex = field(init=False)
    spans: list[Span] = field(init=False)
    critical: list[int] = field(init=False)
    root_duration: int = field(init=False)
    _groups: dict[int, dict[tuple[str, str], list[int]]] = field(init=False, default_factory=dict)
    # Sequential runs among those groups, by (parent, hop): N+1 and retries both need them.
    runs: dict[tuple[int, tuple[str, str]], list[int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.ix = self.analysis.index
        self.spans = self.ix.spans
        self.critical = self.analysis.critical_us
        self.root_duration = self.analysis.root_duration_us

    @cached_property
    def operation_names(self) -> set[str]:
        return {hop.operation for hop in self.analysis.hops}  # one hop row per distinct name

    def critical_spans_named(self, names: set[str]) -> list[int]:
        """Spans with one of these operation names whose subtree holds critical time."""
        if not names:
            return []
        hops = self.hop_names
        return [i for i in self.critical_subtrees if hops[i][1] in names]

    @cached_property
    def critical_spans_with_events(self) -> list[int]:
        subtrees = self.critical_subtrees  # all spans on a deep chain: filtered in C
        return list(compress(subtrees, map(_events, map(self.spans.__getitem__, subtrees))))

    @cached_property
    def subtree_critical(self) -> list[int]:
        """Critical time of each span plus all its descendants'."""
        total = list(self.critical)
        parent = self.ix.parent
        for i in self._critical_ancestry:
            p = parent[i]
            if p >= 0:
                total[p] += total[i]
        return total

    @cached_property
    def critical_subtrees(self) -> list[int]:
        """The spans whose subtree holds critical time, in span order: the only parents the
        detectors of critical-path patterns need to look at."""
        ancestry = sorted(self._critical_ancestry)  # times are never negative: non-zero is > 0
        return list(compress(ancestry, map(self.subtree_critical.__getitem__, ancestry)))

    @cached_property
    def _critical_ancestry(self) -> list[int]:
        """The spans with critical time and their ancestors, each after its descendants.

        Only these can hold critical time in their subtree.  On most traces they are a few
        spans of the thousands and are found by climbing from each critical span; when most
        spans are critical (a deep chain, a wide fan-out), all spans bottom-up is cheaper."""
        ix = self.ix
        critical = list(compress(range(len(ix)), self.critical))
        if len(critical) * 4 > len(ix):
            return ix.order[::-1]
        parent, seen = ix.parent, [False] * len(ix)
        climbs = []
        for i in critical:
            climb = []
            while i >= 0 and not seen[i]:
                seen[i] = True
                climb.append(i)
                i = parent[i]
            climbs.append(climb)
        # A later climb stops below a span an earlier one reached: later climbs go first.
        return [i for climb in reversed(climbs) for i in climb]

    @cached_property
    def sections_of(self) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        for section in self.analysis.sections:
            out.setdefault(section.span, []).append((section.start_us, section.end_us))
        return out

    @cached_property
    def call_of_client(self) -> dict[int, RemoteCall]:
        return {call.client: call for call in self.calls}

    def ids(self, indices: list[int] | tuple[int, ...] | set[int],
            limit: int = MAX_EVIDENCE_IDS) -> list[str]:
        """Span ids for evidence, sorted.  A long list is cut to its earliest spans (counts
        live in the values): the lowest indices, since spans are in time order, so only the
        ids cited are read (a retry or N+1 run on a wide trace has 10k members)."""
        spans = self.spans
        if len(indices) > limit:
            indices = _smallest(limit, indices)
        return sorted([spans[i].span_id for i in indices])

    def children_by_hop(self, p: int) -> dict[tuple[str, str], list[int]]:
        """Awaited children of a span grouped by hop, computed once per span."""
        groups = self._groups.get(p)
        if groups is None:
            by_code: dict[int, list[int]] = {}  # int keys: a tuple's hash is not cached
            kids, codes = self.ix.children[p] or [], self.analysis.span_hop
            for k in compress(kids, map(self.ix.awaited.__getitem__, kids)):
                group = by_code.get(codes[k])
                if group is None:
                    by_code[codes[k]] = [k]
                else:
                    group.append(k)
            keys = self.analysis.hop_keys
            groups = self._groups[p] = {keys[c]: members for c, members in by_code.items()}
        return groups

    def hop(self, i: int) -> tuple[str, str]:
        return self.hop_names[i]

    def spans_of_hop(self, hop: tuple[str, str]) -> list[int]:
        """Every span of one hop, in span order (found in C: no tuple built per span)."""
        return list(compress(count(), map(eq, self.hop_names, repeat(hop))))

    def label(self, i: int) -> str:
        span = self.spans[i]
        return f"{span.service} {span.name}"

    def share(self, us: int) -> float:
        return us / self.root_duration if self.root_duration else 0.0


def _smallest(limit: int, values: Any) -> list[Any]:
    """``sorted(values)[:limit]``.  heapq's ``nsmallest`` compares in Python, one step per value:
    C's sort is quicker until the values are many times the limit."""
    if len(values) <= 20 * limit:
        return sorted(values)[:limit]
    return nsmallest(limit, values)
