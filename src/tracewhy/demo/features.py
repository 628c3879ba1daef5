"""``feature-server``: a Feast online store answering ``POST /get-online-features`` from Redis.

Rows of the ``listing_stats`` view are read with one pipelined ``HMGET`` for all entities, or
(the N+1 bug) one ``HGETALL`` per entity in sequence; the ``tenant_profile`` row follows.
"""

from __future__ import annotations

from tracewhy.demo.context import Ctx
from tracewhy.demo.mesh import Answer
from tracewhy.demo.sim import CLIENT, INTERNAL, Builder, Process
from tracewhy.demo.stack import REDIS_HOST

FEATURE_COUNT = 14
LEGACY_FIELD_ERROR = ("1 validation error for GetOnlineFeaturesRequest\nentity_rows\n"
                      "  Extra inputs are not permitted [type=extra_forbidden]")
HANG_US = 60_000_000  # how long the broken handler would wait: longer than any client


def handle(ctx: Ctx, b: Builder, attempt: int) -> Answer:
    req = ctx.req
    store = ctx.top.features_upgraded if req.features_upgraded else ctx.top.features
    process = store.pods[req.feature_pod]
    b.wait(b.d.us(400))  # read and validate the body
    if req.legacy_payload and req.features_upgraded:
        # 0.41 forbids the old field; the error handler swallows the exception and never
        # answers, so the request hangs until the client gives up.
        b.event("exception", {"exception.type": "pydantic_core._pydantic_core.ValidationError",
                              "exception.message": LEGACY_FIELD_ERROR})
        b.current.error = "ValidationError: entity_rows: Extra inputs are not permitted"
        b.wait(HANG_US)
        return Answer(500, message="no response")
    attrs = {"feast.project": "marketplace", "feast.feature_service": "listing_classifier_v7",
             "feast.entity_count": req.batch_size, "feast.feature_count": FEATURE_COUNT,
             "tenant.id": req.tenant}
    with b.span(process, "feast", "get_online_features", INTERNAL, attrs,
                "features.lookup") as lookup:
        b.wait(b.d.us(300))
        if req.n_plus_one:
            _rows_one_by_one(b, ctx, process)
        else:
            _redis(b, process, "HMGET", "HMGET listing_stats:? ctr_7d price_usd views_30d",
                   b.d.us(req.redis_median_us * (1 + 0.03 * req.batch_size)), req.batch_size,
                   "features.redis.rows")
        b.wait(b.d.us(80))
        _redis(b, process, "HMGET", "HMGET tenant_profile:? avg_order_value return_rate",
               b.d.us(req.redis_median_us), 1, "features.redis.tenant")
        b.wait(b.d.us(150 + 20 * req.batch_size))  # assemble the feature vectors
        if req.null_feature:
            lookup.attributes["feast.null_feature_count"] = 1
            lookup.attributes["feast.null_features"] = req.null_feature
    b.wait(b.d.us(250))  # serialise the response
    return Answer(200)


def _rows_one_by_one(b: Builder, ctx: Ctx, process: Process) -> None:
    req = ctx.req
    n = req.batch_size
    stall_at = {(k + 1) * n // (len(req.pauses_us) + 1): pause
                for k, pause in enumerate(req.pauses_us)}
    for i in range(n):
        b.wait(stall_at.get(i, 0))  # a stop-the-world pause: nothing is traced meanwhile
        _redis(b, process, "HGETALL", "HGETALL listing_stats:?",
               b.d.us(req.redis_median_us, 0.35), None, "features.redis.rows")
        b.wait(b.d.us(90))


def _redis(b: Builder, process: Process, operation: str, statement: str, us: int,
           batch: int | None, role: str) -> None:
    attrs: dict[str, object] = {
        "db.system": "redis", "db.operation": operation, "db.statement": statement,
        "db.redis.database_index": 0, "server.address": REDIS_HOST,
        "server.port": 6379, "network.peer.address": "10.43.7.20",
    }
    if batch and batch > 1:
        attrs["db.operation.batch.size"] = batch
    with b.span(process, "opentelemetry.instrumentation.redis", operation, CLIENT, attrs, role):
        b.wait(us)
