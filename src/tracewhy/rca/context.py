"""Everything the detectors share about one analysed trace, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.index import TraceIndex
from tracewhy.model import Span
from tracewhy.rca.errors import ErrorAnalysis
from tracewhy.rca.latency import RemoteCall

MAX_EVIDENCE_IDS = 200


@dataclass
class RcaContext:
    analysis: Analysis
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

    def __post_init__(self) -> None:
        self.ix = self.analysis.index
        self.spans = self.ix.spans
        self.critical = self.analysis.critical_us
        self.root_duration = self.analysis.root_duration_us

    @cached_property
    def hop_names(self) -> list[tuple[str, str]]:
        return self.analysis.hop_keys

    @cached_property
    def operation_names(self) -> set[str]:
        return {name for _, name in set(self.hop_names)}

    def spans_named(self, names: set[str]) -> list[int]:
        if not names:
            return []
        return [i for i, (_, name) in enumerate(self.hop_names) if name in names]

    @cached_property
    def spans_with_events(self) -> list[int]:
        return [i for i, span in enumerate(self.spans) if span.events]

    @cached_property
    def subtree_critical(self) -> list[int]:
        """Critical time of each span plus all its descendants'."""
        total = list(self.critical)
        parent = self.ix.parent
        for i in reversed(self.ix.order):
            p = parent[i]
            if p >= 0:
                total[p] += total[i]
        return total

    @cached_property
    def sections_of(self) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        for section in self.analysis.sections:
            out.setdefault(section.span, []).append((section.start_us, section.end_us))
        return out

    @cached_property
    def call_of_client(self) -> dict[int, RemoteCall]:
        return {call.client: call for call in self.calls}

    def critical_in_subtree(self, i: int) -> bool:
        return self.subtree_critical[i] > 0

    def ids(self, indices: list[int] | tuple[int, ...] | set[int],
            limit: int = MAX_EVIDENCE_IDS) -> list[str]:
        """Span ids for evidence, sorted; long lists are cut (counts live in the values)."""
        spans = self.spans
        return sorted(spans[i].span_id for i in indices)[:limit]

    def children_by_hop(self, p: int) -> dict[tuple[str, str], list[int]]:
        """Awaited children of a span grouped by hop, computed once per span."""
        groups = self._groups.get(p)
        if groups is None:
            groups = {}
            awaited, hops = self.ix.awaited, self.hop_names
            for k in self.ix.children[p] or ():
                if awaited[k]:
                    groups.setdefault(hops[k], []).append(k)
            self._groups[p] = groups
        return groups

    def hop(self, i: int) -> tuple[str, str]:
        return self.hop_names[i]

    def label(self, i: int) -> str:
        span = self.spans[i]
        return f"{span.service} {span.name}"

    def share(self, us: int) -> float:
        return us / self.root_duration if self.root_duration else 0.0
