"""The edge: ``POST /v1/predict`` on the API gateway, the root of every trace."""

from __future__ import annotations

from functools import partial

from tracewhy.demo import app
from tracewhy.demo.context import Ctx
from tracewhy.demo.mesh import Route, call
from tracewhy.demo.sim import SERVER, Builder, Node
from tracewhy.demo.stack import PUBLIC_HOST


def simulate(b: Builder, ctx: Ctx) -> Node:
    """Build the whole trace of one request; return its root."""
    req = ctx.req
    gateway = ctx.top.gateway.pods[req.gateway_pod]
    attrs = {
        "http.request.method": "POST", "url.path": "/v1/predict", "url.scheme": "https",
        "http.route": "/v1/predict", "server.address": PUBLIC_HOST, "server.port": 443,
        "network.protocol.version": "2", "user_agent.original": req.user_agent,
        "tenant.id": req.tenant, "client.platform": req.platform,
        "client.app_version": req.app_version,
    }
    with b.span(gateway, "kong", "POST /v1/predict", SERVER, attrs, "gateway.server") as root:
        b.wait(b.d.us(450))  # authentication, rate limiting, routing
        predict = ctx.top.predict
        route = Route(gateway, None, predict.pods[req.predict_pod],
                      predict.sidecars[req.predict_pod], predict, "POST", "/predict", "/predict",
                      client_scope="kong")
        answer, _ = call(b, route, partial(app.handle, ctx), "predict",
                         timeout_us=ctx.cfg.gateway_timeout_us)
        b.wait(b.d.us(160))
        status = 504 if answer.timed_out else answer.status
        root.attributes["http.response.status_code"] = status
        if status >= 500:
            root.error = "upstream request timeout" if answer.timed_out else answer.message
    return root
