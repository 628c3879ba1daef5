"""Remote calls through the service mesh, as the traces of an Istio cluster show them.

One call from app A to app B is, from the caller down::

    A      CLIENT  "POST /get-online-features"          the caller's HTTP/gRPC client
    A-side CLIENT  "<B host>:<port>/*"                  A's sidecar, outbound (component=proxy)
    A-side CLIENT  "router outbound|<port>||<B> egress"  one per attempt: Envoy retries
    B-side SERVER  "<B host>:<port>/*"                  B's sidecar, inbound
    B      SERVER  "POST /get-online-features"          B's handler

The gateway is the mesh's edge, so its calls have no outbound sidecar.  Envoy retries 503 and
gRPC UNAVAILABLE answers up to ``attempts`` times; each attempt is its own span, numbered with
``http.request.resend_count``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracewhy.demo.sim import CLIENT, SERVER, Builder, Event, Node, Process, cut
from tracewhy.demo.stack import App

GRPC_OK, GRPC_INTERNAL, GRPC_UNAVAILABLE = 0, 13, 14
RETRY_BACKOFF_US = 25_000  # Envoy's base retry interval


@dataclass(frozen=True, slots=True)
class Answer:
    """What the callee answered; for gRPC the HTTP status is the transport's (200)."""

    status: int
    grpc_code: int | None = None
    message: str = ""
    timed_out: bool = False

    @property
    def failed(self) -> bool:
        return self.timed_out or self.status >= 500 or self.grpc_code not in (None, GRPC_OK)

    @property
    def retriable(self) -> bool:
        return self.status == 503 or self.grpc_code == GRPC_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class Route:
    """Who calls whom, and how: the names and attributes of both ends of one call."""

    caller: Process
    caller_sidecar: Process | None  # None at the mesh edge (the gateway)
    callee: Process
    callee_sidecar: Process
    app: App
    method: str  # HTTP method (POST for gRPC)
    path: str  # url path; for gRPC "/<service>/<method>"
    route: str  # http.route template, or the gRPC full method
    grpc: bool = False
    client_scope: str = "opentelemetry.instrumentation.httpx"
    server_scope: str = "opentelemetry.instrumentation.fastapi"

    @property
    def name(self) -> str:
        return self.route if self.grpc else f"{self.method} {self.route}"

    @property
    def cluster(self) -> str:
        return f"outbound|{self.app.port}||{self.app.host}"


Serve = Callable[[Builder, int], Answer]  # the callee's handler, given the attempt number


def call(b: Builder, route: Route, serve: Serve, role: str, *, attempts: int = 1,
         timeout_us: int | None = None, resend: int = 0) -> tuple[Answer, Node]:
    """Make one call; return the answer and the caller's client span.

    The spans of the call get roles ``<role>.client``, ``.outbound``, ``.attempt``,
    ``.inbound`` and ``.server``, by which scenarios find them.
    """
    attrs = _client_attributes(route, resend)
    with b.span(route.caller, route.client_scope, route.name, CLIENT, attrs,
                f"{role}.client") as client:
        b.wait(b.d.us(70))
        if route.caller_sidecar is None:
            answer = _inbound(b, route, serve, 0, role)
        else:
            answer = _outbound(b, route, serve, attempts, role)
        b.wait(b.d.us(50))
        _set_result(client, route, answer, client_side=True)
    if timeout_us is not None and client.end_us - client.start_us > timeout_us:
        answer = _time_out(b, client, route, client.start_us + timeout_us)
    return answer, client


def _time_out(b: Builder, client: Node, route: Route, deadline: int) -> Answer:
    cut(client, deadline)
    b.rewind(client.end_us)
    client.error = "timed out"
    client.attributes["error.type"] = "timeout"
    if route.caller_sidecar is not None:  # an app's HTTP client raises; the gateway just logs
        client.events.append(Event(deadline, "exception", {
            "exception.type": "httpx.ReadTimeout", "exception.message": "timed out"}))
    return Answer(0, message="timed out", timed_out=True)


