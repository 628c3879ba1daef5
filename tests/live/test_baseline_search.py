"""--baseline-search against the real backends: demo traffic goes in through the real
exporters, then a faulty trace is analysed by id with a baseline fetched from the same
server (the error-free traces of its root operation in the two days before it)."""

from __future__ import annotations

import json
import random
import time

import pytest
from click.testing import CliRunner

from tests.live.servers import JaegerServer, ZipkinServer
from tracewhy.backends import Backend, make_config
from tracewhy.cli import cli
from tracewhy.demo import SCENARIOS, generate
from tracewhy.demo.export import export_otlp, export_zipkin
from tracewhy.demo.run import DemoRun, TraceRecord
from tracewhy.errors import TraceNotFound

pytestmark = pytest.mark.live
SCENARIO = "feature-store-latency"


@pytest.fixture(scope="module")
def run() -> DemoRun:
    """Fresh ids (the servers keep earlier runs) and times in the last hour."""
    seed = random.SystemRandom().randrange(2**31)
    start = int(time.time() * 1_000_000) - SCENARIOS[SCENARIO].window_us
    return generate(SCENARIO, 120, seed, start)


def late_faulty(run: DemoRun) -> TraceRecord:
    """The slowest faulty trace with many traces before it.  (The first faulty one would do on
    most seeds, but not on all: this scenario's faults do not error, so the baseline holds
    faulty traces too, and a mild one need not stand out against them.)"""
    return max((r for r in run.records[60:] if r.verdict.faulty), key=lambda r: r.duration_us)


def wait_for(kind: str, url: str, trace_id: str) -> None:
    deadline = time.monotonic() + 30
    with Backend(make_config(kind, url)) as backend:
        while True:
            try:
                backend.fetch(trace_id)
                return
            except TraceNotFound:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def analyse(kind: str, url: str, trace_id: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["analyze", trace_id, f"--{kind}", url,
                                      "--baseline-search", "2d", "--format", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def check(document: dict[str, object], record: TraceRecord, kind: str) -> None:
    baseline = document["baseline"]
    assert isinstance(baseline, dict)
    assert baseline["traces"] >= 20
    assert f"{kind} search" in baseline["source"]
    cause = document["root_cause"]
    assert isinstance(cause, dict) and record.verdict.culprit is not None
    culprit = record.verdict.culprit
    assert (cause["service"].lower(), cause["layer"]) == (culprit.service, culprit.layer)
    assert any(row["regressed"] for row in baseline["hops"])


def test_baseline_search_on_jaeger(run: DemoRun, jaeger_backend: JaegerServer) -> None:
    assert export_otlp(run.all_spans(), jaeger_backend.otlp_url) == len(run.all_spans())
    record = late_faulty(run)
    wait_for("jaeger", jaeger_backend.query_url, record.trace_id)
    check(analyse("jaeger", jaeger_backend.query_url, record.trace_id), record, "jaeger")


def test_baseline_search_on_zipkin(run: DemoRun, zipkin_backend: ZipkinServer) -> None:
    assert export_zipkin(run.all_spans(), zipkin_backend.ingest_url) == len(run.all_spans())
    record = late_faulty(run)
    wait_for("zipkin", zipkin_backend.query_url, record.trace_id)
    check(analyse("zipkin", zipkin_backend.query_url, record.trace_id), record, "zipkin")


def test_baseline_search_needs_a_backend(tmp_path: object) -> None:
    result = CliRunner().invoke(cli, ["analyze", "fixtures/crisp-16.json",
                                      "--baseline-search", "1h"])
    assert result.exit_code == 78
    assert "needs a live backend" in result.output
