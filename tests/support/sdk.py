"""Build traces in tests with the real OpenTelemetry SDK, then read them back through
tracewhy's OTLP reader, exactly as a file written by a collector would be read.

    b = SdkTraceBuilder()
    root = b.span("gateway", "GET /predict", 0, 100, kind="server")
    b.span("app", "predict", 5, 90, parent=root)
    trace = b.trace()

Times are milliseconds from an arbitrary epoch-like origin; every service gets its own
TracerProvider and Resource, as it would in production.
"""

from __future__ import annotations

from typing import Any

import orjson
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, set_span_in_context

from tracewhy.demo.emit import SeededIdGenerator
from tracewhy.demo.otlp_json import encode_traces
from tracewhy.model import Trace
from tracewhy.sources import parse_bytes, select_trace

ORIGIN_NS = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
KINDS = {"server": SpanKind.SERVER, "client": SpanKind.CLIENT, "internal": SpanKind.INTERNAL,
         "producer": SpanKind.PRODUCER, "consumer": SpanKind.CONSUMER}


class SdkTraceBuilder:
    def __init__(self, seed: int = 7) -> None:
        self._ids = SeededIdGenerator(seed)  # same seed, same trace and span ids
        self._sink = InMemorySpanExporter()
        self._providers: dict[tuple[str, tuple[tuple[str, Any], ...]], TracerProvider] = {}
        self._open: list[tuple[Span, int]] = []

    def span(self, service: str, name: str, start_ms: float, end_ms: float, *,
             parent: Span | None = None, kind: str = "internal",
             error: str | None = None, events: list[tuple[str, float, dict[str, Any]]] = (),
             resource: dict[str, Any] | None = None, **attributes: Any) -> Span:
        tracer = self._provider(service, resource or {}).get_tracer("tracewhy-tests")
        context = set_span_in_context(parent) if parent is not None else None
        span = tracer.start_span(name, context=context, kind=KINDS[kind],
                                 start_time=_ns(start_ms),
                                 attributes={k.replace("__", "."): v
                                             for k, v in attributes.items()})
        for event_name, at_ms, event_attributes in events:
            span.add_event(event_name, event_attributes, timestamp=_ns(at_ms))
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, error))
        self._open.append((span, _ns(end_ms)))
        return span

    def trace(self) -> Trace:
        return select_trace(parse_bytes(self.otlp_bytes(), "sdk-test-trace"))

    def otlp_bytes(self) -> bytes:
        """The finished spans as an OTLP/JSON file, the way a collector would write them."""
        for span, end in self._open:
            span.end(end_time=end)
        self._open.clear()
        return orjson.dumps(encode_traces(self._sink.get_finished_spans()))

    def _provider(self, service: str, extra: dict[str, Any]) -> TracerProvider:
        key = (service, tuple(sorted(extra.items())))
        provider = self._providers.get(key)
        if provider is None:
            provider = TracerProvider(resource=Resource({"service.name": service, **extra}),
                                      id_generator=self._ids)
            provider.add_span_processor(SimpleSpanProcessor(self._sink))
            self._providers[key] = provider
        return provider


def _ns(ms: float) -> int:
    return ORIGIN_NS + round(ms * 1_000_000)
