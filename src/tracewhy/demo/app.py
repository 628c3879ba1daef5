"""``predict-svc``: validates the images, fetches features, asks the model, answers."""

from __future__ import annotations

from functools import partial

from tracewhy.demo import features, inference
from tracewhy.demo.context import Ctx
from tracewhy.demo.mesh import GRPC_UNAVAILABLE, Answer, Route, call
from tracewhy.demo.sim import Builder
from tracewhy.demo.stack import MODEL

FEATURE_BACKOFF_US = 50_000


def handle(ctx: Ctx, b: Builder, attempt: int) -> Answer:
    req = ctx.req
    span = b.current
    span.attributes.update({
        "tenant.id": req.tenant, "client.platform": req.platform, "model.name": MODEL,
        "inference.batch_size": req.batch_size, "image.format": req.image_format,
        "image.channels": req.image_channels,
    })
    b.wait(b.d.us(900 + 350 * req.batch_size))  # decode and validate the uploads
    ctx.features_ok = _fetch_features(b, ctx)
    b.wait(b.d.us(300))
    answer, _ = call(b, _inference_route(ctx), partial(inference.handle, ctx), "inference",
                     attempts=ctx.cfg.mesh_attempts)
    if answer.failed:
        b.event("exception", {"exception.type": "tritonclient.utils.InferenceServerException",
                              "exception.message": f"[StatusCode.{_grpc_name(answer)}] "
                                                   f"{answer.message}"})
        b.wait(b.d.us(200))
        status = 503 if answer.retriable else 500
        return Answer(status, message=f"inference failed: {answer.message}")
    span.attributes["prediction.label"] = ctx.label
    span.attributes["prediction.confidence"] = ctx.confidence
    b.wait(b.d.us(250))
    return Answer(200)


def _fetch_features(b: Builder, ctx: Ctx) -> bool:
    """The feature client: a timeout per attempt, retries, then default features (silently)."""
    cfg = ctx.cfg
    for attempt in range(cfg.feature_attempts):
        if attempt:
            b.wait(b.d.us(FEATURE_BACKOFF_US * attempt, 0.2))
        answer, _ = call(b, _features_route(ctx), partial(features.handle, ctx), "features",
                         attempts=cfg.mesh_attempts, timeout_us=cfg.feature_timeout_us,
                         resend=attempt)
        if not answer.failed:
            return True
    b.current.attributes["features.source"] = "defaults"
    b.event("features.fallback", {"reason": "feature store unavailable",
                                  "attempts": cfg.feature_attempts})
    return False


def _features_route(ctx: Ctx) -> Route:
    req, predict = ctx.req, ctx.top.predict
    store = ctx.top.features_upgraded if req.features_upgraded else ctx.top.features
    return Route(predict.pods[req.predict_pod], predict.sidecars[req.predict_pod],
                 store.pods[req.feature_pod], store.sidecars[req.feature_pod], store, "POST",
                 "/get-online-features", "/get-online-features")


def _inference_route(ctx: Ctx) -> Route:
    req, predict, server = ctx.req, ctx.top.predict, ctx.top.inference
    grpc = ctx.cfg.inference_protocol == "grpc"
    path = "/inference.GRPCInferenceService/ModelInfer" if grpc \
        else f"/v2/models/{MODEL}/infer"
    return Route(predict.pods[req.predict_pod], predict.sidecars[req.predict_pod],
                 server.pods[req.inference_pod], server.sidecars[req.inference_pod], server,
                 "POST", path, path[1:] if grpc else "/v2/models/{model}/infer", grpc=grpc,
                 client_scope="opentelemetry.instrumentation.grpc" if grpc
                 else "opentelemetry.instrumentation.httpx",
                 server_scope="triton-inference-server")


def _grpc_name(answer: Answer) -> str:
    if answer.grpc_code == GRPC_UNAVAILABLE or answer.status == 503:
        return "UNAVAILABLE"
    return "INTERNAL"
