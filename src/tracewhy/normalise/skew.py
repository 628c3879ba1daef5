"""Clock skew: always detected and reported; shifted only when the user asks (--adjust-skew).

Detection looks at awaited children (see ``model.awaited``) that start before their parent or
end after it.  The adjustment follows Jaeger's query-side adjuster: spans on the same host share
one offset; on a host change the child is re-centred inside its (already adjusted) parent,
assuming equal network time each way; a child longer than its parent is only moved so it does
not start first.  Unlike Jaeger's OTLP adjuster before #8170, start and end move together.
"""

from __future__ import annotations

from typing import Any

from tracewhy.model import CHILD_OF, CONSUMER, Span, awaited
from tracewhy.normalise.repairs import Repairs
from tracewhy.normalise.tree import Forest


def host_of(span: Span) -> str:
    resource: dict[str, Any] = span.resource
    for key in ("host.id", "host.ip", "host.name", "ip", "hostname"):
        value = resource.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value)
    return ""


def find_skew(forest: Forest, repairs: Repairs) -> None:
    by_id = forest.by_id
    for span in forest.order:
        if span.parent_id is None:
            continue
        parent = by_id[span.parent_id]
        # awaited() is only ever False for these two cases; skip the call for the rest
        if (span.parent_ref != CHILD_OF or span.kind == CONSUMER) and not awaited(parent, span):
            continue
        start, parent_start = span.start_us or 0, parent.start_us or 0
        if start < parent_start:
            repairs.note("clock-skew", span.span_id)
        elif start + (span.duration_us or 0) > parent_start + (parent.duration_us or 0):
            repairs.note("child-outlives-parent", span.span_id)


def adjust_skew(forest: Forest, repairs: Repairs, max_shift_us: int | None) -> None:
    by_id = forest.by_id
    carried: dict[str, tuple[int, str]] = {}  # span id -> (delta applied, host)
    for span in forest.order:
        if span.parent_id is None:
            carried[span.span_id] = (0, host_of(span))
            continue
        parent = by_id[span.parent_id]
        parent_delta, parent_host = carried[parent.span_id]
        host = host_of(span)
        if host and host == parent_host:  # one clock: one offset
            delta = parent_delta
        elif awaited(parent, span):
            delta = _skew(span, parent)
        else:  # async work may rightly run after its parent ended: its times prove no skew
            delta = 0
        if delta and max_shift_us is not None and abs(delta) > max_shift_us:
            repairs.note("skew-not-adjusted", span.span_id)
            delta = 0
        if delta:
            _shift(span, delta)
            repairs.note("skew-adjusted", span.span_id)
        carried[span.span_id] = (delta, host)


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
