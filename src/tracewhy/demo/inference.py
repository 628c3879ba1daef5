"""``inference-server``: Triton speaking the KServe v2 protocol (gRPC ``ModelInfer`` or HTTP
``POST /v2/models/{model}/infer``), with preprocess, model.forward and postprocess spans and
Triton's QUEUE_START / COMPUTE_START / COMPUTE_END events.  A new pod first loads the model
from the MLflow registry and object storage.
"""

from __future__ import annotations

from tracewhy.demo.context import Ctx
from tracewhy.demo.mesh import GRPC_INTERNAL, GRPC_OK, GRPC_UNAVAILABLE, Answer, Route, call
from tracewhy.demo.sim import CLIENT, INTERNAL, Builder, Process
from tracewhy.demo.stack import LABELS, MODEL, MODEL_STORE_HOST, MODEL_VERSION

SCOPE = "triton-inference-server"
QUEUE_TIMEOUT_US = 900_000  # the model's queue policy: reject what waited longer
OOM_MESSAGE = ("CUDA out of memory. Tried to allocate {gib:.2f} GiB. GPU 0 has a total capacity "
               "of 22.05 GiB of which 1.31 GiB is free. Of the allocated memory 19.87 GiB is "
               "allocated by PyTorch, and 412.00 MiB is reserved by PyTorch but unallocated.")


def handle(ctx: Ctx, b: Builder, attempt: int) -> Answer:
    req = ctx.req
    process = ctx.top.inference.pods[req.inference_pod]
    grpc = ctx.cfg.inference_protocol == "grpc"
    b.current.attributes.update({"model.name": MODEL, "model.version": MODEL_VERSION,
                                 "inference.batch_size": req.batch_size})
    if req.cold_start and attempt == 0:
        _load_model(b, ctx, process)
    b.event("QUEUE_START")
    if attempt < len(req.overloaded) and req.overloaded[attempt]:
        b.wait(QUEUE_TIMEOUT_US + b.d.between(50, 900))
        message = (f"Request for model '{MODEL}' timed out in the queue after "
                   f"{QUEUE_TIMEOUT_US // 1000} ms (queue full: 256 pending)")
        return Answer(200 if grpc else 503, GRPC_UNAVAILABLE if grpc else None, message)
    b.wait(b.d.us(700))
    b.event("COMPUTE_START")
    failure = _compute(b, ctx, process)
    b.event("COMPUTE_END")
    if failure:
        return Answer(200 if grpc else 500, GRPC_INTERNAL if grpc else None, failure)
    return Answer(200, GRPC_OK if grpc else None)


def _compute(b: Builder, ctx: Ctx, process: Process) -> str | None:
    """Run the three stages; return the error message if model.forward failed."""
    req = ctx.req
    n = req.batch_size
    with b.span(process, SCOPE, "preprocess", INTERNAL, {
            "image.format": req.image_format, "image.channels": req.image_channels,
            "preprocess.resize": "224x224", "preprocess.output_shape": f"[{n},3,224,224]",
            "inference.batch_size": n}, "inference.preprocess"):
        b.wait(b.d.us(2500 + 700 * n))
    attrs = {"model.name": MODEL, "model.version": MODEL_VERSION, "inference.batch_size": n,
             "model.device": "cuda:0", "model.precision": "fp16"}
    with b.span(process, SCOPE, "model.forward", INTERNAL, attrs, "inference.forward") as forward:
        if req.oom:
            b.wait(b.d.us(6000 + 250 * n))
            message = OOM_MESSAGE.format(gib=0.048 * n)
            b.event("exception", {"exception.type": "torch.OutOfMemoryError",
                                  "exception.message": message})
            forward.error = f"torch.OutOfMemoryError: {message}"
            return message
        b.wait(b.d.us(14000 + 450 * n))
    with b.span(process, SCOPE, "postprocess", INTERNAL, {"inference.batch_size": n},
                "inference.postprocess") as post:
        b.wait(b.d.us(900 + 40 * n))
        _predict(b, ctx)
        post.attributes["prediction.label"] = ctx.label
        post.attributes["prediction.confidence"] = ctx.confidence
    return None


def _predict(b: Builder, ctx: Ctx) -> None:
    """The model's answer for the first image: right and confident unless its input was bad."""
    req, d = ctx.req, b.d
    confidence = min(0.995, max(0.62, d.rng.gauss(0.9, 0.04)))
    wrong = 0.03
    if req.image_channels == 4:  # RGBA/BGRA read as RGB: the tensor is garbage
        confidence, wrong = d.uniform(0.22, 0.58), 0.65
    if req.null_feature:
        confidence, wrong = confidence - d.uniform(0.12, 0.3), max(wrong, 0.2)
    if not ctx.features_ok:
        confidence, wrong = confidence - d.uniform(0.04, 0.12), max(wrong, 0.1)
    label = req.true_label
    if d.chance(wrong):
        label = d.pick([other for other in LABELS if other != label])
    ctx.label, ctx.confidence = label, round(confidence, 4)


def _load_model(b: Builder, ctx: Ctx, process: Process) -> None:
    attrs = {"model.name": MODEL, "model.version": MODEL_VERSION,
             "model.uri": f"models:/{MODEL}/{MODEL_VERSION}", "model.registry": "mlflow"}
    with b.span(process, SCOPE, "model.load", INTERNAL, attrs, "inference.model_load"):
        b.wait(b.d.us(2000))
        call(b, _registry_route(ctx, process), _registry_lookup, "registry")
        b.wait(b.d.us(400))
        url = f"https://{MODEL_STORE_HOST}/{MODEL}/{MODEL_VERSION}/model.plan"
        with b.span(process, SCOPE, "GET", CLIENT, {
                "http.request.method": "GET", "url.full": url, "server.address": MODEL_STORE_HOST,
                "server.port": 443, "http.response.status_code": 200,
                "http.response.body.size": 873_224_192}, "inference.download"):
            b.wait(b.d.us(1_600_000, 0.2))
        with b.span(process, SCOPE, "model.warmup", INTERNAL, {"model.name": MODEL},
                    "inference.warmup"):
            b.wait(b.d.us(260_000))


def _registry_route(ctx: Ctx, process: Process) -> Route:
    server, registry = ctx.top.inference, ctx.top.registry
    sidecar = server.sidecars[server.pods.index(process)]
    path = "/api/2.0/mlflow/model-versions/get-download-uri"
    return Route(process, sidecar, registry.pods[0], registry.sidecars[0], registry, "GET", path,
                 path, client_scope=SCOPE, server_scope="opentelemetry.instrumentation.flask")


def _registry_lookup(b: Builder, attempt: int) -> Answer:
    registry = b.current.process
    b.wait(b.d.us(1200))
    with b.span(registry, "opentelemetry.instrumentation.sqlalchemy", "SELECT mlflow", CLIENT, {
            "db.system": "postgresql", "db.operation": "SELECT", "db.name": "mlflow",
            "db.statement": "SELECT model_versions.storage_location FROM model_versions "
                            "WHERE name = %(name)s AND version = %(version)s",
            "server.address": "mlflow-db.ml-serving.svc.cluster.local", "server.port": 5432},
            "registry.db"):
        b.wait(b.d.us(2800))
    b.wait(b.d.us(900))
    return Answer(200)
