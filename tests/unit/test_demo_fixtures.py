"""The committed samples in fixtures/demo/ are exactly what scripts/make_fixtures.py makes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import FIXTURES, REPO
from tracewhy.demo import SCENARIOS
from tracewhy.demo.output import ANALYSIS_FILE, FILES, TRUTH_FILE, WORST_FILE
from tracewhy.sources import load_trace

DEMO = FIXTURES / "demo"
QUICK_START = DEMO / "feature-store-latency" / WORST_FILE  # README's first command


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures",
                                                  REPO / "scripts" / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fixtures")
    _script().regenerate(root)
    return root


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_committed_sample_equals_the_regenerated_one(regenerated: Path, name: str) -> None:
    for file in FILES:
        if file == ANALYSIS_FILE:  # tracewhy's own verdict: it changes as the engine improves
            continue
        committed = (DEMO / name / file).read_bytes()
        assert committed == (regenerated / name / file).read_bytes(), (
            f"fixtures/demo/{name}/{file} is stale: run python scripts/make_fixtures.py")


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_committed_analysis_is_of_the_worst_trace(name: str) -> None:
    truth = json.loads((DEMO / name / TRUTH_FILE).read_text())
    analysis = json.loads((DEMO / name / ANALYSIS_FILE).read_text())
    assert analysis["schema"] == "tracewhy.analysis/1"
    assert analysis["trace_id"] == truth["worst_trace_id"]
    assert analysis["warnings"] == []
    worst = next(row for row in truth["traces"] if row["trace_id"] == truth["worst_trace_id"])
    assert analysis["root"]["duration_us"] == worst["duration_us"]


def test_samples_are_small_and_show_their_fault() -> None:
    size = sum(path.stat().st_size for path in DEMO.rglob("*") if path.is_file())
    assert size < 3_000_000
    for name in SCENARIOS:
        truth = json.loads((DEMO / name / TRUTH_FILE).read_text())
        assert truth["trace_count"] == 4 and truth["generated"] == 200
        assert truth["faulty_count"] == (0 if name == "healthy" else 2)


def test_the_quick_start_trace_is_a_slow_feature_store_trace() -> None:
    trace = load_trace(str(QUICK_START))
    assert trace.warnings == []
    root = next(span for span in trace.spans if span.span_id == trace.root_id)
    assert (root.duration_us or 0) > 2_000_000
    assert sum(span.name == "HGETALL" for span in trace.spans) >= 16
