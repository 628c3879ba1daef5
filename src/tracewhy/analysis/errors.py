"""Is a span an error, and what says so?

Evidence, in order: OpenTelemetry status ERROR (which the readers also set from Jaeger's and
Zipkin's ``error`` tag); HTTP status (a server answering >= 500, a client or an unknown side
seeing >= 400 — CRISP's rule for spans without a kind); a gRPC status other than OK; an
exception event (OTel ``exception``, Jaeger ``error.object`` / ``event=error`` logs).
"""

from __future__ import annotations

from typing import Any

from tracewhy.model import SERVER, STATUS_ERROR, Span

HTTP_STATUS_KEYS = ("http.response.status_code", "http.status_code")
GRPC_NUMERIC_KEYS = ("rpc.grpc.status_code",)
GRPC_NAME_KEYS = ("grpc.status", "grpc.status_code", "rpc.grpc.status")
GRPC_CODES = ("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
              "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
              "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
              "UNAUTHENTICATED")


def error_reason(span: Span) -> str | None:
    """A short human reason if the span is an error, else None."""
    if span.status == STATUS_ERROR:
        return span.status_message.strip() or "status ERROR"
    attributes = span.attributes
    if attributes:
        reason = _http_reason(span, attributes) or _grpc_reason(attributes)
        if reason:
            return reason
    if span.events:
        return _exception_reason(span)
    return None


def http_status(attributes: dict[str, Any]) -> int | None:
    for key in HTTP_STATUS_KEYS:
        value = attributes.get(key)
        if value is not None:
            return _as_code(value)
    return None


def grpc_status(attributes: dict[str, Any]) -> str | None:
    """The gRPC status name (``UNAVAILABLE``), from a numeric or a named attribute."""
    for key in GRPC_NUMERIC_KEYS + GRPC_NAME_KEYS:
        value = attributes.get(key)
        if value is None:
            continue
        code = _as_code(value)
        if code is not None:
            return GRPC_CODES[code] if 0 <= code < len(GRPC_CODES) else str(code)
        return str(value).upper().removeprefix("STATUSCODE.")
    return None


def _http_reason(span: Span, attributes: dict[str, Any]) -> str | None:
    code = http_status(attributes)
    if code is None:
        return None
    threshold = 500 if span.kind == SERVER else 400
    return f"HTTP {code}" if code >= threshold else None


def _grpc_reason(attributes: dict[str, Any]) -> str | None:
    name = grpc_status(attributes)
    if name is None or name in ("OK", "0", ""):
        return None
    return f"gRPC {name}"


def _exception_reason(span: Span) -> str | None:
    for event in span.events:
        fields = event.attributes
        if event.name == "exception" or "error.object" in fields or event.name == "error":
            kind = fields.get("exception.type") or fields.get("error.kind") or ""
            message = fields.get("exception.message") or fields.get("message") or \
                fields.get("error.object") or ""
            text = f"{kind}: {message}" if kind and message else str(kind or message)
            return f"exception {text}".strip()
    return None


def _as_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        try:
            return int(value.strip())
        except ValueError:  # digits int() refuses: "²", or more than 4300 of them
            return None
    return None


# Attributes other than ``http.status_code`` that can make a span an error.
_OTHER_ERROR_KEYS = frozenset(HTTP_STATUS_KEYS[:1] + GRPC_NUMERIC_KEYS + GRPC_NAME_KEYS)


def error_reasons(spans: list[Span]) -> list[str | None]:
    """``error_reason`` of every span.  Most spans are plainly fine (no error status, no
    events, at most an HTTP status below 400), and are told apart here without the calls."""
    reasons: list[str | None] = []
    append = reasons.append
    for span in spans:
        if span.status != STATUS_ERROR and not span.events:
            attributes = span.attributes
            code = attributes.get("http.status_code")
            if (code is None or (type(code) is int and code < 400) or _plain_ok_text(code)) \
                    and _OTHER_ERROR_KEYS.isdisjoint(attributes):
                append(None)
                continue
        append(error_reason(span))
    return reasons


def _plain_ok_text(code: object) -> bool:
    """An HTTP status below 400 written as three ASCII digits, as Zipkin's string tags have it
    (lexical order is numeric order for those)."""
    return type(code) is str and len(code) == 3 and code < "400" and code.isascii() \
        and code.isdigit()
