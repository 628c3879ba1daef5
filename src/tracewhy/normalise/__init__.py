"""Turn parsed spans into one repaired, canonical :class:`~tracewhy.model.Trace`.

The steps follow the order Jaeger's adjusters use: unique ids (Zipkin split, dedupe), units
and durations, links (orphans, cycles), missing starts and services, optional skew shift, skew
detection, main root, canonical order.  Each repair is noted in the trace's warnings; every
input span ends up analysed, merged (with a reason) or rejected (with a reason).

Normalising takes ownership of the Span objects it is given and may change them.  Normalising
an already normalised trace's spans changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

from tracewhy.model import DataWarning, MergedSpan, RejectedSpan, SourceInfo, Span, Trace
from tracewhy.normalise.duplicates import resolve_duplicates
from tracewhy.normalise.repairs import Repairs
from tracewhy.normalise.skew import adjust_skew, find_skew
from tracewhy.normalise.times import DEFAULT_MAX_DURATION_US, place_missing_starts, repair_times
from tracewhy.normalise.tree import choose_root, link, name_services


@dataclass(frozen=True)
class NormaliseOptions:
    adjust_skew: bool = False
    max_skew_us: int | None = None  # with adjust_skew: larger shifts are refused (None: any)
    max_duration_us: int = DEFAULT_MAX_DURATION_US


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
    spans.sort(key=attrgetter("span_id"))  # canonical order, before linking by position
    links = link(spans, repairs)
    place_missing_starts(missing_start, links, repairs)
    name_services(links, repairs)
    if options.adjust_skew:
        adjust_skew(links, repairs, options.max_skew_us)
    find_skew(links, repairs)  # last: it reads the spans' final times
    root = choose_root(links, repairs)
    return Trace(
        trace_id=trace_id,
        spans=spans,
        warnings=repairs.warnings(),
        merged=merged,
        rejected=list(notes.rejected),
        input_span_count=input_count,
        root_id=root.span_id if root is not None else None,
        source=source,
        in_id_order=True,
        links=links,
    )


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
