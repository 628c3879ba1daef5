"""Invariants of normalise + analyse on random span forests with the damage real traces carry.

A forest is drawn, then mutated the ways ROBUSTNESS.md §A lists (a dropped parent, a cycle, a
self-parent, duplicate ids, a Zipkin shared client/server id, ms units, bad durations and
starts).  Whatever comes out, every input span is accounted for, the result does not depend on
input order, normalising again changes nothing, the critical path tiles the main root, and
self and critical times stay within each span.

normalise() takes ownership of the spans it is given and changes them, so every call here gets
its own deep copy.
"""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from tests.fixtures.formats import EPOCH_US, to_jaeger, to_otlp, to_zipkin
from tracewhy.analysis.analyze import Analysis, analyze
from tracewhy.model import (
    CLIENT,
    CONSUMER,
    FOLLOWS_FROM,
    INTERNAL,
    PRODUCER,
    SERVER,
    STATUS_ERROR,
    UNSPECIFIED,
    Event,
    Span,
    Trace,
)
from tracewhy.normalise import NormaliseOptions, _put_in_time_order, normalise, renormalise
from tracewhy.render.json import render_json
from tracewhy.sources import parse_bytes, select_trace

TRACE_ID = "5b8efff798038103d269b633813fc60c"
# TRACEWHY_PROPERTY_EXAMPLES=5000 for a long hunt; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("TRACEWHY_PROPERTY_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SERVICES = ("frontend", "cart", "db")
KINDS = (SERVER, CLIENT, INTERNAL, PRODUCER, CONSUMER, UNSPECIFIED)


# -- strategies ---------------------------------------------------------------------------

# Small ids have leading zeros once padded to 16 hex digits: the form readers must canonicalise.
span_ids = st.one_of(st.integers(1, 0xFFFFF), st.integers(1, 2**64 - 1))


@st.composite
def forests(draw: st.DrawFn, max_spans: int = 14) -> list[Span]:
    """A well-formed forest: each span under an earlier one, mostly inside its parent."""
    n = draw(st.integers(1, max_spans))
    ids = [f"{i:016x}" for i in draw(st.lists(span_ids, min_size=n, max_size=n, unique=True))]
    spans: list[Span] = []
    for i, sid in enumerate(ids):
        rooted = i == 0 or draw(st.integers(0, 9)) == 0
        parent = None if rooted else spans[draw(st.integers(0, i - 1))]
        if parent is None:
            start = EPOCH_US + draw(st.integers(0, 5_000))
            duration = draw(st.integers(0, 10_000))
        else:
            p_start, p_dur = parent.start_us or 0, parent.duration_us or 0
            start = p_start + draw(st.integers(-200, p_dur + 200))  # a little skew both ways
            duration = draw(st.integers(0, max(p_dur, 1) + 300))
        service = draw(st.sampled_from(SERVICES))
        spans.append(Span(
            trace_id=TRACE_ID, span_id=sid, parent_id=parent.span_id if parent else None,
            service=service, resource={"service.name": service, "host.name": f"{service}-1"},
            name=draw(st.sampled_from(("a", "b", "c"))),
            kind=draw(st.sampled_from(KINDS)), start_us=start, duration_us=duration,
            status=STATUS_ERROR if draw(st.integers(0, 7)) == 0 else "unset",
            parent_ref=FOLLOWS_FROM if parent and draw(st.integers(0, 9)) == 0 else "child_of",
            attributes={"n": i}))
    return spans


def _children_of(spans: list[Span], span: Span) -> list[Span]:
    return [s for s in spans if s.parent_id == span.span_id]


def _drop_parent(spans: list[Span], rnd: random.Random) -> None:
    parents = [s for s in spans if _children_of(spans, s)]
    if parents:
        spans.remove(rnd.choice(parents))


def _self_parent(spans: list[Span], rnd: random.Random) -> None:
    victim = rnd.choice(spans)
    victim.parent_id = victim.span_id


