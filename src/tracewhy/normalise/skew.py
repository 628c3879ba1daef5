"""Clock skew: always detected and reported; shifted only when the user asks (--adjust-skew).

Detection looks at awaited children (see ``model.awaited``) that start before their parent or
end after it.  The adjustment follows Jaeger's query-side adjuster: spans on the same host share
one offset; on a host change the child is re-centred inside its (already adjusted) parent,
assuming equal network time each way; a child longer than its parent is only moved so it does
not start first.  Unlike Jaeger's OTLP adjuster before #8170, start and end move together.
"""

from __future__ import annotations

from typing import Any

from tracewhy.model import Span, SpanLinks
from tracewhy.normalise.repairs import Repairs


def host_of(span: Span) -> str:
    resource: dict[str, Any] = span.resource
    for key in ("host.id", "host.ip", "host.name", "ip", "hostname"):
        value = resource.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value)
    return ""


def find_skew(links: SpanLinks, repairs: Repairs) -> None:
    spans, parent, is_awaited = links.spans, links.parent, links.awaited
    start, end = links.start, links.end
    for i, p in enumerate(parent):
        if p < 0 or not is_awaited[i]:
            continue
        if start[i] < start[p]:
            repairs.note("clock-skew", spans[i].span_id)
        elif end[i] > end[p]:
            repairs.note("child-outlives-parent", spans[i].span_id)


def adjust_skew(links: SpanLinks, repairs: Repairs, max_shift_us: int | None) -> bool:
    """Shift skewed subtrees (Jaeger's adjuster); True when any span moved."""
    moved = False
    spans, parent, is_awaited = links.spans, links.parent, links.awaited
    carried: dict[int, tuple[int, str]] = {}  # span index -> (delta applied, host)
    for i in links.order:
        span, p = spans[i], parent[i]
        if p < 0:
            carried[i] = (0, host_of(span))
            continue
        parent_delta, parent_host = carried[p]
        host = host_of(span)
        if host and host == parent_host:  # one clock: one offset
            delta = parent_delta
        elif is_awaited[i]:
            delta = _skew(span, spans[p])
        else:  # async work may rightly run after its parent ended: its times prove no skew
            delta = 0
        if delta and max_shift_us is not None and abs(delta) > max_shift_us:
            repairs.note("skew-not-adjusted", span.span_id)
            delta = 0
        if delta:
            _shift(span, delta)
            repairs.note("skew-adjusted", span.span_id)
            moved = True
        carried[i] = (delta, host)
    return moved


def _skew(child: Span, parent: Span) -> int:
    c_start, c_dur = child.start_us or 0, child.duration_us or 0
    p_start, p_dur = parent.start_us or 0, parent.duration_us or 0
    if c_dur > p_dur:
        return max(0, p_start - c_start)
    if p_start <= c_start and c_start + c_dur <= p_start + p_dur:
        return 0
    return p_start + (p_dur - c_dur) // 2 - c_start


def _shift(span: Span, delta: int) -> None:
    span.start_us = (span.start_us or 0) + delta
    span.skew_shift_us += delta
    for event in span.events:
        event.time_us += delta
