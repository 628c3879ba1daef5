"""Roll spans up into hops: one row per (service, operation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracewhy.analysis.index import TraceIndex

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
    layer: str = UNKNOWN_LAYER
    layer_rule: str = ""
    wire_us: int = 0  # client time not covered by the server span (network + mesh + queueing)
    mesh_us: int = 0  # the part of wire_us spent in sidecar/proxy spans
    span_ids: list[str] = field(default_factory=list)  # spans of this hop on the critical path

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.operation)


def build_hops(ix: TraceIndex, self_us: list[int], critical_us: list[int],
               error: list[bool]) -> list[Hop]:
    spans = ix.spans
    start, end = ix.start, ix.end
    rows: dict[tuple[str, str], Hop] = {}
    for i, span in enumerate(spans):
        key = (span.service, span.name)
        hop = rows.get(key)
        if hop is None:
            hop = rows[key] = Hop(span.service, span.name)
        duration = end[i] - start[i]
        hop.calls += 1
        hop.total_us += duration
        hop.self_us += self_us[i]
        if critical_us[i]:
            hop.critical_us += critical_us[i]
            hop.span_ids.append(span.span_id)
        if error[i]:
            hop.errors += 1
        if duration > hop.max_us:
            hop.max_us = duration
    return sorted(rows.values(),
                  key=lambda h: (-h.critical_us, -h.total_us, h.service, h.operation))


def span_errors(reasons: list[str | None]) -> list[bool]:
    return [reason is not None for reason in reasons]