def _cycle(spans: list[Span], rnd: random.Random) -> None:
    """Point a span at one of its descendants (or at a child of its own: a 2-cycle)."""
    top = rnd.choice(spans)
    below = [top]
    frontier = [top]
    while frontier:  # an earlier mutation may have made a cycle already: visit each span once
        frontier = [c for s in frontier for c in _children_of(spans, s) if c not in below]
        below += frontier
    if len(below) > 1:
        top.parent_id = rnd.choice(below[1:]).span_id


def _duplicate_identical(spans: list[Span], rnd: random.Random) -> None:
    spans.append(copy.deepcopy(rnd.choice(spans)))


def _duplicate_conflict(spans: list[Span], rnd: random.Random) -> None:
    original = rnd.choice(spans)
    spans.append(replace(copy.deepcopy(original), name=original.name + "-other",
                         duration_us=(original.duration_us or 0) + 7))


def _duplicate_other_host(spans: list[Span], rnd: random.Random) -> None:
    """The same id reported from another host, differing only where a careless sort key would
    not look (resource, status, events): a different span, kept apart, whatever the order."""
    original = rnd.choice(spans)
    spans.append(replace(copy.deepcopy(original), resource={"host.name": "replica-2"},

                         status=STATUS_ERROR, events=(Event(original.start_us or 0, "retry"),)))


def _duplicate_piece(spans: list[Span], rnd: random.Random) -> None:
    """A late piece: the id, service and name, nothing else (Zipkin instrumentation does this)."""
    original = rnd.choice(spans)
    spans.append(Span(trace_id=original.trace_id, span_id=original.span_id, parent_id=None,
                      service=original.service, name=original.name, start_us=None,
                      duration_us=None, attributes={"late": True}))


def _zipkin_shared(spans: list[Span], rnd: random.Random) -> None:
    """Make a parent and one child the client and server halves of one span id."""
    pairs = [(s, c) for s in spans for c in _children_of(spans, s) if c.parent_ref != FOLLOWS_FROM]
    if not pairs:
        return
    client, server = rnd.choice(pairs)
    client.kind, server.kind, server.shared = CLIENT, SERVER, True
    for child in _children_of(spans, server):
        child.parent_id = client.span_id
    server.span_id, server.parent_id = client.span_id, client.parent_id


def _milliseconds(spans: list[Span], rnd: random.Random) -> None:
    victim = rnd.choice(spans)
    if victim.start_us:
        victim.start_us //= 1000
        victim.duration_us = (victim.duration_us or 0) // 1000


def _negative_duration(spans: list[Span], rnd: random.Random) -> None:
    rnd.choice(spans).duration_us = -rnd.randint(1, 5_000)


def _missing_duration(spans: list[Span], rnd: random.Random) -> None:
    rnd.choice(spans).duration_us = None


def _missing_start(spans: list[Span], rnd: random.Random) -> None:
    rnd.choice(spans).start_us = rnd.choice((None, 0))


MUTATIONS = [_drop_parent, _self_parent, _cycle, _duplicate_identical, _duplicate_conflict,
             _duplicate_other_host, _duplicate_piece, _zipkin_shared, _milliseconds,
             _negative_duration, _missing_duration, _missing_start]


@st.composite
def damaged_forests(draw: st.DrawFn) -> list[Span]:
    spans = draw(forests())
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), max_size=4)):
        if len(spans) > 1:  # an empty trace is the readers' business ("no usable spans")
            mutation(spans, rnd)
    return spans


def fresh(spans: list[Span]) -> list[Span]:
    return copy.deepcopy(spans)


def run(spans: list[Span]) -> tuple[Trace, Analysis]:
    trace = normalise(fresh(spans), TRACE_ID)
    return trace, analyze(trace)


# -- invariants -----------------------------------------------------------------------------