def _outbound(b: Builder, route: Route, serve: Serve, attempts: int, role: str) -> Answer:
    assert route.caller_sidecar is not None
    attrs = _proxy_attributes(route, route.caller_sidecar, route.cluster)
    with b.span(route.caller_sidecar, "envoy", f"{route.app.host}:{route.app.port}/*", CLIENT,
                attrs, f"{role}.outbound") as outbound:
        b.wait(b.d.us(180))
        answer = _attempt(b, route, serve, 0, role)
        tries = 1
        while answer.retriable and tries < attempts:
            b.wait(b.d.us(RETRY_BACKOFF_US * tries, 0.3))
            answer = _attempt(b, route, serve, tries, role)
            tries += 1
        b.wait(b.d.us(90))
        _set_result(outbound, route, answer)
        exhausted = tries > 1 and answer.retriable
        outbound.attributes["response_flags"] = "URX" if exhausted else "-"
    return answer


def _attempt(b: Builder, route: Route, serve: Serve, attempt: int, role: str) -> Answer:
    assert route.caller_sidecar is not None
    attrs: dict[str, Any] = {"component": "proxy", "upstream_cluster": route.cluster,
                             "upstream_address": f"{route.callee.ip}:{route.app.port}"}
    if attempt:
        attrs["http.request.resend_count"] = attempt
    with b.span(route.caller_sidecar, "envoy", f"router {route.cluster} egress", CLIENT, attrs,
                f"{role}.attempt") as span:
        b.wait(b.d.us(60))
        answer = _inbound(b, route, serve, attempt, role)
        b.wait(b.d.us(40))
        _set_result(span, route, answer)
        span.attributes["response_flags"] = "-"
    return answer


def _inbound(b: Builder, route: Route, serve: Serve, attempt: int, role: str) -> Answer:
    b.wait(b.d.us(350))  # the wire between pods
    cluster = f"inbound|{route.app.port}||"
    attrs = _proxy_attributes(route, route.callee_sidecar, cluster)
    with b.span(route.callee_sidecar, "envoy", f"{route.app.host}:{route.app.port}/*", SERVER,
                attrs, f"{role}.inbound") as inbound:
        b.wait(b.d.us(140))
        with b.span(route.callee, route.server_scope, route.name, SERVER,
                    _server_attributes(route), f"{role}.server") as server:
            b.wait(b.d.us(60))
            answer = serve(b, attempt)
            b.wait(b.d.us(40))
            _set_result(server, route, answer)
        b.wait(b.d.us(80))
        _set_result(inbound, route, answer)
        inbound.attributes["response_flags"] = "-"
    b.wait(b.d.us(350))
    return answer


def _set_result(node: Node, route: Route, answer: Answer, *, client_side: bool = False) -> None:
    attrs = node.attributes
    proxy = attrs.get("component") == "proxy"
    if route.grpc and not proxy:
        attrs["rpc.grpc.status_code"] = answer.grpc_code if answer.grpc_code is not None else 0
        if answer.grpc_code:
            node.error = answer.message
        return
    attrs["http.response.status_code"] = answer.status
    if proxy and route.grpc:
        attrs["grpc.status_code"] = answer.grpc_code or GRPC_OK
    if proxy and answer.failed:
        node.error = ""  # Envoy marks the span as an error and says no more
    elif answer.status >= 500 or (client_side and answer.status >= 400):
        node.error = answer.message or f"HTTP {answer.status}"


def _client_attributes(route: Route, resend: int) -> dict[str, Any]:
    if route.grpc:
        attrs = _rpc_attributes(route)
    else:
        attrs = {"http.request.method": route.method,
                 "url.full": f"http://{route.app.host}:{route.app.port}{route.path}",
                 "server.address": route.app.host, "server.port": route.app.port}
    if resend:
        attrs["http.request.resend_count"] = resend
    return attrs


def _server_attributes(route: Route) -> dict[str, Any]:
    if route.grpc:
        return _rpc_attributes(route)
    return {"http.request.method": route.method, "url.path": route.path, "url.scheme": "http",
            "http.route": route.route, "server.address": route.app.host,
            "server.port": route.app.port, "network.protocol.version": "1.1"}


def _rpc_attributes(route: Route) -> dict[str, Any]:
    service, _, method = route.route.rpartition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method,
            "server.address": route.app.host, "server.port": route.app.port}


def _proxy_attributes(route: Route, sidecar: Process, cluster: str) -> dict[str, Any]:
    app = sidecar.service.removesuffix(".ml-serving")
    return {
        "component": "proxy",
        "node_id": f"sidecar~{sidecar.ip}~{sidecar.pod}.ml-serving~ml-serving.svc.cluster.local",
        "upstream_cluster": cluster,
        "http.request.method": route.method,
        "url.full": f"http://{route.app.host}:{route.app.port}{route.path}",
        "istio.canonical_service": app,
        "istio.namespace": "ml-serving",
    }
