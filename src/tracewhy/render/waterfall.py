"""The waterfall (timeline) rows: which spans to draw, in tree order, and the folds.

A trace of up to ``MAX_ROWS`` spans is drawn whole.  A bigger one keeps, in this order, the
root, the evidence spans, failed spans, the critical path (most critical time first), the spans
of the top critical hops and then the shallowest spans, each with a few levels of ancestors
(drawn under its nearest drawn ancestor), up to ``MAX_ROWS``; every other span
is counted into one aggregate row per (service, operation), so a 100k-span trace stays a few
hundred rows; an aggregate row's faint bar spans the operation's calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress, islice
from operator import attrgetter

from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.hops import Hop
from tracewhy.render.context_types import Segment, Tick, Waterfall, WaterfallRow
from tracewhy.render.format import duration
from tracewhy.render.texts import Texts, css_layer, shorten

MAX_ROWS = 600
MAX_FOLD_ROWS = 60
MAX_FAILED = 100
_SPAN = attrgetter("span")
ANCESTORS = 8  # levels of ancestors drawn with a chosen span
TOP_HOPS = 8
PER_HOP = 25
WIDTH, BAR_LEFT, BAR_RIGHT, ROW_H, TOP = 1200, 400, 1120, 18, 24
MIN_W = 0.6  # narrowest bar drawn, so a 1 µs span is still visible
Fold = tuple[int, int, int]  # spans folded, their summed duration, how many failed


def build_waterfall(analysis: Analysis, texts: Texts, evidence: Iterable[int]) -> Waterfall:
    ix = analysis.index
    n = len(ix)
    if n == 0:
        return Waterfall(WIDTH, TOP + ROW_H, BAR_LEFT, [], [], "no spans")
    shown = list(range(n)) if n <= MAX_ROWS else _choose(analysis, evidence)
    order, depth = _tree_order(analysis, shown)
    t0, t1 = _window(analysis)
    scale = (BAR_RIGHT - BAR_LEFT) / max(t1 - t0, 1)
    crit = _critical_segments(analysis, set(order), t0, scale)
    layers = {h.key: css_layer(h.layer) for h in analysis.hops}
    rows = [_span_row(analysis, texts, i, k, depth[i], t0, scale, crit.get(i, []), layers)
            for k, i in enumerate(order)]
    if len(order) < n:
        rows += _fold_rows(texts, _fold_groups(analysis, order), len(rows), layers, t0, scale)
    note = f"all {n:,} spans drawn" if len(order) == n else \
        f"{len(order):,} of {n:,} spans drawn; the other {n - len(order):,} are folded by operation"
    return Waterfall(WIDTH, TOP + ROW_H * len(rows) + 6, BAR_LEFT, rows, _ticks(t0, t1), note)


def _choose(analysis: Analysis, evidence: Iterable[int]) -> list[int]:
    """Spans to draw in full, most important first, with their ancestors, up to MAX_ROWS.

    Only C-speed passes over all spans (``compress``, ``sorted`` with a C key): this runs on
    100k-span traces within the render budget."""
    ix = analysis.index
    n = len(ix)
    picked: dict[int, None] = {}
    on_path = sorted(compress(range(n), analysis.critical_us),
                     key=analysis.critical_us.__getitem__, reverse=True)
    failed = list(islice(compress(range(n), analysis.error), MAX_FAILED))
    top = [i for h in analysis.hops[:TOP_HOPS] for i in h.critical_spans[:PER_HOP]]
    groups = ([ix.root], list(evidence), failed, top, on_path, ix.order)
    for group in groups:  # ix.order last: fill what is left with the shallowest spans
        for i in group:
            if i < 0 or i in picked:
                continue
            chain = _with_ancestors(ix.parent, i, picked)
            if len(picked) + len(chain) <= MAX_ROWS:
                picked.update(dict.fromkeys(chain))
            if len(picked) >= MAX_ROWS:
                return list(picked)
    return list(picked)


def _window(analysis: Analysis) -> tuple[int, int]:
    """The time axis: the main root's interval (the request analysed), else the whole trace."""
    ix = analysis.index
    if ix.root >= 0 and ix.end[ix.root] > ix.start[ix.root]:
        return ix.start[ix.root], ix.end[ix.root]
    return min(ix.start), max(ix.end)