@SETTINGS
@given(damaged_forests())
def test_every_input_span_is_accounted_for(spans: list[Span]) -> None:
    trace, _ = run(spans)
    counts = trace.accounting()
    assert counts["input"] == len(spans)
    assert counts["analysed"] + counts["merged"] + counts["rejected"] == counts["input"]
    assert len({s.span_id for s in trace.spans}) == len(trace.spans), "ids are unique"
    analysed = {s.span_id for s in trace.spans}
    for merged in trace.merged:
        assert merged.reason and merged.into in analysed
    # every span keeps its input id, as its id or as its original (display) id
    assert {s.display_id for s in trace.spans} == {s.span_id for s in spans}


@SETTINGS
@given(damaged_forests(), st.integers(1, 12), st.randoms(use_true_random=False))
def test_a_span_cap_accounts_for_every_span_whatever_their_order(
        spans: list[Span], cap: int, rnd: random.Random) -> None:
    options = NormaliseOptions(max_spans=cap)
    trace = normalise(fresh(spans), TRACE_ID, options=options)
    counts = trace.accounting()
    assert counts["analysed"] + counts["merged"] + counts["rejected"] + counts["left_out"] \
        == counts["input"] == len(spans)
    assert len(trace.spans) <= cap
    assert ("spans-left-out" in {w.code for w in trace.warnings}) == (counts["left_out"] > 0)
    shuffled = fresh(spans)
    rnd.shuffle(shuffled)
    again = normalise(shuffled, TRACE_ID, options=options)
    assert again.spans == trace.spans and again.warnings == trace.warnings


@SETTINGS
@given(damaged_forests())
def test_result_is_a_forest_with_one_main_root(spans: list[Span]) -> None:
    trace, _ = run(spans)
    by_id = {s.span_id: s for s in trace.spans}
    for span in trace.spans:
        seen = {span.span_id}
        walk = span
        while walk.parent_id is not None:
            assert walk.parent_id in by_id, "parents exist"
            walk = by_id[walk.parent_id]
            assert walk.span_id not in seen, "no cycles"
            seen.add(walk.span_id)
        assert span.start_us is not None and span.duration_us is not None
        assert span.duration_us >= 0
    assert trace.root_id in by_id
    assert by_id[trace.root_id].parent_id is None


