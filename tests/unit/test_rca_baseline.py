"""A baseline trace, read with only the attributes a profile needs, profiles as it would read
in full."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tracewhy.rca.baseline import BASELINE_ATTRIBUTES
from tracewhy.rca.profile import TraceProfile, profile_trace
from tracewhy.sources import parse_bytes, select_trace

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def _profiles(data: bytes, keep: Callable[[str], bool] | None) -> list[TraceProfile | None]:
    found = parse_bytes(data, "input", keep=keep)
    return [profile_trace(select_trace(found, tid)) for tid in found.trace_ids]


def _span(span_id: str, parent: str | None, name: str, kind: int, start_ms: int, end_ms: int,
          **attributes: str) -> dict[str, object]:
    return {"traceId": TRACE_ID, "spanId": span_id, "name": name, "kind": kind,
            **({"parentSpanId": parent} if parent else {}),
            "startTimeUnixNano": str(start_ms * 1_000_000),
            "endTimeUnixNano": str(end_ms * 1_000_000),
            "attributes": [{"key": k.replace("_", "."), "value": {"stringValue": v}}
                           for k, v in attributes.items()]}


def _block(service: str, *spans: dict[str, object]) -> dict[str, object]:
    attributes = [{"key": "service.name", "value": {"stringValue": service}}] if service else []
    return {"resource": {"attributes": attributes}, "scopeSpans": [{"spans": list(spans)}]}


def test_a_server_without_a_service_is_named_by_its_callers_peer_service() -> None:
    data = json.dumps({"resourceSpans": [
        _block("api", _span("00000000000000a1", None, "GET", 2, 1, 90),
               _span("00000000000000a2", "00000000000000a1", "query", 3, 2, 80,
                     peer_service="db")),
        _block("", _span("00000000000000a3", "00000000000000a2", "SELECT", 2, 3, 70)),
    ]}).encode()
    [baseline] = _profiles(data, BASELINE_ATTRIBUTES)
    assert baseline == _profiles(data, None)[0]
    assert baseline is not None and ("db", "SELECT") in baseline.critical


@pytest.mark.parametrize("scenario", ["healthy", "mesh-retry-storm", "tenant-drift"])
def test_demo_traces_profile_alike_read_whole_or_for_a_baseline(scenario: str) -> None:
    lines = (FIXTURES / scenario / "traces.otlp.jsonl").read_bytes().splitlines()[:40]
    for line in lines:
        assert _profiles(line, BASELINE_ATTRIBUTES) == _profiles(line, None)
