"""--max-spans (ROBUSTNESS.md A8): a trace bigger than the cap is analysed on its earliest
spans, as Jaeger's max_trace_size keeps the first spans, and every output says how many were
left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.support.sdk import SdkTraceBuilder
from tracewhy.cli import cli


def batch_trace(tmp_path: Path) -> Path:
    """A scoring job: one root, ten sequential model calls, each with a feature lookup."""
    b = SdkTraceBuilder()
    root = b.span("batch", "score users", 0, 1000, kind="server")
    for i in range(10):
        call = b.span("batch", "predict", 10 + 95 * i, 100 + 95 * i, parent=root, kind="client")
        b.span("features", "get_online_features", 20 + 95 * i, 40 + 95 * i, parent=call,
               kind="server")
    path = tmp_path / "batch.otlp.json"
    path.write_bytes(b.otlp_bytes())
    return path


def analyse(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["analyze", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_trace_over_the_cap_keeps_its_earliest_spans_and_says_so(tmp_path: Path) -> None:
    path = batch_trace(tmp_path)
    whole = analyse(str(path))
    capped = analyse(str(path), "--max-spans", "7")
    assert whole["accounting"]["left_out"] == 0 and whole["span_count"] == 21
    assert capped["accounting"] == {"input": 21, "analysed": 7, "merged": 0, "rejected": 0,
                                    "left_out": 14}
    (warning,) = [w for w in capped["warnings"] if w["code"] == "spans-left-out"]
    assert "14 span(s)" in warning["message"] and "--max-spans" in warning["message"]
    # the root and the first three calls with their lookups: the earliest seven starts
    kept_calls = [h for h in capped["hops"] if h["operation"] == "predict"]
    assert kept_calls and kept_calls[0]["calls"] == 3
    assert capped["root"] == whole["root"]  # the root starts first: it is always kept
    path_time = sum(s["end_us"] - s["start_us"] for s in capped["critical_path"])
    assert path_time == capped["root"]["duration_us"]


def test_every_report_says_spans_were_left_out(tmp_path: Path) -> None:
    path = batch_trace(tmp_path)
    for fmt in ("html", "md", "text"):
        out = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(cli, ["analyze", str(path), "--max-spans", "7",
                                          "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "left out" in out.read_text(), fmt


def test_a_cap_below_one_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(batch_trace(tmp_path)), "--max-spans", "0"])
    assert result.exit_code == 2 and "--max-spans" in result.output
