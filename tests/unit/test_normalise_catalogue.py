"""One small fixture per ROBUSTNESS.md §A row, with the warnings and the repaired structure it
must give.  The fixtures live in tests/fixtures/catalogue/ (hand-written; times are offsets
from T = 1,700,000,000,000,000 µs); the expected values below are worked out from the fixture
by hand, in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_trace, span
from tracewhy.analysis.analyze import analyze
from tracewhy.model import FOLLOWS_FROM, UNKNOWN_SERVICE, Span, Trace
from tracewhy.normalise import NormaliseOptions, normalise
from tracewhy.sources import load_trace

CATALOGUE = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"
T = 1_700_000_000_000_000


def sid(n: int) -> str:
    return f"{n:016x}"


def load(name: str, **options: object) -> Trace:
    return load_trace(str(CATALOGUE / name), options=NormaliseOptions(**options))  # type: ignore[arg-type]


def warnings_of(trace: Trace) -> dict[str, tuple[str, ...]]:
    return {w.code: w.span_ids for w in trace.warnings}


def by_id(trace: Trace) -> dict[str, Span]:
    return {s.span_id: s for s in trace.spans}


def sections(trace: Trace) -> list[tuple[str, int, int]]:
    analysis = analyze(trace)
    spans = analysis.index.spans
    return [(spans[s.span].span_id, s.start_us - T, s.end_us - T) for s in analysis.sections]


def test_every_input_span_is_accounted_for_in_every_fixture() -> None:
    for path in sorted(CATALOGUE.glob("*.json")):
        if path.name == "a10-deep-json.json":
            continue  # refused whole; see test_normalise_encodings
        counts = load(path.name).accounting()
        assert counts["analysed"] + counts["merged"] + counts["rejected"] == counts["input"], path


def test_a1_orphan_roots_its_own_subtree_and_never_joins_the_main_root() -> None:
    trace = load("a1-orphan.json")
    spans = by_id(trace)
    assert warnings_of(trace) == {"orphan-span": (sid(0xC),)}
    orphan = spans[sid(0xC)]
    assert orphan.parent_id is None and orphan.missing_parent_id == sid(0xFF)
    assert spans[sid(0xD)].parent_id == sid(0xC)  # its own child stays with it
    # The orphan starts first (T+0) but the main root is the true root R (T+100).
    assert trace.root_id == sid(0xA)
    # R [100, 1100] waits for render [200, 500]; nothing of the worker's subtree is on the path.
    assert sections(trace) == [(sid(0xA), 100, 200), (sid(0xB), 200, 500), (sid(0xA), 500, 1100)]
    graph = analyze(trace).graph
    assert not graph.has_edge("svc:frontend", "svc:worker")


def test_a2_several_roots_pick_the_earliest_then_longest() -> None:
    trace = load("a2-multiple-roots.json")
    assert warnings_of(trace) == {"multiple-roots": (sid(1), sid(2), sid(3))}
    assert "3 spans have no parent" in trace.warnings[0].message
    # 1 and 2 both start at T; 2 lasts 500 µs against 100, so 2 is the main root.
    assert trace.root_id == sid(2)
    assert all(by_id(trace)[sid(n)].parent_id is None for n in (1, 2, 3))  # never re-parented


def test_a2_no_root_the_earliest_orphan_stands_in() -> None:
    trace = load("a2-no-root.otlp.json")
    assert warnings_of(trace) == {"no-root": (), "orphan-span": (sid(0xA), sid(0xD))}
    assert trace.root_id == sid(0xA)  # starts at T, before d (T+5)
    assert by_id(trace)[sid(0xB)].parent_id == sid(0xA)


def test_a3_cycle_is_cut_at_its_earliest_member_and_self_parent_dropped() -> None:
    trace = load("a3-cycles.json")
    spans = by_id(trace)
    # 2 -> 4 -> 3 -> 2: members start at T+100, T+50, T+150; 4 starts first and is cut.
    assert warnings_of(trace) == {"cycle-broken": (sid(4),), "self-parent": (sid(5),),
                                  "multiple-roots": (sid(1), sid(4), sid(5))}
    assert spans[sid(4)].parent_id is None
    assert spans[sid(2)].parent_id == sid(4) and spans[sid(3)].parent_id == sid(2)
    assert spans[sid(5)].parent_id is None
    assert trace.root_id == sid(1)
    assert len(trace.spans) == 5


def test_a3_a_trace_that_is_only_a_cycle_still_shows_every_span() -> None:
    trace = load("a3-cycle-only.json")
    assert warnings_of(trace) == {"cycle-broken": (sid(2),)}
    assert trace.root_id == sid(2) and by_id(trace)[sid(1)].parent_id == sid(2)
    # 2 [0, 100] waits for 1 [10, 60].
    assert sections(trace) == [(sid(2), 0, 10), (sid(1), 10, 60), (sid(2), 60, 100)]


def test_a4_duplicates_identical_pieces_and_conflicts() -> None:
    trace = load("a4-duplicates.json")
    spans = by_id(trace)
    assert warnings_of(trace) == {"duplicate-identical": (sid(2),), "duplicate-merged": (sid(3),),
                                  "duplicate-conflict": (sid(4) + "#2",),
                                  "ambiguous-parent": (sid(5),)}
    assert trace.accounting() == {"input": 8, "analysed": 6, "merged": 2, "rejected": 0,
                                  "left_out": 0}
    assert sorted((m.span_id, m.reason) for m in trace.merged) == [
        (sid(2), "identical copy removed"), (sid(3), "piece of the same span merged")]
    # The two pieces of 3 became one span with the first piece's times and the second's tag.
    query = spans[sid(3)]
    assert (query.kind, query.start_us, query.duration_us) == ("client", T + 200, 50)
    assert query.attributes["db.statement"] == "select 1"
    # 4 is two different spans (other name, time and host): the earlier keeps the id.
    assert spans[sid(4)].name == "render"
    other = spans[sid(4) + "#2"]
    assert other.name == "encode" and other.original_id == sid(4) and other.display_id == sid(4)
    assert spans[sid(5)].parent_id == sid(4)


def test_a5_shared_client_server_ids_are_split_as_jaeger_does() -> None:
    trace = load("a5-shared.json")
    spans = by_id(trace)
    split = warnings_of(trace)["shared-span-split"]
    assert len(split) == 2 and trace.warnings[0].severity == "info"
    servers = {spans[s].original_id: spans[s] for s in split}
    orders, billing = servers[sid(2)], servers[sid(4)]
    assert (orders.service, orders.parent_id, orders.name) == ("orders", sid(2), "get order")
    # 4's server half had no shared flag: SERVER under a CLIENT of the same id is enough.
    assert (billing.service, billing.parent_id) == ("billing", sid(4))
    assert spans[sid(2)].service == "gateway" and spans[sid(2)].kind == "client"
    assert spans[sid(3)].parent_id == orders.span_id  # a child of the shared id: the server's
    assert trace.accounting()["analysed"] == 6
    # Time flows gateway -> client -> server -> select and back, with no gap or overlap.
    assert sections(trace) == [
        (sid(1), 0, 100), (sid(2), 100, 150), (orders.span_id, 150, 200), (sid(3), 200, 300),
        (orders.span_id, 300, 550), (sid(2), 550, 600), (sid(1), 600, 700),
        (sid(4), 700, 720), (billing.span_id, 720, 870), (sid(4), 870, 900), (sid(1), 900, 1000)]


def test_a6_bad_durations_and_starts() -> None:
    trace = load("a6-times.json")
    spans = by_id(trace)
    assert warnings_of(trace) == {
        "negative-duration": (sid(2),), "zero-duration": (sid(3),),
        "missing-duration": (sid(4),), "missing-start": (sid(5), sid(6)),
        "implausible-duration": (sid(7),), "child-outlives-parent": (sid(7),)}
    assert spans[sid(2)].duration_us == 0 and spans[sid(3)].duration_us == 0
    assert spans[sid(4)].duration_us == 0
    assert spans[sid(5)].start_us == T  # 0 in an epoch trace means missing: parent's start
    assert spans[sid(6)].start_us == T  # no start at all: its parent 5's (repaired) start
    assert spans[sid(7)].duration_us == 8 * 24 * 3600 * 10**6  # flagged, kept as recorded
    severities = {w.code: w.severity for w in trace.warnings}
    assert severities["zero-duration"] == "info" and severities["negative-duration"] == "warning"


def test_a7_skew_is_detected_and_clamped_for_the_critical_path() -> None:
    trace = load("a7-skew.json")
    assert warnings_of(trace) == {"clock-skew": (sid(3),), "child-outlives-parent": (sid(5),)}
    assert by_id(trace)[sid(3)].start_us == T - 200  # raw times are kept
    # 3 [-200, 200] is clamped to its caller 2 [100, 700] -> [100, 200]; 3's child 4
    # [-150, -50] falls outside that and drops out; 5 [800, 1300] is cut at the root's end.
    assert sections(trace) == [(sid(1), 0, 100), (sid(3), 100, 200), (sid(2), 200, 700),
                               (sid(1), 700, 800), (sid(5), 800, 1000)]


def test_a7_adjust_skew_shifts_subtrees_like_jaeger_and_labels_each_moved_span() -> None:
    trace = load("a7-skew.json", adjust_skew=True)
    spans = by_id(trace)
    # 3 is on another host than its parent 2: centred in 2, assuming equal network time each
    # way: 2.start + (600 - 400) / 2 - 3.start = 100 + 100 - (-200) = 400 µs.  4 shares 3's
    # host, so it moves by the same 400 µs.  5 shares the root's host: not moved.
    assert warnings_of(trace) == {"skew-adjusted": (sid(3), sid(4)),
                                  "child-outlives-parent": (sid(5),)}
    assert (spans[sid(3)].start_us, spans[sid(3)].skew_shift_us) == (T + 200, 400)
    assert (spans[sid(4)].start_us, spans[sid(4)].skew_shift_us) == (T + 250, 400)
    assert spans[sid(3)].duration_us == 400  # start and end move together
    assert spans[sid(5)].skew_shift_us == 0


def test_a7_max_skew_refuses_larger_shifts_and_says_so() -> None:
    trace = load("a7-skew.json", adjust_skew=True, max_skew_us=300)
    spans = by_id(trace)
    assert warnings_of(trace) == {"skew-not-adjusted": (sid(3),), "clock-skew": (sid(3),),
                                  "child-outlives-parent": (sid(5),)}
    assert spans[sid(3)].start_us == T - 200 and spans[sid(4)].skew_shift_us == 0


def test_a9_id_forms_upper_case_base64_stripped_and_64_bit_all_link() -> None:
    trace = load("a9-ids.otlp.json")
    spans = by_id(trace)
    assert trace.trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert sorted(spans) == [sid(0xA1), sid(0xB2), sid(0xC3)]
    assert spans[sid(0xB2)].parent_id == sid(0xA1)  # parent written "A1"
    assert spans[sid(0xC3)].parent_id == sid(0xB2)  # parent written in base64
    codes = {w.code: w.message for w in trace.warnings}
    assert set(codes) == {"id-base64", "mixed-id-width"}
    assert codes["id-base64"].startswith("2 id(s)")  # b2's own id and c3's parent id
    assert codes["mixed-id-width"].startswith("1 span(s)")


def test_a11_missing_service_names() -> None:
    trace = load("a11-missing-service.json")
    spans = by_id(trace)
    assert warnings_of(trace) == {"missing-service": (sid(3), sid(4), sid(5))}
    assert spans[sid(3)].service == "inventory"  # the calling client's remote service
    assert spans[sid(4)].service == UNKNOWN_SERVICE  # no name and no client to ask
    assert spans[sid(5)].service == UNKNOWN_SERVICE  # "unknown" is no name either


def test_a12_milliseconds_and_nanoseconds_are_converted_by_magnitude() -> None:
    ms = load("a12-milliseconds.json")
    spans = by_id(ms)
    assert warnings_of(ms) == {"timestamps-ms": (sid(1), sid(2))}
    assert (spans[sid(1)].start_us, spans[sid(1)].duration_us) == (T, 50_000)
    assert (spans[sid(2)].start_us, spans[sid(2)].duration_us) == (T + 10_000, 5_000)
    assert spans[sid(1)].events[0].time_us == T + 1_000
    ns = load("a12-nanoseconds.json")
    spans = by_id(ns)
    assert warnings_of(ns) == {"timestamps-ns": (sid(1), sid(2))}
    assert (spans[sid(2)].start_us, spans[sid(2)].duration_us) == (T + 100, 500)


def test_a14_references_that_are_not_parentage() -> None:
    trace = load("a14-references.json")
    spans = by_id(trace)
    assert warnings_of(trace) == {"zero-trace-reference": (), "multiple-roots": (sid(1), sid(5))}
    # CHILD_OF wins even when listed second; the FOLLOWS_FROM to 3 stays a link.
    two = spans[sid(2)]
    assert (two.parent_id, two.parent_ref) == (sid(1), "child_of")
    assert [(link.span_id, link.ref_type) for link in two.links] == [(sid(3), FOLLOWS_FROM)]
    # Only a FOLLOWS_FROM: it is the parent, but one the parent does not wait for.
    assert (spans[sid(3)].parent_id, spans[sid(3)].parent_ref) == (sid(1), FOLLOWS_FROM)
    # A CHILD_OF into another trace is a link, never a parent.
    four = spans[sid(4)]
    assert four.parent_id == sid(1)
    assert [link.trace_id for link in four.links] == ["00000000000000000000000000000bad"]
    # A reference with trace id 0 is dropped; 5 has nothing left and becomes a root.
    assert spans[sid(5)].parent_id is None
    # 3 [300, 1200] is async: off the path although it ends last.
    assert sid(3) not in {span_id for span_id, _, _ in sections(trace)}


@pytest.mark.parametrize("name", ["a4-duplicates.json", "a5-shared.json", "a3-cycles.json",
                                  "a7-skew.json", "a6-times.json"])
def test_fixture_warnings_name_only_spans_that_exist(name: str) -> None:
    trace = load(name)
    known = {s.span_id for s in trace.spans}
    for warning in trace.warnings:
        assert set(warning.span_ids) <= known, warning


# -- the same rows on real traces ---------------------------------------------------------------

def test_real_skew_trace_detected_and_adjusted(external: Path) -> None:
    """zipkin-lens/skew.json: serviceb's server half of 74280ae0c10d8062 starts ~62 ms before
    servicea's client half that called it (and its async child with it)."""
    path = str(external / "zipkin-lens" / "skew.json")
    raw = load_trace(path)
    server = next(s for s in raw.spans if s.original_id == "74280ae0c10d8062")
    assert warnings_of(raw)["clock-skew"] == (server.span_id,)
    moved = load_trace(path, options=NormaliseOptions(adjust_skew=True))
    spans = by_id(moved)
    server = spans[server.span_id]  # the split gives the server half the same new id
    # Centred in the client (another host): client 1470150004074202 + (94539 - 93577) // 2
    # - server 1470150004008761 = 65922 µs; the async child shares serviceb's host.
    assert server.skew_shift_us == 65922 and server.start_us == 1470150004008761 + 65922
    assert spans["43210ae0c10d1234"].skew_shift_us == 65922
    assert warnings_of(moved)["skew-adjusted"] == tuple(sorted((server.span_id,
                                                                "43210ae0c10d1234")))
    assert "clock-skew" not in warnings_of(moved)


