"""One line of a search result: enough to pick a trace, and its id to analyse it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracewhy.backends.query import SearchQuery, rfc3339
from tracewhy.model import STATUS_ERROR, Trace

SCHEMA = "tracewhy.search/1"


@dataclass(frozen=True)
class TraceSummary:
    trace_id: str
    start_us: int  # the earliest span's start
    duration_us: int  # earliest start to latest end, as the Jaeger and Zipkin UIs show it
    root_service: str
    root_operation: str
    span_count: int
    error_count: int  # spans with error status
    services: tuple[str, ...]
    ui_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"trace_id": self.trace_id, "start": rfc3339(self.start_us),
                "start_us": self.start_us, "duration_us": self.duration_us,
                "root_service": self.root_service, "root_operation": self.root_operation,
                "spans": self.span_count, "errors": self.error_count,
                "services": list(self.services), "ui_url": self.ui_url}


@dataclass(frozen=True)
class SearchResult:
    backend: str  # "jaeger" or "zipkin"
    url: str  # base URL, without credentials
    query: SearchQuery
    traces: list[TraceSummary]  # newest first
    notes: list[str] = field(default_factory=list)  # how the search was done, where it matters

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "backend": self.backend, "url": self.url,
                "query": self.query.describe(), "count": len(self.traces),
                "traces": [t.to_dict() for t in self.traces], "notes": list(self.notes)}


def summarise(trace: Trace, ui_url: str | None = None) -> TraceSummary:
    spans = trace.spans
    start = min((s.start_us or 0 for s in spans), default=0)
    end = max((s.end_us for s in spans), default=start)
    root = next((s for s in spans if s.span_id == trace.root_id), None)
    return TraceSummary(
        trace_id=trace.trace_id, start_us=start, duration_us=end - start,
        root_service=root.service if root else "", root_operation=root.name if root else "",
        span_count=len(spans), error_count=sum(s.status == STATUS_ERROR for s in spans),
        services=tuple(sorted({s.service for s in spans})), ui_url=ui_url)


def newest_first(summaries: list[TraceSummary]) -> list[TraceSummary]:
    return sorted(summaries, key=lambda s: (-s.start_us, s.trace_id))
