"""Turn planned trees into real OpenTelemetry spans, one TracerProvider per process.

Each process (pod container) gets its own ``TracerProvider`` and ``Resource``, as it would in
production; all of them share one seeded ``IdGenerator``, so the same seed gives the same
trace and span ids.  A call into another process carries its context the way real services
do, through a W3C ``traceparent`` header (inject in the caller, extract in the callee), so the
callee's parent is a remote span context.  Spans get the plan's start and end times.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import (
    INVALID_SPAN_ID,
    INVALID_TRACE_ID,
    Span,
    SpanKind,
    Status,
    StatusCode,
    Tracer,
    set_span_in_context,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from tracewhy.demo.sim import CLIENT, INTERNAL, SERVER, Node, Process
from tracewhy.errors import ConfigError

_KINDS = {SERVER: SpanKind.SERVER, CLIENT: SpanKind.CLIENT, INTERNAL: SpanKind.INTERNAL}
_PROPAGATOR = TraceContextTextMapPropagator()
# Explicit limits, so OTEL_*_LIMIT variables in the environment cannot change the output.
_LIMITS = SpanLimits(max_attributes=128, max_events=128, max_links=128,
                     max_span_attributes=128, max_event_attributes=128, max_link_attributes=128,
                     max_attribute_length=SpanLimits.UNSET,
                     max_span_attribute_length=SpanLimits.UNSET)
SCOPE_VERSIONS = {"envoy": "1.32.3", "kong": "3.9.1", "feast": "0.40.1",
                  "triton-inference-server": "2.49.0"}
INSTRUMENTATION_VERSION = "0.50b0"


class SeededIdGenerator(IdGenerator):
    """Trace and span ids from a seeded generator: same seed, same ids."""

    def __init__(self, seed: int | str) -> None:
        self._rng = random.Random(f"tracewhy-demo-ids/{seed}")

    def generate_span_id(self) -> int:
        value = INVALID_SPAN_ID
        while value == INVALID_SPAN_ID:
            value = self._rng.getrandbits(64)
        return value

    def generate_trace_id(self) -> int:
        value = INVALID_TRACE_ID
        while value == INVALID_TRACE_ID:
            value = self._rng.getrandbits(128)
        return value

    def is_trace_id_random(self) -> bool:
        return True


class Emitter:
    """Emits trees through the SDK and hands back the finished spans of each trace."""

    def __init__(self, seed: int | str) -> None:
        self._ids = SeededIdGenerator(seed)
        self._sink = InMemorySpanExporter()
        self._providers: dict[Process, TracerProvider] = {}
        self._tracers: dict[tuple[Process, str], Tracer] = {}

    def emit(self, root: Node) -> list[ReadableSpan]:
        self._emit(root, None, None)
        spans = list(self._sink.get_finished_spans())
        self._sink.clear()
        if not spans:
            raise ConfigError("the OpenTelemetry SDK produced no spans",
                              hint="is OTEL_SDK_DISABLED set?")
        return spans

    def _emit(self, node: Node, parent: Span | None, parent_process: Process | None) -> None:
        tracer = self._tracer(node.process, node.scope)
        span = tracer.start_span(node.name, context=self._context(parent, parent_process, node),
                                 kind=_KINDS[node.kind], attributes=node.attributes,
                                 start_time=node.start_us * 1000)
        for event in node.events:
            _add_event(span, event.name, event.attributes, event.time_us * 1000)
        if node.error is not None:
            span.set_status(Status(StatusCode.ERROR, node.error or None))
        node.span_id = format(span.get_span_context().span_id, "016x")
        for child in node.children:
            self._emit(child, span, node.process)
        span.end(end_time=node.end_us * 1000)

    @staticmethod
    def _context(parent: Span | None, parent_process: Process | None, node: Node) -> Context:
        if parent is None:
            return Context()  # a new trace, whatever the caller of the demo has active
        context = set_span_in_context(parent, Context())
        if parent_process == node.process:
            return context
        headers: dict[str, str] = {}
        _PROPAGATOR.inject(headers, context=context)  # what the caller puts on the wire
        return _PROPAGATOR.extract(headers, context=Context())  # what the callee reads

    def _tracer(self, process: Process, scope: str) -> Tracer:
        tracer = self._tracers.get((process, scope))
        if tracer is None:
            provider = self._providers.get(process)
            if provider is None:
                provider = self._providers[process] = self._provider(process)
            version = SCOPE_VERSIONS.get(scope, INSTRUMENTATION_VERSION)
            tracer = self._tracers[(process, scope)] = provider.get_tracer(scope, version)
        return tracer

    def _provider(self, process: Process) -> TracerProvider:
        provider = TracerProvider(sampler=ALWAYS_ON, resource=Resource(process.resource()),
                                  shutdown_on_exit=False, id_generator=self._ids,
                                  span_limits=_LIMITS)
        provider.add_span_processor(SimpleSpanProcessor(self._sink))
        return provider


_EXCEPTION_CLASSES: dict[str, type[Exception]] = {}


def _add_event(span: Span, name: str, attributes: dict[str, Any], time_ns: int) -> None:
    """Plain events as they are; ``exception`` through ``record_exception``, as code would."""
    if name != "exception":
        span.add_event(name, attributes, timestamp=time_ns)
        return
    exception = _exception_type(str(attributes["exception.type"]))(
        attributes["exception.message"])
    span.record_exception(exception, timestamp=time_ns)


def _exception_type(qualified: str) -> type[Exception]:
    """A stand-in class whose module and name are those of the real library's exception."""
    cls = _EXCEPTION_CLASSES.get(qualified)
    if cls is None:
        module, _, name = qualified.rpartition(".")
        cls = _EXCEPTION_CLASSES[qualified] = type(name, (Exception,), {"__module__": module})
    return cls


def sorted_spans(spans: Sequence[ReadableSpan]) -> list[ReadableSpan]:
    """Spans in start order (ties: parents first, since the SDK ends children first)."""
    return sorted(spans, key=lambda s: (s.start_time or 0, -(s.end_time or 0),
                                        s.context.span_id if s.context else 0))
