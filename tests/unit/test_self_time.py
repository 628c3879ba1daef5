"""Self time: duration minus the union of the awaited children, clipped to the span.

Naive self time (duration minus the sum of child durations) goes negative with overlapping
children: jaeger-ui#1592 showed -14 s for a 10 s parent with five 6 s children.
"""

from __future__ import annotations

from tests.conftest import make_trace, span
from tracewhy.analysis.analyze import analyze
from tracewhy.model import CONSUMER, FOLLOWS_FROM, PRODUCER, Span

S = 1_000_000  # one second in µs


def self_times(*spans: Span) -> dict[str, int]:
    analysis = analyze(make_trace(*spans))
    return {s.span_id: analysis.self_us[i] for i, s in enumerate(analysis.index.spans)}


def test_jaeger_ui_1592_overlapping_children_never_make_self_time_negative() -> None:
    # Five 6 s children started 1 s apart cover the whole 10 s parent: self time 0, not -20 s.
    kids = [span(f"k{i}", "P", i * S, (i + 6) * S, name="work") for i in range(5)]
    got = self_times(span("P", None, 0, 10 * S), *kids)
    assert got["P"] == 0
    assert all(got[f"k{i}"] == 6 * S for i in range(5))


def test_the_union_counts_nested_and_overlapping_children_once() -> None:
    # P [0,100]: A [10,50] holds B [20,30] inside it (B is A's sibling here, not its child),
    # C [60,70]: covered = [10,50] + [60,70] = 50.
    got = self_times(span("P", None, 0, 100), span("A", "P", 10, 50), span("B", "P", 20, 30),
                     span("C", "P", 60, 70))
    assert got == {"P": 50, "A": 40, "B": 10, "C": 10}


def test_children_are_clipped_to_the_parent() -> None:
    # P [100,200]: A [50,150] covers [100,150]; B [180,260] covers [180,200]; C [300,400]
    # covers nothing.  Children keep their own full self time.
    got = self_times(span("P", None, 100, 200), span("A", "P", 50, 150),
                     span("B", "P", 180, 260), span("C", "P", 300, 400))
    assert got == {"P": 30, "A": 100, "B": 80, "C": 100}


def test_one_child_that_outlasts_its_parent_leaves_zero_not_less() -> None:
    got = self_times(span("P", None, 10, 20), span("A", "P", 0, 30))
    assert got["P"] == 0


def test_async_children_take_none_of_the_parent_self_time() -> None:
    got = self_times(span("R", None, 0, 100), span("F", "R", 10, 90, ref=FOLLOWS_FROM),
                     span("M", "R", 20, 30, kind=PRODUCER),
                     span("C", "M", 22, 28, kind=CONSUMER))
    # R waits only for M [20,30]; M does not wait for its consumer.
    assert got == {"R": 90, "F": 80, "M": 10, "C": 6}


def test_zero_length_children_and_leaves() -> None:
    got = self_times(span("P", None, 0, 10), span("A", "P", 5, 5), span("B", "P", 5, 5))
    assert got == {"P": 10, "A": 0, "B": 0}


def test_self_times_add_up_with_the_critical_path_on_a_sequential_trace() -> None:
    # With no parallelism the self times tile the root exactly like the critical path does.
    spans = [span("P", None, 0, 100), span("A", "P", 10, 40), span("B", "P", 40, 70),
             span("b", "B", 45, 60)]
    analysis = analyze(make_trace(*spans))
    assert sum(analysis.self_us) == 100
    assert analysis.self_us == analysis.critical_us


def test_a_trace_whose_span_list_was_replaced_is_linked_anew() -> None:
    # normalise hands its linking to the analyses (Trace.links); a list replaced since must not
    # be read through positions that belonged to the old one.
    trace = make_trace(span("P", None, 0, 100), span("A", "P", 10, 50))
    assert trace.links is not None and trace.links.current(trace.spans)
    trace.spans = [span("Q", None, 0, 10), span("P", "Q", 0, 8), span("A", "P", 1, 5)]
    analysis = analyze(trace)
    got = {s.span_id: analysis.self_us[i] for i, s in enumerate(analysis.index.spans)}
    assert got == {"Q": 2, "P": 4, "A": 4}
