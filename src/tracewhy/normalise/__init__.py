"""Turn parsed spans into one repaired, canonical :class:`~tracewhy.model.Trace`.

The steps follow the order Jaeger's adjusters use: unique ids (Zipkin split, dedupe), units
and durations, links (orphans, cycles), missing starts and services, optional skew shift, skew
detection, main root.  Spans come out in canonical order: by start, then span id.  Each repair
is noted in the trace's warnings; every input span ends up analysed, merged (with a reason) or
rejected (with a reason).

Normalising takes ownership of the Span objects it is given and may change them.  Normalising
an already normalised trace's spans changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count, islice
from operator import attrgetter, eq

from tracewhy.model import (
    DataWarning,
    MergedSpan,
    RejectedSpan,
    SourceInfo,
    Span,
    SpanLinks,
    Trace,
)
from tracewhy.normalise.duplicates import resolve_duplicates
from tracewhy.normalise.repairs import Repairs
from tracewhy.normalise.skew import adjust_skew, find_skew
from tracewhy.normalise.times import DEFAULT_MAX_DURATION_US, place_missing_starts, repair_times
from tracewhy.normalise.tree import choose_root, link, name_services

# A million spans take ~2.6 GB and ~18 s to analyse (benchmarks/README.md); a trace beyond the
# cap is cut to its earliest spans, as Jaeger's max_trace_size does, and says so.
DEFAULT_MAX_SPANS = 2_000_000


@dataclass(frozen=True)
class NormaliseOptions:
    adjust_skew: bool = False
    max_skew_us: int | None = None  # with adjust_skew: larger shifts are refused (None: any)
    max_duration_us: int = DEFAULT_MAX_DURATION_US
    max_spans: int = DEFAULT_MAX_SPANS


@dataclass
class ParseNotes:
    """What the reader found before normalising: counted repairs, rejects, extra warnings."""

    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[RejectedSpan] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)


def normalise(spans: list[Span], trace_id: str, *,
              options: NormaliseOptions | None = None,
              notes: ParseNotes | None = None,
              source: SourceInfo | None = None,
              input_span_count: int | None = None) -> Trace:
    options = options or NormaliseOptions()
    notes = notes or ParseNotes()
    repairs = Repairs()
    _carry_notes(notes, repairs)
    input_count = len(spans) + len(notes.rejected) if input_span_count is None \
        else input_span_count
    merged: list[MergedSpan] = []

    spans = resolve_duplicates(spans, repairs, merged)  # first, so merged pieces are not "repaired"
    missing_start = repair_times(spans, repairs, options.max_duration_us)
    # After both: ids are unique (the cut does not depend on input order) and starts are in µs.
    left_out = _cut_to_earliest(spans, options.max_spans, repairs, bool(missing_start))
    if left_out and missing_start:
        missing_start = [span for span in spans if span.start_us is None]
    services = set(map(_SERVICE, spans))  # before the sort: spans still in memory order
    if missing_start:  # their starts come from the tree: link in id order, then reorder
        spans.sort(key=_SPAN_ID)
        links = link(spans, repairs)
        place_missing_starts(missing_start, links, repairs)
        links = _relinked_in_time_order(spans)
    else:
        _put_in_time_order(spans)
        links = link(spans, repairs)
    name_services(links, repairs, services)
    if options.adjust_skew and adjust_skew(links, repairs, options.max_skew_us):
        links = _relinked_in_time_order(spans)  # shifted spans may have changed places
    find_skew(links, repairs)  # last: it reads the spans' final times
    root = choose_root(links, repairs)
    return Trace(
        trace_id=trace_id,
        spans=spans,
        warnings=repairs.warnings(),
        merged=merged,
        rejected=list(notes.rejected),
        input_span_count=input_count,
        left_out=left_out,
        root_id=root.span_id if root is not None else None,
        source=source,
        links=links,
    )


_SPAN_ID = attrgetter("span_id")
_START = attrgetter("start_us")
_SERVICE = attrgetter("service")


# From this many spans on, numpy sorts the starts: it sorts a million machine ints in ~0.2 s,
# where Python compares a million scattered int objects for ~2 s; below it, importing numpy
# (~0.1 s, which a small trace's run never needs otherwise) costs more than it saves.
NUMPY_SORT_FROM = 300_000


def _cut_to_earliest(spans: list[Span], limit: int, repairs: Repairs,
                     missing_starts: bool) -> int:
    """Keep the ``limit`` earliest-starting spans (ties by their unique ids; no start counts as
    last) and return how many were left out."""
    extra = len(spans) - limit
    if extra <= 0:
        return 0
    if missing_starts:
        spans.sort(key=lambda s: (s.start_us is None, s.start_us or 0, s.span_id))
    else:
        # The canonical order has the same key, and sorts a big trace with numpy; normalise's
        # own sort then finds the spans in order.
        _put_in_time_order(spans)
    del spans[limit:]
    repairs.note("spans-left-out", n=extra)
    return extra


def _put_in_time_order(spans: list[Span], numpy_from: int = NUMPY_SORT_FROM) -> None:
    """The canonical order: by start, then span id (unique by now).  Not input order, so the
    result does not depend on it; not id order alone, which is random in time and in memory:
    in time order a parent's children sit near it, and the passes over a big trace read
    memory in order (a 100k-span deep chain: a third less analysis time)."""
    by_numpy = _by_start_with_numpy(spans) if len(spans) >= numpy_from else None
    if by_numpy is None:
        spans.sort(key=_START)  # ints, and often nearly sorted already: cheap
        starts = list(map(_START, spans))
        # Where neighbours share a start, order them by id (sorting all by id first costs
        # more: a million random strings).  Found in C: positions i with starts[i] ==
        # starts[i + 1].
        tied: Iterable[int] = compress(count(), map(eq, starts, islice(starts, 1, None)))
    else:
        spans[:], tied = by_numpy
    for lo, hi in _runs(tied):
        spans[lo:hi] = sorted(spans[lo:hi], key=_SPAN_ID)


def _by_start_with_numpy(spans: list[Span]) -> tuple[list[Span], list[int]] | None:
    """The spans stably sorted by start, and the positions whose start equals the next one's;
    None when a start is not a 64-bit int (missing, or out of range: the plain sort takes it)."""
    import numpy as np

    try:
        starts = np.fromiter(map(_START, spans), dtype=np.int64, count=len(spans))
    except (OverflowError, TypeError, ValueError):
        return None
    order = np.argsort(starts, kind="stable")
    ordered = starts[order]
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    return list(map(spans.__getitem__, order.tolist())), tied.tolist()


def _runs(tied: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Slices ``[lo, hi)`` of equal neighbours, from the positions that equal the next one."""
    lo = last = -2
    for i in tied:
        if i != last + 1:
            if lo >= 0:
                yield lo, last + 2
            lo = i
        last = i
    if lo >= 0:
        yield lo, last + 2


def _relinked_in_time_order(spans: list[Span]) -> SpanLinks:
    """Reorder spans whose starts changed after linking, and link them again: the repairs
    were noted the first time, and the tree is the same."""
    _put_in_time_order(spans)
    return link(spans, Repairs())


def _carry_notes(notes: ParseNotes, repairs: Repairs) -> None:
    for code, n in notes.counts.items():
        repairs.note(code, n=n)
    for rejected in notes.rejected:
        repairs.note("rejected-span", rejected.span_id)
    for warning in notes.warnings:
        repairs.add_warning(warning)


def renormalise(trace: Trace, options: NormaliseOptions | None = None) -> Trace:
    """Normalise a trace's spans again (used by tests of idempotence)."""
    return normalise(list(trace.spans), trace.trace_id, options=options, source=trace.source)


__all__ = ["NormaliseOptions", "ParseNotes", "normalise", "renormalise"]
