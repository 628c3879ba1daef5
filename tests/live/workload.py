"""A small instrumented ML-serving workload, traced with the real OpenTelemetry SDK.

Each request goes gateway -> feature-store (-> its database) and gateway -> model-server
(-> the model's forward pass).  Some requests are slow, some fail, some call another model
operation, and they happen at explicit times, so a search over them has exactly one right answer.
Every span goes, as in production, through the SDK's exporters: OTLP/HTTP into Jaeger and the
Zipkin JSON exporter into Zipkin.  Service names carry a per-run prefix, so runs against a
long-lived server never see each other's traces.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.trace import SpanKind, Status, StatusCode

SERVICES = ("gateway", "feature-store", "model-server")
MINUTE_US = 60_000_000


@dataclass
class SpanPlan:
    service: str  # one of SERVICES (the run prefix is added when emitting)
    name: str
    kind: SpanKind
    start_us: int  # offset from the request's start
    duration_us: int
    error: str | None = None  # "": failed, with no description (as many instrumentations do)
    children: list[SpanPlan] = field(default_factory=list)


@dataclass
class RequestPlan:
    label: str
    at_us: int  # absolute start, µs since the epoch
    model_op: str = "predict"
    feature_us: int = 8_000
    model_us: int = 20_000
    error: str | None = None  # the model server fails with this message
    trace_id: int | None = None  # force an id (to test id forms); random otherwise


@dataclass(frozen=True)
class EmittedSpan:
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str
    start_us: int
    duration_us: int
    error: bool


@dataclass(frozen=True)
class EmittedTrace:
    label: str
    trace_id: str
    spans: tuple[EmittedSpan, ...]
    plan: RequestPlan

    @property
    def root(self) -> EmittedSpan:
        return next(s for s in self.spans if s.parent_id is None)

    @property
    def has_error(self) -> bool:
        return any(s.error for s in self.spans)


def request_tree(plan: RequestPlan) -> SpanPlan:
    """The spans of one inference request; errors propagate up to the gateway, as they do."""
    f, m = plan.feature_us, plan.model_us
    total = 1_000 + f + 1_000 + m + 2_000
    features = SpanPlan("gateway", "GET /features", SpanKind.CLIENT, 1_000, f, children=[
        SpanPlan("feature-store", "GetFeatures", SpanKind.SERVER, 1_500, f - 1_000, children=[
            SpanPlan("feature-store", "SELECT features", SpanKind.CLIENT, 2_000, f - 3_000)])])
    model_start = 2_000 + f
    failed = "" if plan.error else None  # the client only sees that the call failed
    model = SpanPlan("gateway", f"POST /{plan.model_op}", SpanKind.CLIENT, model_start, m,
                     error=failed, children=[
        SpanPlan("model-server", plan.model_op, SpanKind.SERVER, model_start + 500, m - 1_000,
                 error=plan.error, children=[
            SpanPlan("model-server", "model.forward", SpanKind.INTERNAL, model_start + 1_000,
                     m - 3_000, error=plan.error)])])
    return SpanPlan("gateway", "POST /v1/predict", SpanKind.SERVER, 0, total,
                    error=plan.error and "upstream model failed", children=[features, model])


def standard_plans(now_us: int) -> list[RequestPlan]:
    """Two requests three hours ago, five in the last half hour, in time order."""
    old = now_us - 180 * MINUTE_US
    recent = now_us - 30 * MINUTE_US
    high_zero = random.getrandbits(64) | 1 << 60  # a 64-bit id carried in a 128-bit field
    short = random.getrandbits(44) | 1 << 40  # an id with 21 leading zero hex digits
    return [
        RequestPlan("old-fast", old, trace_id=high_zero),
        RequestPlan("old-slow", old + MINUTE_US, model_us=700_000, trace_id=short),
        RequestPlan("fast", recent),
        RequestPlan("slow", recent + 1 * MINUTE_US, model_us=600_000),
        RequestPlan("v2-error", recent + 2 * MINUTE_US, model_op="predict-v2",
                    error="CUDA out of memory"),
        RequestPlan("slow-error", recent + 3 * MINUTE_US, model_us=900_000,
                    error="deadline exceeded"),
        RequestPlan("v2-fast", recent + 4 * MINUTE_US, model_op="predict-v2"),
    ]


class _PlannedIds(IdGenerator):
    """Random ids, except for trace ids a plan asks for."""

    def __init__(self) -> None:
        self.random = RandomIdGenerator()
        self.next_trace_id: int | None = None

    def generate_span_id(self) -> int:
        return self.random.generate_span_id()

    def generate_trace_id(self) -> int:
        forced, self.next_trace_id = self.next_trace_id, None
        return forced if forced is not None else self.random.generate_trace_id()


class Workload:
    """Emits planned requests through one TracerProvider per service."""

    def __init__(self, otlp_url: str | None, zipkin_url: str | None,
                 prefix: str | None = None) -> None:
        self.prefix = prefix or f"tw{secrets.token_hex(4)}"
        self.ids = _PlannedIds()
        self.providers = {service: self._provider(service, otlp_url, zipkin_url)
                          for service in SERVICES}

    def service(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def _provider(self, service: str, otlp_url: str | None,
                  zipkin_url: str | None) -> TracerProvider:
        provider = TracerProvider(resource=Resource.create({"service.name": self.service(service)}),
                                  id_generator=self.ids)
        if otlp_url:
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_url)))
        if zipkin_url:
            provider.add_span_processor(BatchSpanProcessor(ZipkinExporter(endpoint=zipkin_url)))
        return provider

    def emit(self, plans: list[RequestPlan]) -> list[EmittedTrace]:
        emitted = [self._emit_one(plan) for plan in plans]
        for provider in self.providers.values():
            provider.force_flush()
        return emitted

    def shutdown(self) -> None:
        for provider in self.providers.values():
            provider.shutdown()

    def _emit_one(self, plan: RequestPlan) -> EmittedTrace:
        self.ids.next_trace_id = plan.trace_id
        spans: list[EmittedSpan] = []
        self._emit_span(request_tree(plan), plan.at_us, None, spans)
        trace_id = format(plan.trace_id, "032x") if plan.trace_id else None
        return EmittedTrace(plan.label, trace_id or self._trace_id, tuple(spans), plan)

    def _emit_span(self, span_plan: SpanPlan, base_us: int, parent: SdkSpan | None,
                   out: list[EmittedSpan]) -> None:
        tracer = self.providers[span_plan.service].get_tracer("tracewhy.tests.workload")
        context = trace.set_span_in_context(parent) if parent is not None else Context()
        start = base_us + span_plan.start_us
        span = tracer.start_span(span_plan.name, context=context, kind=span_plan.kind,
                                 start_time=start * 1000)
        assert isinstance(span, SdkSpan)
        for child in span_plan.children:
            self._emit_span(child, base_us, span, out)
        if span_plan.error is not None:
            span.set_status(Status(StatusCode.ERROR, span_plan.error or None))
        span.end(end_time=(start + span_plan.duration_us) * 1000)
        self._record(span, span_plan, start, out)

    def _record(self, span: SdkSpan, span_plan: SpanPlan, start: int,
                out: list[EmittedSpan]) -> None:
        context = span.get_span_context()
        self._trace_id = format(context.trace_id, "032x")
        parent = format(span.parent.span_id, "016x") if span.parent else None
        out.append(EmittedSpan(format(context.span_id, "016x"), parent,
                               self.service(span_plan.service), span_plan.name,
                               span_plan.kind.name.lower(), start, span_plan.duration_us,
                               span_plan.error is not None))


def by_label(traces: list[EmittedTrace]) -> dict[str, EmittedTrace]:
    return {t.label: t for t in traces}


def labels(traces: Iterator[EmittedTrace] | list[EmittedTrace]) -> set[str]:
    return {t.label for t in traces}
