"""The critical path on the cases other tools get wrong (ALGORITHMS.md 1.2, PEERS.md §8).

Trees are hand-built with times in µs from 0 (ids kept verbatim, as CRISP's traces have them);
each expected list of sections is worked out by hand in the comment above it.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from tests.conftest import make_trace, span
from tracewhy.analysis.analyze import Analysis, analyze
from tracewhy.analysis.critical_path import critical_path
from tracewhy.model import CONSUMER, FOLLOWS_FROM, PRODUCER, Span


def walk(*spans: Span) -> list[tuple[str, int, int]]:
    return sections_of(analyze(make_trace(*spans)))


def sections_of(analysis: Analysis) -> list[tuple[str, int, int]]:
    spans = analysis.index.spans
    return [(spans[s.span].span_id, s.start_us, s.end_us) for s in analysis.sections]


def test_back_to_back_siblings_are_sequential() -> None:
    """jaeger#9148/#9173: with a strict '<', A and B (each ending when the next starts) are
    skipped and their time is charged to the parent.  P [0,100]: A [10,40] B [40,70] C [70,90]."""
    assert walk(span("P", None, 0, 100), span("A", "P", 10, 40), span("B", "P", 40, 70),
                span("C", "P", 70, 90)) == [
        ("P", 0, 10), ("A", 10, 40), ("B", 40, 70), ("C", 70, 90), ("P", 90, 100)]


def test_back_to_back_at_millisecond_resolution_inside_a_child() -> None:
    # The same, one level down and in whole milliseconds, as ms-clock instrumentation records.
    ms = 1000
    assert walk(span("R", None, 0, 10 * ms), span("S", "R", 1 * ms, 9 * ms),
                span("a", "S", 1 * ms, 4 * ms), span("b", "S", 4 * ms, 9 * ms)) == [
        ("R", 0, ms), ("a", ms, 4 * ms), ("b", 4 * ms, 9 * ms), ("R", 9 * ms, 10 * ms)]


def test_overlap_within_the_tolerance_is_sequential_and_goes_to_the_later_sibling() -> None:
    # P [0,1000]: tolerance 1% = 10 µs.  A ends 5 µs into B: still A then B; B owns [500, 505].
    assert walk(span("P", None, 0, 1000), span("A", "P", 100, 505),
                span("B", "P", 500, 900)) == [
        ("P", 0, 100), ("A", 100, 500), ("B", 500, 900), ("P", 900, 1000)]


def test_overlap_beyond_the_tolerance_is_parallel() -> None:
    # A ends 20 µs into B (> 10): A ran alongside B, so B's start is the parent's time.
    assert walk(span("P", None, 0, 1000), span("A", "P", 100, 500),
                span("B", "P", 480, 900)) == [("P", 0, 480), ("B", 480, 900), ("P", 900, 1000)]


def test_the_tolerance_is_capped_at_one_millisecond() -> None:
    # P lasts 10 s, so 1% would be 100 ms; the cap makes it 1 ms: a 2 ms overlap is parallel.
    s = 1_000_000
    got = walk(span("P", None, 0, 10 * s), span("A", "P", 1 * s, 5 * s + 2000),
               span("B", "P", 5 * s, 9 * s))
    assert got == [("P", 0, 5 * s), ("B", 5 * s, 9 * s), ("P", 9 * s, 10 * s)]
    got = walk(span("P", None, 0, 10 * s), span("A", "P", 1 * s, 5 * s + 900),
               span("B", "P", 5 * s, 9 * s))
    assert got == [("P", 0, s), ("A", s, 5 * s), ("B", 5 * s, 9 * s), ("P", 9 * s, 10 * s)]


def test_follows_from_children_are_off_the_path_and_not_clamped() -> None:
    # F [50,150] hangs off P [0,100] by FOLLOWS_FROM: P does not wait for it.
    trace = make_trace(span("P", None, 0, 100), span("F", "P", 50, 150, ref=FOLLOWS_FROM),
                       span("G", "F", 60, 140))
    analysis = analyze(trace)
    assert sections_of(analysis) == [("P", 0, 100)]
    ix = analysis.index
    f = ix.position["F"]
    assert (ix.start[f], ix.end[f]) == (50, 150)  # its own times, not cut to P's
    assert analysis.self_us[ix.position["P"]] == 100  # and it takes none of P's self time
    assert analysis.self_us[f] == 100 - 80  # G is awaited by F
    assert analysis.critical_us[f] == 0 and analysis.critical_us[ix.position["G"]] == 0
    # Nor is it clock skew: only awaited children are judged against their parent.
    assert not any(w.code in ("child-outlives-parent", "clock-skew") for w in trace.warnings)


def test_a_consumer_under_its_producer_is_off_the_path() -> None:
    # R [0,100] sends a message (M, producer [10,20]); the consumer C [15,200] runs on its own.
    trace = make_trace(span("R", None, 0, 100), span("M", "R", 10, 20, kind=PRODUCER),
                       span("C", "M", 15, 200, kind=CONSUMER), span("W", "C", 30, 190))
    analysis = analyze(trace)
    assert sections_of(analysis) == [("R", 0, 10), ("M", 10, 20), ("R", 20, 100)]
    assert analysis.self_us[analysis.index.position["M"]] == 10
    assert not any(w.code == "child-outlives-parent" for w in trace.warnings)


def test_a_consumer_not_under_a_producer_is_awaited() -> None:
    # A CONSUMER span under a SERVER (a poll loop) is work its parent waits for.
    assert walk(span("R", None, 0, 100, kind="server"),
                span("C", "R", 10, 60, kind=CONSUMER)) == [("R", 0, 10), ("C", 10, 60),
                                                             ("R", 60, 100)]


def test_overlapping_children_the_last_finisher_wins_each_instant() -> None:
    # P [0,100]: A [10,80] and B [20,90] overlap by far more than 1 µs: B (last to finish)
    # takes [20,90]; A finished after B started, so it is not before B: P gets [0,20].
    assert walk(span("P", None, 0, 100), span("A", "P", 10, 80), span("B", "P", 20, 90)) == [
        ("P", 0, 20), ("B", 20, 90), ("P", 90, 100)]


def test_children_outside_the_parent_are_clamped_or_dropped() -> None:
    # P [100,200]: A [50,150] is cut to [100,150]; B [180,260] to [180,200]; C [250,300] and
    # D [20,90] lie wholly outside and drop out with their subtree.
    assert walk(span("P", None, 100, 200), span("A", "P", 50, 150), span("B", "P", 180, 260),
                span("C", "P", 250, 300), span("D", "P", 20, 90), span("E", "C", 260, 270)) == [
        ("A", 100, 150), ("P", 150, 180), ("B", 180, 200)]


def test_a_zero_length_root_has_no_sections() -> None:
    analysis = analyze(make_trace(span("P", None, 5, 5), span("A", "P", 5, 5)))
    assert analysis.sections == [] and analysis.root_duration_us == 0


def test_a_100_000_deep_chain() -> None:
    n = 100_000
    # Span i covers [i, 2n - i]: each one waits for the next, so every span owns 1 µs at each
    # end of the path except the innermost, which owns its 2 µs.
    spans = [span(f"s{i}", f"s{i - 1}" if i else None, i, 2 * n - i, name="step")
             for i in range(n)]
    started = time.perf_counter()
    analysis = analyze(make_trace(*spans))
    elapsed = time.perf_counter() - started
    got = analysis.sections
    assert len(got) == 2 * n - 1
    assert sum(s.duration_us for s in got) == 2 * n
    assert (got[0].start_us, got[-1].end_us) == (0, 2 * n)
    spans_of = analysis.index.spans
    assert spans_of[got[n - 1].span].span_id == f"s{n - 1}" and got[n - 1].duration_us == 2
    assert max(analysis.critical_us) == 2 and min(analysis.self_us) == 2
    assert elapsed < 10, f"took {elapsed:.1f} s"


def test_a_parent_with_100_000_sequential_children() -> None:
    n = 100_000
    # P [0, 2n]; child k covers [2k, 2k + 1]: P owns the 1 µs gap after each child.
    spans = [span("P", None, 0, 2 * n)] + [span(f"c{k:06d}", "P", 2 * k, 2 * k + 1, name="get")
                                          for k in range(n)]
    started = time.perf_counter()
    analysis = analyze(make_trace(*spans))
    elapsed = time.perf_counter() - started
    ix = analysis.index
    assert sum(s.duration_us for s in analysis.sections) == 2 * n
    assert len(analysis.sections) == 2 * n  # child, gap, child, gap ...
    assert analysis.critical_us[ix.position["P"]] == n
    assert analysis.self_us[ix.position["P"]] == n
    assert all(analysis.critical_us[ix.position[f"c{k:06d}"]] == 1 for k in (0, n // 2, n - 1))
    assert elapsed < 10, f"took {elapsed:.1f} s"


def test_back_to_back_children_with_no_gaps_all_sequential_at_scale() -> None:
    n = 20_000
    spans = [span("P", None, 0, n)] + [span(f"c{k:05d}", "P", k, k + 1, name="get")
                                      for k in range(n)]
    analysis = analyze(make_trace(*spans))
    assert len(analysis.sections) == n and analysis.critical_us[analysis.index.position["P"]] == 0


def test_siblings_in_start_order_sort_by_end_alone_as_the_full_key_would() -> None:
    """Children in canonical order (by start, then span id) need one stable sort by end; the
    walk must come out the same as with the full (-end, start, span id) key.  Random trees on a
    coarse time grid, so siblings share ends and starts; ids in no relation to time."""
    rng = random.Random(20261130)
    shortcut_used = 0
    for _ in range(60):
        spans = [span("root", None, 0, 400)]
        for i in range(1, 120):
            parent = spans[rng.randrange(len(spans))]
            lo, hi = parent.start_us or 0, parent.end_us
            early = rng.random() < 0.01  # now and then before the parent: clamped
            start = rng.randrange(lo - 10 if early else lo, hi, 10)
            end = min(hi + 10, start + rng.randrange(10, 200, 10))
            spans.append(span(f"{rng.getrandbits(32):08x}-{i}", parent.span_id, start, end))
        ix = analyze(make_trace(*spans)).index
        shortcut_used += ix.children_in_start_order
        full_key = replace(ix, children_in_start_order=False)
        assert critical_path(ix) == critical_path(full_key)
    assert 0 < shortcut_used < 60  # both kinds of trees were met: some had clamped starts
