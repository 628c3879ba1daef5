"""Which spans the report lists in full, and their details (attributes, events, status).

The evidence spans come first, then failed spans, then the critical path (most critical time
first), up to ``MAX_DETAILS``: enough to follow every link in the report, few enough that a
100k-span trace's report stays small.  Attribute values are redacted by key and by shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain, compress, islice

from tracewhy.analysis.analyze import Analysis
from tracewhy.model import Span
from tracewhy.render.context_types import KeyValue, SpanDetail, SpanEvent, SpanRef
from tracewhy.render.format import duration
from tracewhy.render.texts import Texts, anchor

MAX_DETAILS = 300
MAX_ERRORS = 100
MAX_ATTRIBUTES = 60
MAX_EVENTS = 30


def choose_details(analysis: Analysis, evidence: Iterable[int]) -> list[int]:
    """Span indexes to list in full, in time order."""
    ix = analysis.index
    chosen: dict[int, None] = dict.fromkeys(i for i in [ix.root, *evidence] if i >= 0)
    n = len(ix)
    failed = islice(compress(range(n), analysis.error), MAX_ERRORS)
    crit = sorted(compress(range(n), analysis.critical_us), key=analysis.critical_us.__getitem__,
                  reverse=True)
    for i in chain(failed, crit):
        if len(chosen) >= MAX_DETAILS:
            break
        chosen[i] = None
    return sorted(chosen, key=lambda i: (ix.start[i], i))


def span_detail(analysis: Analysis, texts: Texts, i: int, t0: int,
                evidence: set[int]) -> SpanDetail:
    ix = analysis.index
    span = ix.spans[i]
    p = ix.parent[i]
    parent = SpanRef(texts.text(ix.spans[p].display_id, 80), texts.index_anchor(p)) if p >= 0 \
        else SpanRef("", "")
    crit = analysis.critical_us[i]
    return SpanDetail(
        anchor(i), texts.text(span.display_id, 80), texts.text(span.service, 200),
        texts.text(span.name, 300), texts.text(span.kind, 20), f"+{duration(ix.start[i] - t0)}",
        duration(ix.end[i] - ix.start[i]), duration(crit) if crit else "",
        texts.text(span.status, 20), texts.text(span.status_message, 1000), analysis.error[i],
        _reasons(analysis, i, evidence), parent, _attributes(texts, span.attributes),
        _attributes(texts, span.resource), _events(texts, span, t0))


def _reasons(analysis: Analysis, i: int, evidence: set[int]) -> str:
    flags = [(i == analysis.index.root, "root"), (i in evidence, "evidence"),
             (analysis.error[i], "failed"), (analysis.critical_us[i] > 0, "on the critical path")]
    return ", ".join(name for on, name in flags if on)


def _attributes(texts: Texts, attributes: dict[str, object]) -> list[KeyValue]:
    items = sorted(attributes.items(), key=lambda kv: str(kv[0]))[:MAX_ATTRIBUTES]
    return [KeyValue(texts.text(k, 120), texts.attr(str(k), v)) for k, v in items]


def _events(texts: Texts, span: Span, t0: int) -> list[SpanEvent]:
    return [SpanEvent(f"+{duration(e.time_us - t0)}", texts.text(e.name, 200),
                      _attributes(texts, e.attributes))
            for e in sorted(span.events, key=lambda e: e.time_us)[:MAX_EVENTS]]
