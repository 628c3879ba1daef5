"""The latency verdict on CRISP's traces against CRISP's expected answers.

CRISP's traces carry, per ``[service] operation``, the critical-path time that operation spends
itself (its ``testing`` list, or ``opTimeExclusive`` in the error patterns).  Their spans have
no kinds, so nothing says which spans are RPC clients: when our verdict is about latency, it
must name an operation CRISP charges the most critical time to.  (Before kind-less parents had
to share a name with their callee to count as callers, 8 of these verdicts blamed "the wire"
for time CRISP charges to the caller's own work.)  The rule's other side, kind-less pairs named
alike (Nezha's ``hipstershop.X/Y`` over ``grpc.hipstershop.X/Y``), is held by
test_rca_nezha.py: the injected network delay is found as wire time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL
from tracewhy.pipeline import analyze_trace
from tracewhy.sources import load_trace

CRISP = EXTERNAL / "crisp"
TRACES = sorted(CRISP.glob("*.json")) + sorted(CRISP.glob("err_pattern*/*.json"))


def crisp_exclusive_times(path: Path) -> dict[str, int]:
    testing = json.loads(path.read_text())["testing"]
    return testing[0] if isinstance(testing, list) else testing["opTimeExclusive"]


@pytest.mark.parametrize("path", TRACES, ids=lambda p: str(p.relative_to(CRISP)))
def test_a_latency_verdict_names_crisps_costliest_operation(path: Path, external: Path) -> None:
    expected = crisp_exclusive_times(path)
    cause = analyze_trace(load_trace(str(path))).root_cause
    assert cause is not None
    if cause["kind"] == "error_origin":
        return  # errors: test_rca_crisp_errors.py
    costliest = max(expected.values())
    named = f"[{cause['service']}] {cause['operation']}"
    assert expected.get(named) == costliest, (named, cause["kind"], expected)
    assert cause["kind"] != "wire_latency"  # kind-less spans named apart are not RPC pairs

