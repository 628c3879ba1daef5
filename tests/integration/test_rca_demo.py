"""The root-cause engine against the demo scenarios' truth files (issue 5's checks).

Per-trace scenarios: every faulty trace's root cause names the truth's culprit hop and layer.
Cross-trace scenarios (no single trace shows the fault): comparing the low-confidence traces
with the rest names the truth's separating attribute value.  The healthy baseline: no error
is blamed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracewhy.cli import cli
from tracewhy.pipeline import analyze_trace
from tracewhy.rca.cohort import Selection, compare_cohorts, trace_row
from tracewhy.sources import iter_traces, read_traces, select_trace

TRACES = 160
PER_TRACE = ["feature-store-latency", "mesh-retry-storm", "silent-schema-retry", "inference-oom"]
CROSS_TRACE = ["preprocessing-mismatch", "tenant-drift"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    for name in [*PER_TRACE, *CROSS_TRACE, "healthy"]:
        result = CliRunner().invoke(cli, ["demo", name, "--traces", str(TRACES), "--seed", "11",
                                          "--out", str(root / name)])
        assert result.exit_code == 0, result.output
    return root


def truth(runs: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((runs / name / "truth.json").read_text())
    return loaded


@pytest.mark.parametrize("name", PER_TRACE)
def test_root_cause_is_the_truths_culprit_hop_and_layer(runs: Path, name: str) -> None:
    expected = truth(runs, name)
    found = read_traces(str(runs / name / expected["files"]["otlp"]))
    faulty = [t for t in expected["traces"] if t["faulty"]]
    assert len(faulty) >= 5
    misses = []
    for record in faulty:
        analysis = analyze_trace(select_trace(found, record["trace_id"]))
        cause = analysis.root_cause or {}
        culprit = record["culprit"]
        got = (cause.get("service"), cause.get("operation"), cause.get("layer"))
        if got != (culprit["service"], culprit["operation"], culprit["layer"]):
            misses.append((record["trace_id"], got))
    assert not misses, f"{len(misses)} of {len(faulty)} faulty traces blame: {misses[:3]}"


@pytest.mark.parametrize("name", CROSS_TRACE)
def test_attribute_comparison_names_the_separator(runs: Path, name: str) -> None:
    expected = truth(runs, name)
    measure = expected["fault"]["measure"]["attribute"]
    rows = [trace_row(t) for t in iter_traces([str(runs / name / expected["files"]["otlp"])])]
    selection = Selection(f"{measure}<p10")
    result = compare_cohorts(rows, selection.pick(rows))
    named = {(a["key"], a["value"]) for a in result["attributes"][:5]}
    separators = {(s["attribute"], str(s["value"])) for s in expected["fault"]["separators"]}
    assert named & separators, (named, separators)
    assert all(a["q_value"] < 0.05 and a["delta"] > 0 for a in result["attributes"])


def test_healthy_traces_blame_no_error(runs: Path) -> None:
    expected = truth(runs, "healthy")
    found = read_traces(str(runs / "healthy" / expected["files"]["otlp"]))
    for record in expected["traces"][:40]:
        analysis = analyze_trace(select_trace(found, record["trace_id"]))
        assert analysis.errors is None
        assert analysis.root_cause is None or analysis.root_cause["kind"] != "error_origin"


def test_bubbleup_points_at_the_quality_measure_when_latency_shows_nothing(runs: Path) -> None:
    """Tenant drift: no errors, and the slowest traces are not the drifting ones.  The default
    comparison finds nothing and says which selection to try; that one names the tenant."""
    expected = truth(runs, "tenant-drift")
    path = str(runs / "tenant-drift" / expected["files"]["otlp"])
    first = CliRunner().invoke(cli, ["bubbleup", path])
    assert first.exit_code == 0, first.output
    assert "no attribute value is over-represented" in first.output
    hint = "--select 'prediction.confidence<p10'"
    assert f"try {hint}" in first.output
    second = CliRunner().invoke(cli, ["bubbleup", path, "--select", "prediction.confidence<p10"])
    assert second.exit_code == 0, second.output
    assert "tenant.id=acme" in second.output
    assert "hint:" not in second.output  # a chosen selection gets no hint