def test_real_missing_service_in_yelp(external: Path) -> None:
    trace = load_trace(str(external / "zipkin-lens" / "yelp.json"))
    assert warnings_of(trace)["missing-service"] == ("668ed78ad94b35a1",)
    # The client half says "unknown"; its caller (routing, a SERVER) has no peer.service.
    assert by_id(trace)["668ed78ad94b35a1"].service == UNKNOWN_SERVICE


def test_real_envoy_root_with_an_accidental_shared_flag(external: Path) -> None:
    trace = load_trace(str(external / "zipkin-lens" / "envoy.json"))
    (root,) = trace.spans
    assert trace.root_id == root.span_id and root.original_id is None
    assert not any(w.code == "shared-span-split" for w in trace.warnings)


def test_adjust_skew_leaves_async_children_where_they_ran() -> None:
    """A FOLLOWS_FROM child or a consumer on another host may start after its parent ended;
    that is no evidence of skew, so --adjust-skew must not pull it into the parent."""
    def on(host: str, s: Span) -> Span:
        s.resource = {"host.name": host}
        return s

    spans = [on("a", span("R", None, 0, 100)),
             on("b", span("F", "R", 500, 600, ref=FOLLOWS_FROM)),
             on("a", span("P", "R", 10, 20, kind="producer")),
             on("c", span("C", "P", 900, 950, kind="consumer")),
             on("b", span("K", "R", -50, 50))]  # awaited, another host, starts early: moved
    trace = normalise(spans, "t", options=NormaliseOptions(adjust_skew=True))
    moved = by_id(trace)
    assert (moved["F"].start_us, moved["C"].start_us) == (500, 900)
    # K: centred in R: 0 + (100 - 100) // 2 - (-50) = 50 µs.
    assert moved["K"].skew_shift_us == 50
    assert warnings_of(trace) == {"skew-adjusted": ("K",)}


