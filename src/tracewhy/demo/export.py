"""Send a run's spans to real backends with the SDK's own exporters: OTLP/HTTP (Jaeger v2,
Tempo, a collector) and Zipkin v2 JSON.

The exporters come with the ``demo`` extra (``pip install 'tracewhy[demo]'``).  They report
failures by logging; those messages are collected and become the one-line error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from tracewhy.errors import BackendUnavailable, ConfigError

BATCH = 1000  # spans per request
TIMEOUT_S = 10


def export_otlp(spans: Sequence[ReadableSpan], url: str) -> int:
    """POST the spans to an OTLP/HTTP endpoint (``/v1/traces`` is added to a bare URL)."""
    endpoint = _endpoint(url, "/v1/traces", "--export-otlp")
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        raise _missing("opentelemetry-exporter-otlp-proto-http") from None
    return _send(OTLPSpanExporter(endpoint=endpoint, timeout=TIMEOUT_S), [list(spans)], endpoint)


def export_zipkin(spans: Sequence[ReadableSpan], url: str) -> int:
    """POST the spans to Zipkin (``/api/v2/spans`` is added to a bare URL).

    The Zipkin exporter names the local endpoint after the first span of each request, so
    every request holds the spans of one service.
    """
    endpoint = _endpoint(url, "/api/v2/spans", "--export-zipkin")
    try:
        from opentelemetry.exporter.zipkin.json import ZipkinExporter
    except ImportError:
        raise _missing("opentelemetry-exporter-zipkin-json") from None
    by_service: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        by_service.setdefault(str(span.resource.attributes.get("service.name")), []).append(span)
    return _send(ZipkinExporter(endpoint=endpoint, timeout=TIMEOUT_S),
                 list(by_service.values()), endpoint)


def _send(exporter: SpanExporter, groups: list[list[ReadableSpan]], endpoint: str) -> int:
    sent = 0
    try:
        with _sdk_messages() as messages:
            for group in groups:
                for i in range(0, len(group), BATCH):
                    batch = group[i:i + BATCH]
                    result = _guarded(exporter, batch, endpoint)
                    if result is not SpanExportResult.SUCCESS:
                        reason = messages[-1] if messages else "the exporter reported a failure"
                        raise BackendUnavailable(f"{endpoint}: export failed after {sent} "
                                                 f"spans: {reason}")
                    sent += len(batch)
    finally:
        exporter.shutdown()
    return sent


def _guarded(exporter: SpanExporter, batch: list[ReadableSpan],
             endpoint: str) -> SpanExportResult:
    try:
        return exporter.export(batch)
    except OSError as exc:  # the Zipkin exporter lets requests' connection errors through
        raise BackendUnavailable(f"{endpoint}: cannot connect ({type(exc).__name__})") from None


def _endpoint(url: str, default_path: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{option} {url}: expected an http:// or https:// URL")
    if parts.path in ("", "/"):
        return url.rstrip("/") + default_path
    return url


def _missing(package: str) -> ConfigError:
    return ConfigError(f"exporting needs {package}", hint="pip install 'tracewhy[demo]'")


class _Collect(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split())[:300])


@contextmanager
def _sdk_messages() -> Iterator[list[str]]:
    """Collect the SDK's log messages instead of letting them reach the terminal."""
    logger = logging.getLogger("opentelemetry")
    messages: list[str] = []
    handler, propagate = _Collect(messages), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
