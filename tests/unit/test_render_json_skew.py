"""The JSON's ``skew_shifts`` lists every span --adjust-skew moved.  The renderer reads the spans
only when the trace carries the "skew-adjusted" warning, so these tests hold the normaliser to
noting every shift there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tracewhy.normalise import NormaliseOptions
from tracewhy.pipeline import analyze_trace
from tracewhy.render.json import render_json
from tracewhy.sources import load_trace

CATALOGUE = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"


def _document(path: Path, **options: Any) -> dict[str, Any]:
    trace = load_trace(str(path), options=NormaliseOptions(**options))
    document: dict[str, Any] = orjson.loads(render_json(analyze_trace(trace)))
    return document


def _shifted_ids(document: dict[str, Any]) -> list[str]:
    return [row["span_id"] for row in document["skew_shifts"]]


def test_shifted_spans_are_listed_with_their_shift() -> None:
    document = _document(CATALOGUE / "a7-skew.json", adjust_skew=True)
    assert document["skew_shifts"] == [{"span_id": f"{3:016x}", "shift_us": 400},
                                       {"span_id": f"{4:016x}", "shift_us": 400}]
    adjusted = {w["code"]: w["span_ids"] for w in document["warnings"]}["skew-adjusted"]
    assert _shifted_ids(document) == sorted(adjusted)


def test_no_shifts_without_adjust_skew() -> None:
    document = _document(CATALOGUE / "a7-skew.json")
    assert document["skew_shifts"] == []
    assert "skew-adjusted" not in {w["code"] for w in document["warnings"]}


def test_every_shift_on_a_real_skewed_trace_is_listed(external: Path) -> None:
    document = _document(external / "zipkin-lens" / "skew.json", adjust_skew=True)
    adjusted = {w["code"]: w["span_ids"] for w in document["warnings"]}["skew-adjusted"]
    assert len(adjusted) == 2 and _shifted_ids(document) == sorted(adjusted)
