"""The simulated stack looks like an instrumented production cluster: a process per service,
client/server pairs with sidecars between them, and the OpenTelemetry semantic conventions."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan

from tracewhy.demo import generate
from tracewhy.demo.run import TraceRecord


@cache
def _records(name: str) -> tuple[TraceRecord, ...]:
    return tuple(generate(name, 40, 8).records)


def _by_id(record: TraceRecord) -> dict[int, ReadableSpan]:
    return {span.context.span_id: span for span in record.spans if span.context}


def _attrs(span: ReadableSpan) -> Mapping[str, Any]:
    return span.attributes or {}


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


def _chain_below(record: TraceRecord, client: ReadableSpan) -> list[ReadableSpan]:
    """Follow the first child down from a client span until a server of another app."""
    children: dict[int, list[ReadableSpan]] = {}
    for span in record.spans:
        if span.parent is not None:
            children.setdefault(span.parent.span_id, []).append(span)
    chain, span = [client], client
    while span.context and children.get(span.context.span_id):
        span = children[span.context.span_id][0]
        chain.append(span)
        if span.kind.name == "SERVER" and _attrs(span).get("component") != "proxy":
            break
    return chain


def test_every_process_has_its_own_resource() -> None:
    resources = {}
    for record in _records("healthy"):
        for span in record.spans:
            attrs = span.resource.attributes
            resources[attrs["service.instance.id"]] = attrs
    names = {attrs["service.name"] for attrs in resources.values()}
    assert {"api-gateway", "predict-svc", "predict-svc.ml-serving", "feature-server",
            "feature-server.ml-serving", "inference-server", "inference-server.ml-serving"} \
        <= names
    for attrs in resources.values():
        assert attrs["service.version"] and attrs["k8s.pod.name"] and attrs["k8s.namespace.name"]
    sidecars = [a for a in resources.values() if a["k8s.container.name"] == "istio-proxy"]
    assert sidecars and all(str(a["service.name"]).endswith(".ml-serving") for a in sidecars)


def test_a_remote_call_is_client_then_sidecars_then_server() -> None:
    record = _records("healthy")[0]
    client = next(s for s in record.spans
                  if s.name == "POST /get-online-features" and s.kind.name == "CLIENT")
    chain = _chain_below(record, client)
    assert [(_service(s), s.kind.name) for s in chain] == [
        ("predict-svc", "CLIENT"), ("predict-svc.ml-serving", "CLIENT"),
        ("predict-svc.ml-serving", "CLIENT"), ("feature-server.ml-serving", "SERVER"),
        ("feature-server", "SERVER")]
    outbound, attempt, inbound, server = chain[1:]
    assert _attrs(outbound)["upstream_cluster"] == \
        "outbound|6566||feature-server.ml-serving.svc.cluster.local"
    assert _attrs(attempt)["component"] == _attrs(inbound)["component"] == "proxy"
    assert _attrs(inbound)["upstream_cluster"] == "inbound|6566||"
    assert server.name == client.name and _attrs(server)["http.route"] == \
        "/get-online-features"
    # each hop into another process (the app's own sidecar too) carries its context over the
    # wire as a W3C traceparent; only the attempt shares its parent's process
    assert [s.parent.is_remote for s in chain[1:] if s.parent] == [True, False, True, True]


def test_grpc_inference_follows_the_rpc_conventions() -> None:
    record = _records("healthy")[0]
    calls = [s for s in record.spans if s.name == "inference.GRPCInferenceService/ModelInfer"]
    assert {(_service(s), s.kind.name) for s in calls} == {("predict-svc", "CLIENT"),
                                                            ("inference-server", "SERVER")}
    for span in calls:
        assert _attrs(span)["rpc.system"] == "grpc"
        assert _attrs(span)["rpc.service"] == "inference.GRPCInferenceService"
        assert _attrs(span)["rpc.method"] == "ModelInfer"
        assert _attrs(span)["rpc.grpc.status_code"] == 0
    server = next(s for s in calls if s.kind.name == "SERVER")
    stages = [s.name for s in record.spans if s.parent and s.parent.span_id ==
              server.context.span_id]
    assert stages == ["preprocess", "model.forward", "postprocess"]
    assert [e.name for e in server.events] == ["QUEUE_START", "COMPUTE_START", "COMPUTE_END"]


def test_http_inference_uses_the_kserve_v2_route() -> None:
    record = _records("mesh-retry-storm")[0]
    (server,) = [s for s in record.spans
                 if _service(s) == "inference-server" and s.kind.name == "SERVER"]
    assert server.name == "POST /v2/models/{model}/infer"
    assert _attrs(server)["url.path"] == "/v2/models/listing-classifier/infer"
    assert _attrs(server)["http.response.status_code"] == 200


def test_root_redis_and_ml_attributes() -> None:
    record = _records("healthy")[1]
    root = record.spans[0]
    assert root.parent is None and root.kind.name == "SERVER"
    for key in ("http.request.method", "url.path", "http.route", "http.response.status_code",
                "server.address", "tenant.id", "client.platform", "user_agent.original"):
        assert key in _attrs(root), key
    redis = [s for s in record.spans if _attrs(s).get("db.system") == "redis"]
    assert redis and all(s.kind.name == "CLIENT" and _attrs(s)["db.operation"] == s.name
                         and _attrs(s)["server.port"] == 6379 for s in redis)
    app = next(s for s in record.spans
               if _service(s) == "predict-svc" and s.name == "POST /predict")
    for key in ("model.name", "inference.batch_size", "image.format", "image.channels",
                "prediction.label", "prediction.confidence"):
        assert key in _attrs(app), key
    assert 0.0 < float(_attrs(app)["prediction.confidence"]) < 1.0


def test_spans_nest_inside_their_parents() -> None:
    for name in ("mesh-retry-storm", "silent-schema-retry", "inference-oom"):
        for record in _records(name):
            spans = _by_id(record)
            for span in record.spans:
                assert span.start_time is not None and span.end_time is not None
                assert span.end_time - span.start_time >= 1000  # at least 1 µs
                if span.parent is not None:
                    parent = spans[span.parent.span_id]
                    assert parent.start_time is not None and parent.end_time is not None
                    assert parent.start_time <= span.start_time
                    assert span.end_time <= parent.end_time
