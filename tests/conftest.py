"""Shared test fixtures: where the real traces live, and a tiny span builder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracewhy.model import CHILD_OF, Span, Trace
from tracewhy.normalise import normalise

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def _external_traces() -> Path:
    configured = os.environ.get("TRACEWHY_EXTERNAL_TRACES")
    candidates = [Path(configured)] if configured else []
    candidates += [REPO.parent / "shared" / "external-traces",
                   Path("/work/shared/external-traces")]
    for candidate in candidates:
        if (candidate / "crisp").is_dir():
            return candidate
    return candidates[0]


EXTERNAL = _external_traces()


@pytest.fixture(scope="session")
def external() -> Path:
    if not (EXTERNAL / "crisp").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"external traces not found at {EXTERNAL} (set TRACEWHY_EXTERNAL_TRACES)")
        pytest.skip("external traces not available")
    return EXTERNAL


def span(span_id: str, parent: str | None, start: int, end: int, *, service: str = "svc",
         name: str | None = None, kind: str = "unspecified", trace_id: str = "t1",
         ref: str = CHILD_OF, **attributes: object) -> Span:
    """A span for hand-built trees: times are microseconds, ids are kept verbatim."""
    return Span(trace_id=trace_id, span_id=span_id, parent_id=parent, service=service,
                name=name or span_id, kind=kind, start_us=start, duration_us=end - start,
                attributes=dict(attributes), parent_ref=ref)


def make_trace(*spans: Span, trace_id: str = "t1") -> Trace:
    return normalise(list(spans), trace_id)