def _with_ancestors(parent: list[int], i: int, picked: dict[int, None]) -> list[int]:
    """``i`` and its nearest ancestors not yet picked, a few levels up (deep chains would
    otherwise cost a walk to the root per span)."""
    chain = [i]
    p = parent[i]
    while p >= 0 and p not in picked and len(chain) <= ANCESTORS:
        chain.append(p)
        p = parent[p]
    return chain


def _tree_order(analysis: Analysis, shown: list[int]) -> tuple[list[int], dict[int, int]]:
    """Shown spans depth-first (children by start time), each under its nearest shown ancestor."""
    ix = analysis.index
    shown_set = set(shown)
    nearest: dict[int, int] = {}  # span -> its nearest shown ancestor (memoised walk)
    kids: dict[int, list[int]] = {}
    for i in shown:
        kids.setdefault(_shown_ancestor(ix.parent, i, shown_set, nearest), []).append(i)
    for group in kids.values():
        group.sort(key=lambda i: (ix.start[i], i))
    order: list[int] = []
    depth: dict[int, int] = {}
    stack = [(i, 0) for i in reversed(kids.get(-1, []))]
    while stack:
        i, d = stack.pop()
        order.append(i)
        depth[i] = d
        stack.extend((c, d + 1) for c in reversed(kids.get(i, [])))
    return order, depth


def _shown_ancestor(parent: list[int], i: int, shown: set[int], memo: dict[int, int]) -> int:
    path = []
    p = parent[i]
    while p >= 0 and p not in shown and p not in memo:
        path.append(p)
        p = parent[p]
    if p >= 0 and p not in shown:
        p = memo[p]
    for q in path:
        memo[q] = p
    return p


def _critical_segments(analysis: Analysis, shown: set[int], t0: int,
                       scale: float) -> dict[int, list[Segment]]:
    """Critical sections per shown span, touching ones merged, in viewBox units."""
    spans: dict[int, list[list[float]]] = {}
    owners = map(_SPAN, analysis.sections)
    for s in compress(analysis.sections, map(shown.__contains__, owners)):  # C-speed filter
        x0 = BAR_LEFT + (s.start_us - t0) * scale
        x1 = BAR_LEFT + (s.end_us - t0) * scale
        parts = spans.setdefault(s.span, [])
        if parts and x0 - parts[-1][1] < MIN_W:
            parts[-1][1] = max(parts[-1][1], x1)
        else:
            parts.append([x0, x1])
    return {i: [Segment(round(a, 2), round(max(b - a, MIN_W), 2)) for a, b in parts]
            for i, parts in spans.items()}


def _span_row(analysis: Analysis, texts: Texts, i: int, k: int, depth: int, t0: int,
              scale: float, crit: list[Segment],
              layers: dict[tuple[str, str], str]) -> WaterfallRow:
    ix = analysis.index
    span = ix.spans[i]
    start, end = ix.start[i], ix.end[i]
    service, operation = texts.text(span.service, 120), texts.text(span.name, 200)
    indent = 6 + min(depth, 20) * 8
    label = shorten(f"{service}: {operation}", int((BAR_LEFT - indent - 8) / 6.4))
    took = duration(end - start)
    outside = start < t0 or end > t0 + round((BAR_RIGHT - BAR_LEFT) / scale)
    flags = (" · error" if analysis.error[i] else "") + \
        (f" · critical {duration(analysis.critical_us[i])}" if analysis.critical_us[i] else "")
    flags += " · outside the root's time window (bar clipped)" if outside else ""
    title = f"{service}: {operation} · {took} from {_offset(start - t0)}{flags}"
    bar = _clip(start, end, t0, scale)
    return WaterfallRow(TOP + k * ROW_H, indent, label, title, bar, crit, took,
                        layers.get((span.service, span.name), "unknown"), analysis.error[i],
                        False, outside, texts.index_anchor(i))


