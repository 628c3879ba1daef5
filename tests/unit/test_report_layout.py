"""Waterfall folding for huge traces, and the call graph's layered layout."""

from __future__ import annotations

from tests.conftest import make_trace, span
from tracewhy.analysis.analyze import Analysis, analyze
from tracewhy.render.callgraph import build_call_graph
from tracewhy.render.format import duration
from tracewhy.render.redact import Redactor
from tracewhy.render.texts import Texts
from tracewhy.render.waterfall import BAR_LEFT, BAR_RIGHT, MAX_ROWS, build_waterfall


def _texts(analysis: Analysis) -> Texts:
    return Texts(Redactor(), analysis.index.position)


def _big(n_children: int) -> Analysis:
    spans = [span("root", None, 0, 10 * n_children + 10, service="web", name="GET /")]
    spans += [span(f"c{k}", "root", 10 * k, 10 * k + 10, service=f"svc{k % 5}",
                   name=f"op{k % 7}") for k in range(n_children)]
    spans.append(span("boom", "c3", 31, 35, service="svc3", name="explode"))
    spans[-1].status = "error"
    return analyze(make_trace(*spans))


def test_small_traces_are_drawn_whole() -> None:
    analysis = _big(20)
    wf = build_waterfall(analysis, _texts(analysis), [])
    assert len(wf.rows) == 22 and not any(r.folded for r in wf.rows)
    assert wf.note == "all 22 spans drawn"
    assert wf.rows[0].label == "web: GET /" and wf.rows[0].indent < wf.rows[1].indent


def test_huge_traces_fold_the_rest_by_operation() -> None:
    analysis = _big(5000)
    wf = build_waterfall(analysis, _texts(analysis), [])
    drawn = [r for r in wf.rows if not r.folded]
    folded = [r for r in wf.rows if r.folded]
    assert len(drawn) == MAX_ROWS
    assert folded and all(r.label.startswith("+ ") for r in folded)
    counted = sum(int(r.label.split()[1].replace(",", "")) for r in folded)
    assert counted == 5002 - MAX_ROWS  # every span is drawn or counted in a fold
    assert any(r.is_error for r in drawn)  # the failed span is kept in full
    assert "explode" in " ".join(r.label for r in drawn)
    assert wf.note == f"{MAX_ROWS} of 5,002 spans drawn; the other {5002 - MAX_ROWS:,} are " \
                      "folded by operation"


def test_critical_sections_are_marked_inside_their_bars() -> None:
    analysis = _big(10)
    wf = build_waterfall(analysis, _texts(analysis), [])
    for row in wf.rows:
        for seg in row.critical:
            assert row.bar.x - 0.01 <= seg.x and seg.x + seg.w <= row.bar.x + row.bar.w + 0.7


def test_a_folded_row_spans_its_operations_calls() -> None:
    """5,000 sequential calls in five runs of one operation each: the calls not drawn fold into
    one row per operation, whose faint bar runs from the operation's first call to its last."""
    spans = [span("root", None, 0, 50_010, service="web", name="GET /")]
    spans += [span(f"c{k}", "root", 10 * k, 10 * k + 10, service="db", name=f"op{k // 1000}")
              for k in range(5000)]
    analysis = analyze(make_trace(*spans))
    wf = build_waterfall(analysis, _texts(analysis), [])
    scale = (BAR_RIGHT - BAR_LEFT) / 50_010
    folded = [r for r in wf.rows if r.folded]
    assert len(folded) == 5
    for row in folded:
        block = int(row.label.split(": op", 1)[1])  # op<b>: calls 1000*b .. 1000*b + 999
        assert abs(row.bar.x - (BAR_LEFT + 10_000 * block * scale)) < 0.01
        assert abs(row.bar.w - 10_000 * scale) < 0.01
        assert f"its 1,000 calls run from +{duration(10_000 * block)} to " \
               f"+{duration(10_000 * (block + 1))}" in row.title


def test_hop_extent_holds_for_times_of_any_sign() -> None:
    """First start and last end per hop, also before the epoch (a skew-shifted span can be)."""
    analysis = analyze(make_trace(span("r", None, -50, 40, service="a", name="x"),
                                  span("b", "r", -30, -20, service="b", name="y"),
                                  span("c", "r", -40, -35, service="b", name="y"),
                                  span("d", "r", 10, 30, service="b", name="y")))
    extent = {h.key: (h.first_us, h.last_us) for h in analysis.hops}
    assert extent == {("a", "x"): (-50, 40), ("b", "y"): (-40, 30)}


def test_call_graph_puts_callers_left_of_callees_and_survives_cycles() -> None:
    trace = make_trace(span("a", None, 0, 100, service="gw"),
                       span("b", "a", 1, 90, service="api"),
                       span("c", "b", 2, 80, service="db"),
                       span("d", "b", 3, 70, service="cache"),
                       span("e", "c", 4, 60, service="api"))  # api -> db -> api: a cycle
    analysis = analyze(trace)
    graph = build_call_graph(analysis, _texts(analysis))
    x = {n.label: n.x for n in graph.nodes}
    assert x["gw"] < x["api"] < x["cache"]
    assert len(graph.edges) == 4  # gw->api, api->db, api->cache, db->api (drawn back)
    boxes = {(n.x, n.y) for n in graph.nodes}
    assert len(boxes) == len(graph.nodes)  # no two services on the same spot
    assert all(e.path.startswith("M") for e in graph.edges)
    assert max(n.x + n.w for n in graph.nodes) <= graph.width