def _canonical(trace: Trace) -> list[tuple[int, str]]:
    return [(s.start_us or 0, s.span_id) for s in trace.spans]


def test_spans_come_out_by_start_then_id_whatever_the_input_order() -> None:
    spans = [span("r", None, 0, 100), span("b", "r", 10, 20), span("a", "r", 10, 30),
             span("c", "r", 10, 15), span("z", "r", 5, 50), span("y", "z", 40, 45)]
    first = make_trace(*spans)
    assert [s.span_id for s in first.spans] == ["r", "z", "a", "b", "c", "y"]
    again = make_trace(*reversed([span(s.span_id, s.parent_id, s.start_us or 0,
                                       (s.start_us or 0) + (s.duration_us or 0))
                                  for s in spans]))
    assert [s.span_id for s in again.spans] == [s.span_id for s in first.spans]
    links = first.links
    assert links is not None and links.current(first.spans)
    assert [first.spans[i].span_id for i in links.children[0] or ()] == ["z", "a", "b", "c"]


def test_repairs_that_move_starts_leave_the_spans_in_canonical_order() -> None:
    for trace in (load("a6-times.json"), load("a7-skew.json", adjust_skew=True)):
        assert _canonical(trace) == sorted(_canonical(trace))
        links = trace.links  # linked again after the move: positions match the new order
        assert links is not None and links.current(trace.spans)
        assert all(links.position[s.span_id] == i for i, s in enumerate(trace.spans))
        for i, p in enumerate(links.parent):
            assert (p < 0) == (trace.spans[i].parent_id is None)
            assert p < 0 or trace.spans[p].span_id == trace.spans[i].parent_id
