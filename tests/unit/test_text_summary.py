"""The terminal summary: the verdict and the 5 Whys are the answer, so they are wrapped to the
terminal, never cut short; what comes from the trace is still bounded and cleaned."""

from __future__ import annotations

from pathlib import Path

from tracewhy.pipeline import analyze_trace
from tracewhy.render.text import WIDTH, render_text
from tracewhy.sources import load_trace

BUNDLED = Path(__file__).parents[2] / "fixtures" / "demo" / "feature-store-latency" / "worst.json"


def test_whys_are_wrapped_not_cut() -> None:
    analysis = analyze_trace(load_trace(str(BUNDLED)))
    text = render_text(analysis)
    last = analysis.whys[-1]["answer"]
    assert len(last) > 300  # long enough that the old cut would have hidden the advice
    assert "chars)" not in text
    flowing = " ".join(line.strip() for line in text.splitlines())
    assert " ".join(last.split()) in flowing
    summary_lines = text.split("\ncritical path")[0].splitlines()
    assert all(len(line) <= WIDTH for line in summary_lines if not line.startswith("trace "))


def test_a_huge_answer_is_still_bounded() -> None:
    analysis = analyze_trace(load_trace(str(BUNDLED)))
    analysis.whys[0]["answer"] = "x" * 50_000 + "\x1b[31m"
    text = render_text(analysis)
    assert "… (+" in text and len(text) < 20_000 and "\x1b" not in text
