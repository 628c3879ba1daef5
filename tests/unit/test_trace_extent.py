"""The trace's extent (first start to last end) beside the root's duration: a trace viewer
shows the extent as the trace's duration, so when work outlives the root the outputs say so."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import EXTERNAL
from tests.support.sdk import SdkTraceBuilder
from tracewhy.pipeline import analyze_trace
from tracewhy.render import render
from tracewhy.render.format import duration
from tracewhy.sources import load_trace

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def outputs(builder: SdkTraceBuilder) -> dict[str, str]:
    analysis = analyze_trace(builder.trace())
    return {fmt: render(fmt, analysis, command=["tracewhy"], generated_at=WHEN)
            for fmt in ("json", "text", "html", "md")}


def test_work_the_root_did_not_wait_for_is_told() -> None:
    b = SdkTraceBuilder()
    root = b.span("api", "POST /order", 0, 10, kind="server")
    b.span("api", "send confirmation", 2, 50, parent=root)  # outlives the root by 40 ms
    b.span("api", "validate", 1, 4, parent=root)
    out = outputs(b)
    extent = json.loads(out["json"])["extent"]
    assert extent["duration_us"] == 50_000 and extent["spans_after_root"] == 1
    assert extent["end_us"] - extent["start_us"] == extent["duration_us"]
    note = "the trace runs 50.0 ms from first start to last end: 1 span ends after the root"
    assert note in out["text"] and note in out["md"] and note in out["html"]
    assert json.loads(out["json"])["root"]["duration_us"] == 10_000


def test_a_trace_inside_its_root_has_no_note() -> None:
    b = SdkTraceBuilder()
    root = b.span("api", "GET /", 0, 10, kind="server")
    b.span("db", "SELECT", 1, 9, parent=root, kind="client")
    out = outputs(b)
    extent = json.loads(out["json"])["extent"]
    assert extent["duration_us"] == 10_000 and extent["spans_after_root"] == 0
    assert "the trace runs" not in out["text"] + out["md"] + out["html"]


def test_a_real_trace_whose_root_returned_first(external: object) -> None:
    """Zipkin's smartthings OAuth trace: the root answered in 1.43 ms, the flow it started
    went on for 100 s."""
    analysis = analyze_trace(load_trace(str(EXTERNAL / "zipkin-lens" /
                                            "smartthings-oauth-authorization.json")))
    extent = analysis.extent()
    assert extent is not None
    assert analysis.root_duration_us == 1_429
    assert extent.duration_us > 1_000 * analysis.root_duration_us
    assert extent.after_root == len(analysis.index) - 1


@pytest.mark.parametrize(("us", "text"), [
    (999_000_000, "999 s"), (1_000 * 10**6, "16.7 min"), (6_000 * 10**6, "1.67 h"),
    (109_900 * 10**6, "30.5 h"), (1_005_284 * 10**6, "11.6 d"), (-2_000 * 10**6, "-33.3 min"),
    (45_600, "45.6 ms"), (789, "789 µs")])
def test_long_durations_read_in_minutes_hours_and_days(us: int, text: str) -> None:
    """Extents of days happen (a flow traced end to end, damaged times): '1005284 s' was what
    they read as."""
    assert duration(us) == text


@pytest.mark.parametrize(("us", "text"), [
    (999.4, "999 µs"), (999.6, "1.00 ms"), (99_970, "100 ms"), (9_996, "10.0 ms"),
    (999_600, "1.00 s"), (999.6 * 10**6, "16.7 min")])
def test_a_duration_that_rounds_up_takes_the_next_unit(us: float, text: str) -> None:
    """Never '100.0 ms', '1000 ms' or '1000 s': rounding decides the digits and the unit."""
    assert duration(us) == text