def _fold_rows(texts: Texts, groups: list[tuple[Hop, Fold]], first: int,
               layers: dict[tuple[str, str], str], t0: int, scale: float) -> list[WaterfallRow]:
    """A row per operation with folded spans; its faint bar runs from the operation's first
    span to its last (from the roll-up: free, where the folded spans' own extent would take a
    pass over them all), so the row shows where in the request those calls ran."""
    rows = []
    for k, (hop, (count, total, errors)) in enumerate(groups[:MAX_FOLD_ROWS]):
        service, operation = texts.text(hop.service, 120), texts.text(hop.operation, 200)
        label = shorten(f"+ {count:,} × {service}: {operation}", int((BAR_LEFT - 14) / 6.4))
        title = f"{count:,} spans of {service}: {operation} folded: {duration(total)} in all, " \
                f"{errors:,} failed; its {hop.calls:,} calls run from " \
                f"{_offset(hop.first_us - t0)} to {_offset(hop.last_us - t0)}"
        rows.append(WaterfallRow(TOP + (first + k) * ROW_H, 6, label, title,
                                 _clip(hop.first_us, hop.last_us, t0, scale), [],
                                 f"Σ {duration(total)}", layers.get(hop.key, "unknown"),
                                 errors > 0, True, False, ""))
    rest = groups[MAX_FOLD_ROWS:]
    if rest:
        count = sum(g[0] for _, g in rest)
        label = f"+ {count:,} spans of {len(rest):,} more operations folded"
        rows.append(WaterfallRow(TOP + (first + len(rows)) * ROW_H, 6, label, label,
                                 Segment(BAR_LEFT, 0), [], "", "unknown", False, True, False, ""))
    return rows


def _clip(start: int, end: int, t0: int, scale: float) -> Segment:
    """The bar of [start, end] in viewBox units, clipped to the time window."""
    x0 = min(max(BAR_LEFT + (start - t0) * scale, BAR_LEFT), BAR_RIGHT)
    x1 = min(max(BAR_LEFT + (end - t0) * scale, BAR_LEFT), BAR_RIGHT)
    return Segment(round(min(x0, BAR_RIGHT - MIN_W), 2), round(max(x1 - x0, MIN_W), 2))


def _offset(us: int) -> str:
    return f"+{duration(us)}" if us >= 0 else f"{duration(us)}"


def _fold_groups(analysis: Analysis, shown: list[int]) -> list[tuple[Hop, Fold]]:
    """Per hop, its spans not drawn: (count, summed duration, failed), most spans first.

    The hop roll-ups already count every span, so only the drawn ones are subtracted."""
    ix = analysis.index
    drawn: dict[tuple[str, str], list[int]] = {}
    for i in shown:
        span = ix.spans[i]
        row = drawn.setdefault((span.service, span.name), [0, 0, 0])
        row[0] += 1
        row[1] += ix.end[i] - ix.start[i]
        row[2] += analysis.error[i]
    folds = []
    for hop in analysis.hops:
        count, total, errors = drawn.get(hop.key, (0, 0, 0))
        if hop.calls > count:
            folds.append((hop, (hop.calls - count, hop.total_us - total, hop.errors - errors)))
    return sorted(folds, key=lambda f: (-f[1][0], f[0].service, f[0].operation))


def _ticks(t0: int, t1: int, count: int = 5) -> list[Tick]:
    span = max(t1 - t0, 1)
    scale = (BAR_RIGHT - BAR_LEFT) / span
    return [Tick(round(BAR_LEFT + span * k / count * scale, 2), duration(span * k / count))
            for k in range(count + 1)]
