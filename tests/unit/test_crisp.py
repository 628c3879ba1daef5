"""CRISP's own test traces carry the expected critical-path time per "[service] operation".

Sections tile the root, so where CRISP counts an overlap of siblings twice (it credits each
sibling its full duration within its 1% overlap allowance and takes the overlap back from the
parent) our numbers differ by at most that overlap.  Everywhere else they must be equal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL
from tracewhy.analysis.analyze import analyze
from tracewhy.sources import load_trace

CRISP_FILES = sorted((EXTERNAL / "crisp").glob("*.json")) + \
    sorted((EXTERNAL / "crisp").glob("err_pattern*/*.json"))
OVERLAPPING_SIBLINGS = {"10.json", "19.json", "20.json", "21.json"}


def crisp_table(path: Path) -> dict[str, int]:
    testing = json.loads(path.read_text())["testing"]
    table: dict[str, int] = testing[0] if isinstance(testing, list) else testing["opTimeExclusive"]
    return table


def critical_times(path: Path) -> tuple[dict[str, int], int]:
    analysis = analyze(load_trace(str(path)))
    times = {f"[{h.service}] {h.operation}": h.critical_us for h in analysis.hops}
    return times, analysis.root_duration_us


def test_all_33_crisp_traces_are_present(external: Path) -> None:
    assert len(CRISP_FILES) == 33


@pytest.mark.parametrize("path", CRISP_FILES, ids=lambda p: str(p.relative_to(EXTERNAL / "crisp")))
def test_critical_time_per_operation_matches_crisp(path: Path, external: Path) -> None:
    table = crisp_table(path)
    got, root_duration = critical_times(path)
    allowance = root_duration // 100 if path.name in OVERLAPPING_SIBLINGS else 0
    for key, value in table.items():
        if value:  # CRISP's zero entries absorb its double counting; compare the others
            assert abs(got.get(key, 0) - value) <= allowance, (key, got.get(key), value)
    for key, value in got.items():
        if value and key not in table:
            assert value <= allowance, f"{key} has {value} µs on the critical path, CRISP none"
    assert sum(got.values()) == root_duration
