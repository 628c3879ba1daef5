"""Nezha's span CSV (a research format) turned into tracewhy traces, for tests only.

Columns: TraceID, SpanID, ParentID ("root" for roots), PodName, OperationName,
StartTimeUnixNano, EndTimeUnixNano, Duration (µs).  The service is the pod name without its
last two dash-separated parts (``frontend-579b9bff58-t2dbm`` -> ``frontend``); the pod becomes
the ``k8s.pod.name`` resource attribute.  There are no kinds and no error status.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tracewhy.model import Span, Trace
from tracewhy.normalise import normalise


def read_nezha(path: Path) -> list[Trace]:
    by_trace: dict[str, list[Span]] = {}
    resources: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pod = row["PodName"]
            resource = resources.setdefault(pod, {"service.name": _service(pod),
                                                  "k8s.pod.name": pod})
            start_us = int(row["StartTimeUnixNano"]) // 1000
            end_us = int(row["EndTimeUnixNano"]) // 1000
            parent = row["ParentID"]
            by_trace.setdefault(row["TraceID"], []).append(Span(
                trace_id=row["TraceID"], span_id=row["SpanID"],
                parent_id=None if parent == "root" else parent, service=resource["service.name"],
                name=row["OperationName"], start_us=start_us, duration_us=end_us - start_us,
                resource=resource))
    return [normalise(spans, trace_id) for trace_id, spans in by_trace.items()]


def _service(pod: str) -> str:
    parts = pod.split("-")
    return "-".join(parts[:-2]) if len(parts) > 2 else pod
