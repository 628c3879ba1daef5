"""Which trace format a JSON document is, decided by its structure, never by a file name."""

from __future__ import annotations

from typing import Any

from tracewhy.errors import InputError
from tracewhy.sources.otlp import resource_spans_of

FORMATS = ("jaeger", "otlp", "zipkin")


def detect_format(docs: list[Any], name: str) -> str:
    """Return "jaeger", "otlp" or "zipkin", or raise InputError saying what was found."""
    first = docs[0]
    if len(docs) > 1:  # one JSON object per line: the OTel collector's file exporter
        if all(resource_spans_of(doc) is not None for doc in docs):
            return "otlp"
        raise InputError(f"{name}: several JSON documents, but not one OTLP object per line")
    refuse_error_payload(first, name)
    if resource_spans_of(first) is not None:
        return "otlp"
    if isinstance(first, dict):
        if _is_jaeger_trace(first) or _is_jaeger_wrapper(first):
            return "jaeger"
        if "traceId" in first and "id" in first:
            return "zipkin"
        keys = ", ".join(sorted(map(str, first))[:8]) or "none"
        raise InputError(f"{name}: unrecognised trace JSON (expected a Jaeger export, Zipkin v2 or "
                         f"OTLP/JSON); top-level keys were: {keys}")
    if isinstance(first, list):
        return _detect_list(first, name)
    raise InputError(f"{name}: unrecognised trace JSON: top level is a {type(first).__name__}")


def _is_jaeger_trace(doc: dict[str, Any]) -> bool:
    return isinstance(doc.get("spans"), list) and ("traceID" in doc or "processes" in doc)


def _is_jaeger_wrapper(doc: dict[str, Any]) -> bool:
    data = doc.get("data")
    if isinstance(data, dict):
        return _is_jaeger_trace(data)
    return isinstance(data, list) and all(isinstance(t, dict) and "spans" in t for t in data)


def _detect_list(items: list[Any], name: str) -> str:
    if not items:
        raise InputError(f"{name}: empty list: no spans or traces in the input")
    sample = items[0]
    if isinstance(sample, list):
        sample = next((s for trace in items if isinstance(trace, list) for s in trace), None)
        if sample is None:
            raise InputError(f"{name}: a list of empty traces: no spans in the input")
    if isinstance(sample, dict) and "traceId" in sample:
        return "zipkin"
    if isinstance(sample, dict) and _is_jaeger_trace(sample):
        return "jaeger"
    raise InputError(f"{name}: unrecognised trace JSON: a list whose items are not Zipkin spans")


def refuse_error_payload(doc: Any, name: str) -> None:
    """Backends answer errors in JSON too; say what they said instead of "no spans"."""
    if not isinstance(doc, dict):
        return
    errors = doc.get("errors")
    if doc.get("data") is None and isinstance(errors, list) and errors:
        messages = "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e)
                             for e in errors)
        raise InputError(f"{name}: the backend returned an error instead of a trace: "
                         f"{messages[:300]}")
    error = doc.get("error")
    if isinstance(error, dict) and "message" in error and resource_spans_of(doc) is None:
        raise InputError(f"{name}: the backend returned an error instead of a trace: "
                         f"{str(error.get('message'))[:300]}")
    if isinstance(doc.get("data"), list) and not doc["data"]:
        raise InputError(f"{name}: the payload holds no traces (\"data\" is empty)")