@SETTINGS
@given(damaged_forests(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_span_order(spans: list[Span], rnd: random.Random) -> None:
    trace, analysis = run(spans)
    shuffled = fresh(spans)
    rnd.shuffle(shuffled)
    trace2, analysis2 = run(shuffled)
    assert trace2.spans == trace.spans
    assert trace2.root_id == trace.root_id
    assert trace2.warnings == trace.warnings
    assert sorted(map(repr, trace2.merged)) == sorted(map(repr, trace.merged))
    assert render_json(analysis2) == render_json(analysis)


@SETTINGS
@given(damaged_forests())
def test_normalising_twice_changes_nothing(spans: list[Span]) -> None:
    trace, _ = run(spans)
    again = renormalise(copy.deepcopy(trace))
    assert again.spans == trace.spans
    assert again.root_id == trace.root_id
    assert not again.merged and not again.rejected


@SETTINGS
@given(damaged_forests())
def test_critical_path_tiles_the_main_root(spans: list[Span]) -> None:
    _, analysis = run(spans)
    ix, sections = analysis.index, analysis.sections
    root_start, root_end = ix.start[ix.root], ix.end[ix.root]
    assert sum(s.duration_us for s in sections) == root_end - root_start
    if root_end == root_start:
        assert sections == []
        return
    assert sections[0].start_us == root_start and sections[-1].end_us == root_end
    for before, after in zip(sections, sections[1:], strict=False):
        assert before.end_us == after.start_us, "contiguous, no overlap"
    for section in sections:
        assert section.start_us < section.end_us
        i = section.span
        assert ix.cstart[i] <= section.start_us and section.end_us <= ix.cend[i]
        walk = i  # every section belongs to the main root's awaited subtree
        while walk != ix.root:
            assert ix.awaited[walk]
            walk = ix.parent[walk]


@SETTINGS
@given(damaged_forests())
def test_self_and_critical_times_stay_within_each_span(spans: list[Span]) -> None:
    _, analysis = run(spans)
    ix = analysis.index
    for i in range(len(ix)):
        duration = ix.end[i] - ix.start[i]
        assert 0 <= analysis.self_us[i] <= duration
        assert 0 <= analysis.critical_us[i] <= duration


# -- through the readers --------------------------------------------------------------------

def _strip_zeros(doc: Any) -> Any:
    """Drop leading zeros from every span and parent id, as jaeger#1578's clients did."""
    text = json.dumps(doc)
    for key in ("id", "parentId", "spanID", "spanId", "parentSpanId"):
        text = _strip_key(text, key)
    return json.loads(text)


def _strip_key(text: str, key: str) -> str:
    out, marker, pos = [], f'"{key}": "', 0
    while (found := text.find(marker, pos)) >= 0:
        begin = found + len(marker)
        end = text.index('"', begin)
        out += [text[pos:begin], text[begin:end].lstrip("0") or "0"]
        pos = end
    return "".join(out) + text[pos:]


def _read(doc: Any) -> Trace:
    return select_trace(parse_bytes(json.dumps(doc).encode(), "generated"))


def _shape(trace: Trace) -> list[tuple[Any, ...]]:
    """What every format can carry: ids, tree, service, name, times, error."""
    kind = {INTERNAL: UNSPECIFIED}
    return [(s.span_id, s.parent_id, s.service, s.name, kind.get(s.kind, s.kind), s.start_us,
             s.duration_us, s.status == STATUS_ERROR) for s in trace.spans]


def _plain(spans: list[Span]) -> list[Span]:
    """Forests every format can express: no FOLLOWS_FROM (Zipkin and OTLP have none)."""
    for span in spans:
        span.parent_ref = "child_of"
    return spans


@settings(max_examples=max(60, EXAMPLES // 3), deadline=None)
@given(forests(max_spans=10))
def test_same_forest_in_three_formats_gives_the_same_model(spans: list[Span]) -> None:
    spans = _plain(spans)
    jaeger = _read(to_jaeger(spans))
    zipkin = _read(to_zipkin(spans))
    otlp = _read(to_otlp(spans))
    assert _shape(jaeger) == _shape(zipkin) == _shape(otlp)
    assert jaeger.root_id == zipkin.root_id == otlp.root_id
    assert [s.attributes["n"] for s in jaeger.spans] == [s.attributes["n"] for s in otlp.spans]
    assert [w.code for w in jaeger.warnings] == [w.code for w in otlp.warnings]


@settings(max_examples=max(60, EXAMPLES // 3), deadline=None)
@given(forests(max_spans=10), st.sampled_from(["jaeger", "zipkin", "otlp"]))
def test_ids_with_stripped_leading_zeros_still_link(spans: list[Span], fmt: str) -> None:
    spans = _plain(spans)
    encode = {"jaeger": to_jaeger, "zipkin": to_zipkin, "otlp": to_otlp}[fmt]
    full = _read(encode(spans))
    stripped = _read(_strip_zeros(encode(spans)))
    assert _shape(stripped) == _shape(full)
    assert stripped.warnings == full.warnings  # in particular, no orphans


# -- any JSON at all: only a one-line input error may escape --------------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=12),
    st.sampled_from(["", "0", "SERVER", "CLIENT", "CHILD_OF", "FOLLOWS_FROM", "ERROR", "AQID",
                     "0000000000000001", "a" * 16, "A" * 32, "-5", "1e30"]))
_KEYS = st.sampled_from([
    "traceId", "id", "parentId", "name", "kind", "timestamp", "duration", "localEndpoint",
    "tags", "annotations", "shared", "traceID", "spanID", "operationName", "references",
    "startTime", "processID", "processes", "spans", "data", "logs", "fields", "refType",
    "serviceName", "key", "value", "type", "warnings", "resourceSpans", "scopeSpans",
    "resource", "attributes", "spanId", "parentSpanId", "startTimeUnixNano", "endTimeUnixNano",
    "status", "code", "events", "links", "intValue", "arrayValue", "kvlistValue", "values",
    "bytesValue", "result", "errors", "error", "process"])
_JSON = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=6)), max_leaves=40)
_TEMPLATES = ["zipkin-lens/yelp.json", "zipkin-lens/skew.json", "jaeger/ui_01.json",
              "jaeger-ui/v3-trace-local-2.21.0.json", "crisp/10.json", "otlp-proto/trace.json"]


def _pipeline(data: bytes, adjust_skew: bool = False) -> None:
    """Read, normalise, analyse, explain and render in every format, as ``tracewhy analyze``
    does; any TracewhyError is an accepted answer."""
    from datetime import UTC, datetime

    from tracewhy.errors import TracewhyError
    from tracewhy.normalise import NormaliseOptions
    from tracewhy.pipeline import analyze_trace
    from tracewhy.render import RENDERERS, render

    try:
        trace = select_trace(parse_bytes(data, "fuzzed.json"),
                             options=NormaliseOptions(adjust_skew=adjust_skew))
    except TracewhyError as exc:
        assert "\n" not in exc.one_line()
        return
    counts = trace.accounting()
    assert counts["analysed"] + counts["merged"] + counts["rejected"] == counts["input"]
    analysis = analyze_trace(trace)  # the root-cause engine too: it quotes span values
    assert sum(s.duration_us for s in analysis.sections) == analysis.root_duration_us
    for fmt in RENDERERS:
        render(fmt, analysis, command=["tracewhy"], generated_at=datetime.now(UTC)).encode()


@settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@example([[], None])  # found by this test: a list of "traces" whose items are not all lists
@example([{"traceId": None}, {"traceId": None, "annotations": 1}])  # and Zipkin v1 sniffing
@given(_JSON)
def test_any_json_is_read_or_refused_never_crashes(doc: Any) -> None:
    _pipeline(json.dumps(doc).encode())


@settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(_TEMPLATES),
       st.lists(st.tuples(st.integers(0, 10**6), _JSON), min_size=1, max_size=5), st.booleans())
def test_real_traces_with_random_fields_replaced_never_crash(name: str,
                                                             edits: list[tuple[int, Any]],
                                                             adjust_skew: bool) -> None:
    from tests.conftest import EXTERNAL

    path = EXTERNAL / name
    if not path.exists():
        return
    doc = json.loads(path.read_text())
    for pick, value in edits:
        leaves = list(_paths(doc))
        if not leaves:
            break
        *parents, last = leaves[pick % len(leaves)]
        target = doc
        for step in parents:
            target = target[step]
        target[last] = value
    _pipeline(json.dumps(doc).encode(), adjust_skew)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))
    if path:
        yield path


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 2**64 - 1)), min_size=1,
                max_size=60, unique_by=lambda pair: pair[1]),
       st.randoms(use_true_random=False))
