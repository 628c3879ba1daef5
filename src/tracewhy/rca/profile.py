"""A light per-trace profile for baselines and cohorts: critical and wire time per hop.

It runs the same index, clamping and critical path as a full analysis, but skips the call
graph, the detectors and everything per-span that a comparison does not need, so a baseline of
a thousand traces stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.analysis.critical_path import critical_path, critical_time_per_span
from tracewhy.analysis.index import build_index
from tracewhy.model import Trace
from tracewhy.rca.latency import find_remote_calls
from tracewhy.rca.layers import is_sidecar

Hop = tuple[str, str]


@dataclass(slots=True)
class TraceProfile:
    trace_id: str
    root: Hop
    duration_us: int
    critical: dict[Hop, int]  # own critical time, client-side spans of remote calls excluded
    wire: dict[Hop, int]  # critical time on the wire into this (server-side) hop


def profile_trace(trace: Trace, sidecars: dict[Hop, bool] | None = None) -> TraceProfile | None:
    """``sidecars`` caches which hops are sidecar spans across the traces of one baseline:
    the only layer a profile needs (to see through the mesh to the server of a call)."""
    ix = build_index(trace)
    if ix.root < 0:
        return None
    critical = critical_time_per_span(critical_path(ix), len(ix))
    cache = sidecars if sidecars is not None else {}
    layers = []
    for span in ix.spans:
        key = (span.service, span.name)
        mesh = cache.get(key)
        if mesh is None:
            mesh = cache[key] = is_sidecar(span)
        layers.append("mesh" if mesh else "")
    calls = find_remote_calls(ix, layers, critical)
    return profile_from(trace.trace_id, ix.spans, ix.root, ix.end[ix.root] - ix.start[ix.root],
                        critical, calls)


def profile_from(trace_id: str, spans: list, root: int, duration_us: int,  # type: ignore[type-arg]
                 critical: list[int], calls: list) -> TraceProfile:  # type: ignore[type-arg]
    clients = {call.client for call in calls}
    own: dict[Hop, int] = {}
    for i, crit in enumerate(critical):
        if crit and i not in clients:
            key = (spans[i].service, spans[i].name)
            own[key] = own.get(key, 0) + crit
    wire: dict[Hop, int] = {}
    for call in calls:
        if call.critical_us:
            server = spans[call.servers[0]]
            key = (server.service, server.name)
            wire[key] = wire.get(key, 0) + call.critical_us
    root_span = spans[root]
    return TraceProfile(trace_id, (root_span.service, root_span.name), duration_us, own, wire)
