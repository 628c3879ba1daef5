"""Real OnlineBoutique traces from Nezha with a network delay injected into currencyservice
(2022-08-22 05:28), against the fault-free window (2022-08-23 17:00) as baseline: the slow
traces' root cause must be the call into currencyservice, as wire time, not frontend."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL
from tests.support.nezha import read_nezha
from tracewhy.model import Trace
from tracewhy.pipeline import analyze_trace
from tracewhy.rca import RcaOptions
from tracewhy.rca.baseline import Baseline, build_baseline
from tracewhy.rca.stats import quantile

NEZHA = EXTERNAL / "nezha" / "onlineboutique"


@pytest.fixture(scope="module")
def faulty(external: Path) -> list[Trace]:
    return read_nezha(NEZHA / "2022-08-22_05_28_trace.csv")


@pytest.fixture(scope="module")
def baseline(external: Path) -> Baseline:
    return build_baseline(read_nezha(NEZHA / "2022-08-23_17_00_trace_faultfree.csv"), "nezha")


def test_the_csv_reads_into_whole_traces(faulty: list[Trace]) -> None:
    assert len(faulty) == 319
    assert sum(len(t.spans) for t in faulty) == 14476
    assert all(t.root_id is not None for t in faulty)


def test_slow_traces_blame_the_wire_into_currencyservice(faulty: list[Trace],
                                                         baseline: Baseline) -> None:
    p95 = quantile(sorted(p.duration_us for p in baseline.profiles), 0.95)
    verdicts: Counter[tuple[str, str]] = Counter()
    for trace in faulty:
        analysis = analyze_trace(trace, RcaOptions(baseline=baseline))
        if analysis.root_duration_us > p95 and analysis.root_cause is not None:
            verdicts[(analysis.root_cause["service"], analysis.root_cause["kind"])] += 1
    slow = sum(verdicts.values())
    assert slow >= 200  # the delay makes most of this window slow
    assert not any(service == "frontend" for service, _ in verdicts)
    assert verdicts[("currencyservice", "wire_latency")] >= 0.9 * slow, verdicts


def test_the_baseline_comparison_shows_the_effect_size(faulty: list[Trace],
                                                       baseline: Baseline) -> None:
    slowest = max(faulty, key=lambda t: max(s.duration_us or 0 for s in t.spans))
    analysis = analyze_trace(slowest, RcaOptions(baseline=baseline))
    assert analysis.baseline is not None
    rows = [r for r in analysis.baseline["hops"] if r["service"] == "currencyservice"
            and r["metric"] == "wire time" and r["regressed"]]
    assert rows
    for row in rows:
        assert row["added_us"] > 100_000 and row["robust_z"] > 3.5
        assert row["baseline_median_us"] < 50_000
    assert any(step["rule"].startswith("baseline") for step in analysis.whys)
