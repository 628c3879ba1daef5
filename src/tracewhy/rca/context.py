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


@dataclass
class RcaContext:
    analysis: Analysis
    layer: list[str]  # per span index
    layer_rule: dict[tuple[str, str], str]
    calls: list[RemoteCall]
    errors: ErrorAnalysis
    slo_us: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ix(self) -> TraceIndex:
        return self.analysis.index

    @property
    def spans(self) -> list[Span]:
        return self.analysis.index.spans

    @property
    def critical(self) -> list[int]:
        return self.analysis.critical_us

    @property
    def root_duration(self) -> int:
        return self.analysis.root_duration_us

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

    def ids(self, indices: list[int] | tuple[int, ...] | set[int]) -> list[str]:
        return sorted(self.spans[i].span_id for i in indices)

    def hop(self, i: int) -> tuple[str, str]:
        span = self.spans[i]
        return span.service, span.name

    def label(self, i: int) -> str:
        span = self.spans[i]
        return f"{span.service} {span.name}"

    def share(self, us: int) -> float:
        return us / self.root_duration if self.root_duration else 0.0
