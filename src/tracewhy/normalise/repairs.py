"""Collects what the normaliser repaired, and turns it into one warning per kind of repair.

Every code a user can meet is listed in ``CATALOGUE`` (README documents the same table), so a
repair cannot be made without a message that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracewhy.model import DataWarning

MAX_IDS_PER_WARNING = 1000

# code -> (severity, message template; {n} is the number of occurrences)
CATALOGUE: dict[str, tuple[str, str]] = {
    "orphan-span": ("warning", "{n} span(s) reference a parent that is not in the trace; each is "
                    "analysed as the root of its own subtree (incomplete trace?)"),
    "multiple-roots": ("warning", "{n} spans have no parent; the earliest is the main root and the "
                       "others are analysed as separate trees (several traces sharing one id?)"),
    "no-root": ("warning", "no span is a root (every span names a parent); the earliest orphan "
                "stands in as the main root"),
    "self-parent": ("warning", "{n} span(s) named themselves as parent; the reference was dropped"),
    "cycle-broken": ("warning", "{n} parent cycle(s) broken at the earliest-starting span of each "
                     "cycle, which became a root"),
    "duplicate-identical": ("info", "{n} identical duplicate span(s) removed"),
    "duplicate-merged": ("warning", "{n} span(s) sent in pieces under one id were merged"),
    "duplicate-conflict": ("warning", "{n} different span(s) share an id with another span; they "
                           "were kept apart as <id>#2, #3..."),
    "ambiguous-parent": ("warning", "{n} span(s) name a parent id that several spans share; each "
                         "was attached to the first of them"),
    "shared-span-split": ("info", "{n} Zipkin server span(s) shared their id with the client span; "
                          "each server half got its own id under the client, as Jaeger does"),
    "missing-start": ("warning", "{n} span(s) had no start time; placed at their parent's start"),
    "missing-duration": ("warning", "{n} span(s) had no duration; analysed as 0 µs"),
    "negative-duration": ("warning", "{n} span(s) ended before they started; duration set to 0"),
    "zero-duration": ("info", "{n} span(s) have a zero duration"),
    "implausible-duration": ("warning", "{n} span(s) last longer than the plausibility limit"),
    "time-out-of-range": ("warning", "{n} time(s) lay outside years 1 to 9999 (corrupt values); "
                          "a start was treated as missing, a duration as 0, an event placed at "
                          "its span's start"),
    "timestamps-ms": ("warning", "{n} span(s) had times in milliseconds where microseconds were "
                      "expected (judged by magnitude); converted"),
    "timestamps-ns": ("warning", "{n} span(s) had times in nanoseconds where microseconds were "
                      "expected (judged by magnitude); converted"),
    "missing-service": ("warning", "{n} span(s) have no service name; shown as unknown-service or "
                        "named after the caller's peer.service"),
    "clock-skew": ("warning", "{n} span(s) start before their parent (clock skew between hosts); "
                   "the critical path clamps them to the parent (--adjust-skew shifts them)"),
    "child-outlives-parent": ("warning", "{n} span(s) end after their parent (work the parent did "
                              "not wait for, or clock skew); the critical path cuts them at the "
                              "parent's end"),
    "skew-adjusted": ("warning", "{n} span(s) were shifted by --adjust-skew to fit their parent; "
                      "the JSON lists each shift (skew_shifts)"),
    "skew-not-adjusted": ("warning", "{n} span(s) needed a shift larger than --max-skew and were "
                          "left as recorded"),
    "spans-left-out": ("warning", "the trace is larger than --max-spans: {n} span(s) that "
                       "started last were left out, and the analysis covers the rest"),
    "rejected-span": ("warning", "{n} span(s) could not be used and were rejected "
                      "(see 'rejected')"),
    "other-traces": ("info", "the input holds {n} other trace(s); analysed only the one selected "
                     "(use --trace-id to pick another)"),
    "input-level-notes": ("info", "the input holds several traces; rejects and repairs counted "
                          "while reading it are for the whole input"),
    "mixed-id-width": ("warning", "{n} span(s) used a 64-bit form of this 128-bit trace id"),
    "id-base64": ("warning", "{n} id(s) were base64 (protobuf-JSON encoding); converted to hex"),
    "numeric-id": ("warning", "{n} id(s) were JSON numbers, not strings; read as the number "
                   "written in hex"),
    "invalid-utf8": ("warning", "{n} byte sequence(s) were not valid UTF-8; replaced with U+FFFD"),
    "lone-surrogate": ("warning", "{n} string(s) held lone UTF-16 surrogates; replaced"),
    "non-finite-number": ("warning", "{n} NaN/Infinity value(s) in the input were read as missing"),
    "unreadable-value": ("warning", "{n} attribute value(s) could not be read as their declared "
                         "type (an intValue of \"abc\", a doubleValue beyond any float) and were "
                         "read as missing"),
    "huge-number": ("warning", "{n} integer(s) longer than 4300 digits were read as missing"),
    "deep-nesting": ("warning", "{n} attribute value(s) nested deeper than 32 levels were cut"),
    "zero-trace-reference": ("warning", "{n} reference(s) with an all-zero trace id were dropped"),
    "backend-warning": ("warning", "the backend attached warnings to this trace"),
}


@dataclass
class Repairs:
    """Accumulates (code -> span ids, count) while normalising."""

    span_ids: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    extra: list[DataWarning] = field(default_factory=list)

    def note(self, code: str, span_id: str | None = None, n: int = 1) -> None:
        self.counts[code] = self.counts.get(code, 0) + n
        if span_id is not None:
            self.span_ids.setdefault(code, []).append(span_id)

    def add_warning(self, warning: DataWarning) -> None:
        self.extra.append(warning)

    def has(self, code: str) -> bool:
        return code in self.counts

    def warnings(self) -> list[DataWarning]:
        out = list(self.extra)
        for code in sorted(self.counts):
            severity, template = CATALOGUE[code]
            n = self.counts[code]
            ids = sorted(set(self.span_ids.get(code, ())))
            message = template.format(n=n)
            if len(ids) > MAX_IDS_PER_WARNING:
                message += f" (first {MAX_IDS_PER_WARNING} of {len(ids)} span ids listed)"
                ids = ids[:MAX_IDS_PER_WARNING]
            out.append(DataWarning(code, message, tuple(ids), severity))
        return out
