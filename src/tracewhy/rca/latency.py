"""Latency attribution beyond self time: wire time of remote calls, and roll-ups by layer and
by service that add up to the root's duration.

A remote call is a client-side span C (kind client, or a kind-less span whose child runs in
another service) and the server-side spans R it reached, possibly through sidecar (mesh) spans.
Wire time is C's duration minus the time covered by the R (network, sidecars, queues); it is
computed from durations, so clock skew between the two hosts does not distort it.  Mesh time
is the part of it spent inside sidecar spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

from tracewhy.analysis.index import TraceIndex
from tracewhy.model import CLIENT, CONSUMER, PRODUCER, SERVER, UNSPECIFIED


@dataclass(slots=True)
class RemoteCall:
    client: int  # span index of the caller-side span
    servers: list[int]  # server-side spans reached (several: retries through a sidecar)
    mesh: list[int]  # sidecar spans between them
    wire_us: int  # client time not covered by any server span
    mesh_us: int  # part of wire_us inside sidecar spans
    critical_us: int  # critical-path time on the wire: client + sidecar spans, at most wire_us


CLIENT_SIDE_KINDS = frozenset({CLIENT, UNSPECIFIED})  # the only kinds a caller-side span has


def find_remote_calls(ix: TraceIndex, span_layer: list[str], critical_us: list[int],
                      kinds: set[str] | None = None) -> list[RemoteCall]:
    """``kinds``: the span kinds in the trace, when the caller knows them; with no client or
    kind-less span there is no call to find, and the walk over every span is skipped."""
    if kinds is not None and not kinds & CLIENT_SIDE_KINDS:
        return []
    calls = []
    spans, children = ix.spans, ix.children
    for c in compress(range(len(children)), children):  # the spans with children
        kind = spans[c].kind  # checked inline: this runs for every span with children
        client_side = kind == CLIENT or kind == UNSPECIFIED and _calls_another_service(ix, c)
        if not client_side or span_layer[c] == "mesh":
            continue
        servers, mesh = _reach_servers(ix, c, span_layer)
        if not servers:
            continue
        covered = _union(ix, servers)
        mesh_cover = _union(ix, mesh) if mesh else covered
        duration = ix.end[c] - ix.start[c]
        calls.append(RemoteCall(
            client=c, servers=servers, mesh=mesh, wire_us=max(0, duration - covered),
            mesh_us=max(0, mesh_cover - covered),
            critical_us=min(max(0, duration - covered),
                            critical_us[c] + sum(critical_us[m] for m in mesh))))
    return calls


def _calls_another_service(ix: TraceIndex, c: int) -> bool:
    """Kind-less data (e.g. Nezha's): a span is the client side of a call when its only child
    runs in another service under a name that contains its own, or is contained in it (the
    client span of ``hipstershop.CurrencyService/Convert`` reaches ``grpc.hipstershop.
    CurrencyService/Convert``).  A parent named for other work (CRISP's ``O1`` over ``O2``)
    is doing its own work around the call: its time is self time, not wire time."""
    kids = ix.children[c]
    if kids is None or len(kids) != 1:
        return False
    caller, callee = ix.spans[c], ix.spans[kids[0]]
    if callee.service == caller.service:
        return False
    mine, theirs = caller.name.lower(), callee.name.lower()
    return bool(mine) and bool(theirs) and (mine in theirs or theirs in mine)


def _reach_servers(ix: TraceIndex, c: int, span_layer: list[str]) -> tuple[list[int], list[int]]:
    servers, mesh = [], []
    stack = list(ix.children[c] or ())
    while stack:
        k = stack.pop()
        span = ix.spans[k]
        if span_layer[k] == "mesh":
            mesh.append(k)
            stack.extend(ix.children[k] or ())
        elif span.kind in (PRODUCER, CONSUMER):
            continue
        elif span.kind == SERVER or span.service != ix.spans[c].service:
            servers.append(k)
    return sorted(servers), sorted(mesh)


def _union(ix: TraceIndex, members: list[int]) -> int:
    """Length of the union of the members' intervals.  Not clipped to the client: server and
    client clocks may disagree (skew), and a duration difference is immune to that."""
    intervals = sorted((ix.start[m], ix.end[m]) for m in members)
    total, cur_lo, cur_hi = 0, None, None
    for lo, hi in intervals:
        if hi <= lo:
            continue
        if cur_hi is None or lo > cur_hi:
            if cur_hi is not None and cur_lo is not None:
                total += cur_hi - cur_lo
            cur_lo, cur_hi = lo, hi
        elif hi > cur_hi:
            cur_hi = hi
    if cur_hi is not None and cur_lo is not None:
        total += cur_hi - cur_lo
    return total


def rollup(pairs: list[tuple[str, int]], root_duration_us: int,
           field: str) -> list[dict[str, object]]:
    """Critical time summed per key (layer or service), with shares of the root's duration."""
    totals: dict[str, int] = {}
    for key, crit in pairs:
        if crit:
            totals[key] = totals.get(key, 0) + crit
    rows = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{field: key, "critical_us": crit,
             "share": round(crit / root_duration_us, 6) if root_duration_us else 0.0}
            for key, crit in rows]
