"""Time repairs that need no tree: units judged by magnitude, and bad durations.

All formats declare microseconds once parsed.  A start time whose magnitude only makes sense as
milliseconds (or nanoseconds) since the epoch, for a date between 2000 and 2100, is converted
together with the span's duration and event times.  Small times (hand-made traces counting
from 0) are left alone: they fit no epoch unit.
"""

from __future__ import annotations

from tracewhy.model import Span, SpanLinks
from tracewhy.normalise.repairs import Repairs
from tracewhy.units import DATE_RANGE_US, YEAR_2000_S

_YEAR_2100_S = 4_102_444_800
MS_RANGE = (YEAR_2000_S * 10**3, _YEAR_2100_S * 10**3)
NS_RANGE = (YEAR_2000_S * 10**9, _YEAR_2100_S * 10**9)
DEFAULT_MAX_DURATION_US = 7 * 24 * 3600 * 10**6
# A time outside years 1 to 9999 (DATE_RANGE_US), or a duration longer than those years, is a
# corrupt or hostile value: no clock wrote it, and no date shows it.
_LONGEST_US = DATE_RANGE_US[1] - DATE_RANGE_US[0]


def repair_times(spans: list[Span], repairs: Repairs,
                 max_duration_us: int = DEFAULT_MAX_DURATION_US) -> list[Span]:
    """Fix units and durations in place; return the spans whose start is missing.

    A start of 0 means "missing" (Zipkin's and Jaeger UI's rule) only in traces that use epoch
    times; hand-made traces that count from 0 keep it.
    """
    missing_start = []
    epoch_times = any((span.start_us or 0) > YEAR_2000_S for span in spans)
    for span in spans:
        start = span.start_us
        if start is None or (start == 0 and epoch_times):
            span.start_us = None
            missing_start.append(span)
        elif MS_RANGE[0] <= start <= MS_RANGE[1]:
            _rescale(span, 1000, 1)
            repairs.note("timestamps-ms", span.span_id)
        elif NS_RANGE[0] <= start <= NS_RANGE[1]:
            _rescale(span, 1, 1000)
            repairs.note("timestamps-ns", span.span_id)
        elif not DATE_RANGE_US[0] <= start <= DATE_RANGE_US[1]:
            span.start_us = None
            missing_start.append(span)
            repairs.note("time-out-of-range", span.span_id)
        if span.events:
            _events_in_range(span, repairs)
        duration = span.duration_us
        if duration is None:
            span.duration_us = 0
            repairs.note("missing-duration", span.span_id)
        elif duration < 0:
            span.duration_us = 0
            repairs.note("negative-duration", span.span_id)
        elif duration == 0:
            repairs.note("zero-duration", span.span_id)
        elif duration > _LONGEST_US:
            span.duration_us = 0
            repairs.note("time-out-of-range", span.span_id)
        elif duration > max_duration_us:
            repairs.note("implausible-duration", span.span_id)
    return missing_start


def _rescale(span: Span, multiply: int, divide: int) -> None:
    span.start_us = (span.start_us or 0) * multiply // divide
    if span.duration_us is not None:
        span.duration_us = span.duration_us * multiply // divide
    for event in span.events:
        if event.time_us:
            event.time_us = event.time_us * multiply // divide


def _events_in_range(span: Span, repairs: Repairs) -> None:
    """An event at an impossible time is kept, at its span's start (or 0 when that is
    missing too)."""
    lo, hi = DATE_RANGE_US
    for event in span.events:
        if not lo <= event.time_us <= hi:
            event.time_us = span.start_us or 0
            repairs.note("time-out-of-range", span.span_id)


def place_missing_starts(missing: list[Span], links: SpanLinks, repairs: Repairs) -> None:
    """Give spans without a start time their parent's start (parents first, so chains work)."""
    if not missing:
        return
    spans, parent = links.spans, links.parent
    missing_ids = {id(span) for span in missing}
    children_start: dict[int, int] = {}  # parent index -> its earliest child's start
    for i in links.order:
        start, p = spans[i].start_us, parent[i]
        if p >= 0 and start is not None:
            prev = children_start.get(p)
            if prev is None or start < prev:
                children_start[p] = start
    for i in links.order:  # top-down, so a parent is placed before its children
        span = spans[i]
        if id(span) not in missing_ids:
            continue
        caller = spans[parent[i]] if parent[i] >= 0 else None
        if caller is not None and caller.start_us is not None:
            span.start_us = caller.start_us
        else:
            span.start_us = children_start.get(i, 0)
        repairs.note("missing-start", span.span_id)
