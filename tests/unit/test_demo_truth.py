"""The truth file agrees with the traces: every culprit span exists, in the trace read back
from the file, and carries the fault the truth names; normal traces do not."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from tracewhy.demo import SCENARIOS, generate
from tracewhy.demo.output import OTLP_FILE, TRUTH_FILE, render_run
from tracewhy.demo.scenarios import KINDS, LAYERS
from tracewhy.model import STATUS_ERROR, Span, Trace
from tracewhy.normalise import normalise
from tracewhy.sources import parse_bytes

Row = dict[str, Any]


@cache
def _files(name: str, traces: int = 150, seed: int = 11) -> tuple[dict[str, Any],
                                                                   dict[str, Trace]]:
    files = render_run(generate(name, traces, seed))
    found = parse_bytes(files[OTLP_FILE].encode(), OTLP_FILE)
    traces_read = {tid: normalise(spans, tid) for tid, spans in found.traces.items()}
    return json.loads(files[TRUTH_FILE]), traces_read


def _spans(trace: Trace, ids: list[str]) -> list[Span]:
    by_id = {span.span_id: span for span in trace.spans}
    missing = [i for i in ids if i not in by_id]
    assert not missing, f"culprit spans not in trace {trace.trace_id}: {missing}"
    return [by_id[i] for i in ids]


def _root(trace: Trace) -> Span:
    return next(span for span in trace.spans if span.span_id == trace.root_id)


def _children(trace: Trace, parent: Span) -> list[Span]:
    return sorted((s for s in trace.spans if s.parent_id == parent.span_id),
                  key=lambda s: s.start_us or 0)


def _named(trace: Trace, service: str, name: str) -> list[Span]:
    return sorted((s for s in trace.spans if s.service == service and s.name == name),
                  key=lambda s: s.start_us or 0)


def _exception_types(span: Span) -> list[str]:
    return [str(e.attributes.get("exception.type")) for e in span.events if e.name == "exception"]


def _no_errors(trace: Trace) -> None:
    assert [s.name for s in trace.spans if s.status == STATUS_ERROR] == []


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_truth_follows_its_schema_and_vocabulary(name: str) -> None:
    from tracewhy.demo.truth import truth_schema

    truth, traces = _files(name)
    jsonschema.validate(truth, truth_schema())
    assert truth["scenario"] == name and truth["trace_count"] == len(traces) == 150
    assert [row["trace_id"] for row in truth["traces"]] == list(traces)
    hops = [row["culprit"] for row in truth["traces"] if row["culprit"]]
    hops += [hop for row in truth["traces"] for hop in row["contributors"]]
    assert all(hop["layer"] in LAYERS and hop["kind"] in KINDS for hop in hops)
    if name == "healthy":
        assert truth["fault"] is None and truth["faulty_count"] == 0
        return
    assert truth["faulty_count"] >= 3, "a run this size must show the fault"
    fault_hop = truth["fault"]["culprit"]
    for row in truth["traces"]:
        if row["faulty"]:
            culprit = row["culprit"]
            for key in ("service", "operation", "layer"):
                assert culprit[key] == fault_hop[key]
            assert culprit["kind"] in truth["fault"]["kinds"]
            _spans(traces[row["trace_id"]], culprit["span_ids"])
            for hop in row["contributors"]:
                _spans(traces[row["trace_id"]], hop["span_ids"])


def _check_each(name: str, faulty: Callable[[Row, Trace], None],
                normal: Callable[[Row, Trace], None]) -> None:
    truth, traces = _files(name)
    for row in truth["traces"]:
        (faulty if row["faulty"] else normal)(row, traces[row["trace_id"]])


def test_preprocessing_mismatch_marks_four_channel_pngs_from_mobile() -> None:
    def faulty(row: Row, trace: Trace) -> None:
        (span,) = _spans(trace, row["culprit"]["span_ids"])
        assert span.name == "preprocess" and span.service == "inference-server"
        assert span.attributes["image.channels"] == 4
        assert span.attributes["image.format"] == "png"
        assert _root(trace).attributes["client.platform"] == "mobile"
        _no_errors(trace)

    def normal(row: Row, trace: Trace) -> None:
        (span,) = _named(trace, "inference-server", "preprocess")
        assert span.attributes["image.channels"] == 3
        assert _root(trace).attributes["client.platform"] == "web" or \
            _root(trace).attributes["client.app_version"] != "6.0.0"

    _check_each("preprocessing-mismatch", faulty, normal)
    measure = _files("preprocessing-mismatch")[0]["fault"]["measure"]
    assert measure["faulty_mean"] < measure["normal_mean"] - 0.3
    assert measure["faulty_wrong_label_share"] > 0.4 > measure["normal_wrong_label_share"]


def _evidence(row: Row, kind: str) -> list[str]:
    """The span ids of the culprit or contributor of this kind."""
    (hop,) = [h for h in [row["culprit"], *row["contributors"]] if h["kind"] == kind]
    ids: list[str] = hop["span_ids"]
    return ids


def test_feature_store_latency_culprits_are_sequential_redis_calls() -> None:
    def faulty(row: Row, trace: Trace) -> None:
        calls = _spans(trace, _evidence(row, "n_plus_one"))
        assert len(calls) >= 8 and {c.name for c in calls} == {"HGETALL"}
        assert all(c.attributes["db.system"] == "redis" for c in calls)
        (lookup,) = _named(trace, "feature-server", "get_online_features")
        assert {c.parent_id for c in calls} == {lookup.span_id}
        assert all(a.end_us <= (b.start_us or 0) for a, b in zip(calls, calls[1:], strict=False))
        covered = calls[-1].end_us - (calls[0].start_us or 0)
        (inference,) = _named(trace, "inference-server",
                              "inference.GRPCInferenceService/ModelInfer")
        assert covered > 0.4 * (_root(trace).duration_us or 0)  # the N+1 dominates
        assert covered > (inference.duration_us or 0)

    def normal(row: Row, trace: Trace) -> None:
        calls = _named(trace, "feature-server", "HGETALL")
        if len(calls) > 4:  # a bulk request whose N+1 happened to be quick
            (inference,) = _named(trace, "inference-server",
                                  "inference.GRPCInferenceService/ModelInfer")
            assert calls[-1].end_us - (calls[0].start_us or 0) <= max(
                inference.duration_us or 0, 0.4 * (_root(trace).duration_us or 0))

    _check_each("feature-store-latency", faulty, normal)


def test_feature_store_latency_p99_at_peak_is_above_two_seconds() -> None:
    run = generate("feature-store-latency", 1000, 1)
    from tracewhy.demo.truth import build_truth

    details = build_truth(run, {})["fault"]["details"]
    assert details["peak_traces"] > 200
    assert details["p99_us_at_peak"] > 2_000_000


def test_hot_pod_pauses_are_gaps_with_no_span() -> None:
    truth, traces = _files("feature-store-latency", 400, 5)
    paused = [row for row in truth["traces"] if row["faulty"] and
              any(h["kind"] == "uninstrumented_gap" for h in [row["culprit"],
                                                              *row["contributors"]])]
    assert paused, "the hot pod must show up at the peak"
    assert any(row["culprit"]["kind"] == "uninstrumented_gap" for row in paused)
    for row in paused:
        trace = traces[row["trace_id"]]
        (lookup,) = _spans(trace, _evidence(row, "uninstrumented_gap"))
        assert lookup.resource["k8s.pod.name"] == "feature-server-6f4d8c7b5-zx9kq"
        calls = _children(trace, lookup)
        gaps = [b.start_us - a.end_us for a, b in zip(calls, calls[1:], strict=False)
                if b.start_us is not None]
        assert max(gaps) > 100_000


def test_tenant_drift_is_acme_with_a_null_feature_and_no_errors() -> None:
    def faulty(row: Row, trace: Trace) -> None:
        (lookup,) = _spans(trace, row["culprit"]["span_ids"])
        assert lookup.attributes["tenant.id"] == "acme"
        assert lookup.attributes["feast.null_features"] == "tenant_profile:avg_order_value"
        _no_errors(trace)

    def normal(row: Row, trace: Trace) -> None:
        (lookup,) = _named(trace, "feature-server", "get_online_features")
        assert "feast.null_features" not in lookup.attributes
        _no_errors(trace)

    _check_each("tenant-drift", faulty, normal)


def test_tenant_drift_confidence_falls_over_two_weeks_for_acme_only() -> None:
    run = generate("tenant-drift", 1000, 1)
    from tracewhy.demo.truth import build_truth

    trend = build_truth(run, {})["fault"]["details"]["trend"]
    assert len(trend) == 14
    first, last = trend[0], trend[-1]
    assert last["acme_mean"] < first["acme_mean"] - 0.1
    assert abs(last["others_mean"] - first["others_mean"]) < 0.04
    assert all(row["start_us"] < run.end_us for row in build_truth(run, {})["traces"])


def test_mesh_retry_storm_shows_503s_retried_by_the_sidecar() -> None:
    timeouts = 0

    def faulty(row: Row, trace: Trace) -> None:
        nonlocal timeouts
        rejected = _spans(trace, row["culprit"]["span_ids"])
        assert all(s.service == "inference-server" and s.status == STATUS_ERROR and
                   s.attributes["http.response.status_code"] == 503 and
                   (s.duration_us or 0) > 900_000 for s in rejected)  # queued, then rejected
        retry = row["contributors"][0]
        assert (retry["layer"], retry["kind"]) == ("mesh", "retry")
        attempts = _spans(trace, retry["span_ids"])
        assert len(attempts) >= 2 and len(rejected) in (len(attempts), len(attempts) - 1)
        assert all(a.attributes["component"] == "proxy" and a.service == "predict-svc.ml-serving"
                   for a in attempts)
        assert [a.attributes.get("http.request.resend_count", 0) for a in attempts] == \
            list(range(len(attempts)))
        assert attempts[0].attributes["http.response.status_code"] == 503
        (outbound,) = _named(trace, retry["service"], retry["operation"])
        assert {a.parent_id for a in attempts} == {outbound.span_id}
        root = _root(trace)
        if root.attributes["http.response.status_code"] == 504:
            timeouts += 1
            assert 3_000_000 <= (root.duration_us or 0) < 3_010_000
            assert attempts[-1].attributes["response_flags"] == "DC"
            assert row["contributors"][-1]["kind"] == "timeout"

    def normal(row: Row, trace: Trace) -> None:
        assert len(_named(trace, "predict-svc.ml-serving",
                          "router outbound|8001||inference-server.ml-serving.svc.cluster.local "
                          "egress")) == 1

    _check_each("mesh-retry-storm", faulty, normal)
    assert timeouts >= 1


def test_silent_schema_retry_times_out_three_times_and_answers_200() -> None:
    def faulty(row: Row, trace: Trace) -> None:
        servers = _spans(trace, row["culprit"]["span_ids"])
        assert len(servers) == 3 and all(s.service == "feature-server" for s in servers)
        assert all(s.resource["service.version"] == "0.41.0" for s in servers)
        assert all(_exception_types(s) == ["pydantic_core._pydantic_core.ValidationError"]
                   for s in servers)
        clients = _spans(trace, row["contributors"][0]["span_ids"])
        assert [c.duration_us for c in clients] == [250_000] * 3
        assert all(c.status == STATUS_ERROR and c.resource["service.version"] == "1.14.2"
                   for c in clients)
        root = _root(trace)
        assert root.attributes["http.response.status_code"] == 200 and root.status != "error"
        (app,) = _named(trace, "predict-svc", "POST /predict")
        assert app.attributes["features.source"] == "defaults"

    def normal(row: Row, trace: Trace) -> None:
        assert len(_named(trace, "feature-server", "POST /get-online-features")) == 1
        _no_errors(trace)

    _check_each("silent-schema-retry", faulty, normal)


def test_inference_oom_originates_in_model_forward_and_reaches_the_client() -> None:
    def faulty(row: Row, trace: Trace) -> None:
        (forward,) = _spans(trace, row["culprit"]["span_ids"])
        assert forward.name == "model.forward" and forward.status == STATUS_ERROR
        assert _exception_types(forward) == ["torch.OutOfMemoryError"]
        assert forward.attributes["inference.batch_size"] >= 48
        assert _named(trace, "inference-server", "postprocess") == []
        (server,) = _named(trace, "inference-server",
                           "inference.GRPCInferenceService/ModelInfer")
        assert server.attributes["rpc.grpc.status_code"] == 13
        root = _root(trace)
        assert root.attributes["http.response.status_code"] == 500
        assert root.status == STATUS_ERROR

    def normal(row: Row, trace: Trace) -> None:
        _no_errors(trace)

    _check_each("inference-oom", faulty, normal)


def test_healthy_has_no_error_and_one_cold_start_that_loads_the_model() -> None:
    truth, traces = _files("healthy")
    for trace in traces.values():
        _no_errors(trace)
    cold = [row for row in truth["traces"] if row["cold_start"]]
    assert len(cold) == 1
    trace = traces[cold[0]["trace_id"]]
    (load,) = _named(trace, "inference-server", "model.load")
    assert load.resource["k8s.pod.name"] == "inference-server-7c5b9d8f6-x8q4h"
    assert _named(trace, "model-registry", "GET /api/2.0/mlflow/model-versions/get-download-uri")
    assert truth["worst_trace_id"] == cold[0]["trace_id"]