def test_the_numpy_sort_of_big_traces_orders_spans_as_the_plain_one(
        pairs: list[tuple[int, int]], rnd: random.Random) -> None:
    """Big traces are put in time order by numpy; the order (by start, then span id) must be
    the plain sort's exactly.  Starts from a few values, so most spans tie."""
    spans = [Span(TRACE_ID, f"{span_id:016x}", None, "svc", "op", start_us=EPOCH_US + 10 * start,
                  duration_us=1) for start, span_id in pairs]
    rnd.shuffle(spans)
    plain, big = list(spans), list(spans)
    _put_in_time_order(plain, numpy_from=len(spans) + 1)
    _put_in_time_order(big, numpy_from=0)
    assert [s.span_id for s in big] == [s.span_id for s in plain]
    assert [(s.start_us, s.span_id) for s in plain] == sorted((s.start_us, s.span_id)
                                                              for s in spans)


def test_the_numpy_sort_leaves_times_beyond_64_bits_to_the_plain_one() -> None:
    spans = [Span(TRACE_ID, f"{i:016x}", None, "svc", "op", start_us=start, duration_us=1)
             for i, start in enumerate((2**70, 5, 2**70, 3), start=1)]
    _put_in_time_order(spans, numpy_from=0)
    assert [s.span_id[-1] for s in spans] == ["4", "2", "1", "3"]
