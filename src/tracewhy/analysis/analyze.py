"""``analyze(trace)``: the one call that runs every per-trace analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tracewhy.analysis.critical_path import Section, critical_path, critical_time_per_span
from tracewhy.analysis.errors import error_reasons
from tracewhy.analysis.graph import build_call_graph
from tracewhy.analysis.hops import Hop, roll_up, span_errors
from tracewhy.analysis.index import TraceIndex, build_index
from tracewhy.analysis.self_time import self_times
from tracewhy.model import Span, Trace


@dataclass
class Analysis:
    trace: Trace
    index: TraceIndex
    sections: list[Section]  # critical path of the main root, in time order
    self_us: list[int]  # per span index
    critical_us: list[int]  # per span index
    error: list[bool]  # per span index
    hops: list[Hop]
    graph: nx.DiGraph
    error_reason: list[str | None] = field(default_factory=list)  # per span index
    hop_keys: list[tuple[str, str]] = field(default_factory=list)  # each hop once
    span_hop: list[int] = field(default_factory=list)  # per span index: position in hop_keys
    # Filled by the root-cause engine (tracewhy.rca); shapes in schemas/analysis.schema.json.
    layers: list[dict[str, Any]] = field(default_factory=list)
    by_service: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, Any] | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    root_cause: dict[str, Any] | None = None
    whys: list[dict[str, Any]] = field(default_factory=list)
    next_checks: list[str] = field(default_factory=list)
    symptom: dict[str, Any] | None = None
    baseline: dict[str, Any] | None = None

    @property
    def root(self) -> Span | None:
        return self.index.spans[self.index.root] if self.index.root >= 0 else None

    @property
    def root_duration_us(self) -> int:
        r = self.index.root
        return self.index.end[r] - self.index.start[r] if r >= 0 else 0

    def extent(self) -> Extent | None:
        """From the first span's start to the last one's end, as recorded (not clamped to the
        root): what a trace viewer shows as the trace's duration.  None for an empty trace."""
        ix = self.index
        if ix.root < 0:
            return None
        root_end = ix.end[ix.root]
        return Extent(min(ix.start), max(ix.end), sum(map(root_end.__lt__, ix.end)))


@dataclass(frozen=True)
class Extent:
    start_us: int
    end_us: int
    after_root: int  # spans that end after the main root: work it did not wait for, or skew

    @property
    def duration_us(self) -> int:
        return self.end_us - self.start_us

    def outlasts(self, root_duration_us: int) -> bool:
        """Does the trace run clearly longer than its root (by more than 5%: clocks of a few
        hosts disagree by a little in most traces)?"""
        return self.duration_us * 20 > root_duration_us * 21


def analyze(trace: Trace) -> Analysis:
    ix = build_index(trace)
    sections = critical_path(ix)
    critical = critical_time_per_span(sections, len(ix))
    own = self_times(ix)
    reasons = error_reasons(ix.spans)
    error = span_errors(reasons)
    rolled = roll_up(ix, own, critical, error)
    graph = build_call_graph(rolled.hops, rolled.edges)
    return Analysis(trace, ix, sections, own, critical, error, rolled.hops, graph,
                    error_reason=reasons, hop_keys=rolled.hop_keys, span_hop=rolled.span_hop)
