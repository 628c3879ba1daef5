"""The compiled OTLP reader (``tracewhy.sources.native``) must read what the typed reader reads.

``read_otlp`` is a C fast path for the common shape of OTLP/JSON (``{"resourceSpans": ...}``
and Jaeger api_v3's ``{"result": {...}}``).  It may decline any input (None: the caller takes
the existing path), but it must never raise or crash, must decline whatever the typed reader
refuses, and whatever it reads must match the typed reader (``parse_typed(..., "otlp",
native=False)``, the reference): same format, rejects, warnings, counts and trace warnings, the
same spans as a multiset, the traces in the order their ids first appear, each trace's spans
together and in (start_us, span_id) order.

Inputs: every real OTLP file we have, benchmark-shaped traces, OpenTelemetry SDK traces, random
documents (hypothesis) and broken bytes.  The extension only exists in a non-editable install
(``pip install .``): elsewhere this module is skipped, but under CI=true it fails.  The parity
helpers are the Jaeger reader's (test_native_jaeger.py), imported from there.
"""

from __future__ import annotations

import base64
import functools
import io
import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from opentelemetry import trace as api
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import EXTERNAL, FIXTURES, REPO
from tests.fixtures.formats import T0_NS, sdk_to_otlp_protojson, sdk_trace
from tests.support.sdk import SdkTraceBuilder
from tracewhy.demo.emit import SeededIdGenerator
from tracewhy.demo.otlp_json import encode_traces
from tracewhy.sources import native, typed
from tracewhy.sources.common import ParseResult
from tracewhy.sources.decode import read_input
from tracewhy.sources.typed import parse_typed

# What an OTLP document starts with; the fast paths take no other (native.py's, typed.py's before).
OTLP_START = native.OTLP_START if hasattr(native, "OTLP_START") else typed._OTLP_START
# getattr: the module stays importable (and skips) while the extension has no OTLP entry point
AVAILABLE = native.AVAILABLE and getattr(native, "read_otlp", None) is not None
MISSING = "the compiled OTLP reader is missing: install with `pip install .`, not -e"
if not AVAILABLE and os.environ.get("CI") != "true":
    pytest.skip(MISSING, allow_module_level=True)

# The Jaeger reader's parity helpers and generators (imported after the skip: that module skips
# itself without the extension, under its own name).
from tests.support import native_parity as parity  # noqa: E402
from tests.support.native_parity import Reader, assert_same_spans  # noqa: E402
from tests.unit.test_native_jaeger import (  # noqa: E402
    DEEP,
    HUGE,
    PADDING,
    TEN_MB,
    Raw,
    benchmark_generator,
    chance,
    hex_id,
    json_value,
    rare,
    serialise,
    text,
)


@pytest.fixture(autouse=True, scope="module")  # module: hypothesis refuses per-test fixtures
def _compiled_reader() -> None:
    """CI installs the wheel: there a missing extension is a failure, never a skip."""
    if not AVAILABLE:
        pytest.fail(MISSING)


# -- the parity rule ----------------------------------------------------------------------------

def reference(data: bytes) -> ParseResult | None:
    return parse_typed(data, "otlp", None, native=False)


def read_otlp(data: bytes) -> ParseResult | None:
    return native.read_otlp(data)  # looked up on each call: a stand-in may replace it


def assert_parity(data: bytes, what: str = "", read: Reader | None = None) -> ParseResult | None:
    return parity.assert_parity(data, read or read_otlp, reference, what, by_trace=True)


# -- every real OTLP file -----------------------------------------------------------------------

ROOTS = {"external": EXTERNAL, "fixtures": FIXTURES, "tests-fixtures": REPO / "tests" / "fixtures"}


def otlp_files() -> list[tuple[str, Path]]:
    return [(f"{label}/{path.relative_to(root)}", path) for label, root in ROOTS.items()
            for path in sorted(root.rglob("*.json*"))
            if OTLP_START.match(read_input(str(path)))]


OTLP_FILES = otlp_files()
JSONL_FILES = [(name, path) for name, path in OTLP_FILES if path.suffix == ".jsonl"]


def via_parse_typed(data: bytes) -> ParseResult | None:
    return parse_typed(data, "otlp", None)


@pytest.mark.parametrize(("name", "path"), OTLP_FILES, ids=[name for name, _ in OTLP_FILES])
def test_real_otlp_files(name: str, path: Path, request: pytest.FixtureRequest) -> None:
    if name.startswith("external/"):
        request.getfixturevalue("external")  # skipped without them, a failure under CI
    data = read_input(str(path))
    if assert_parity(data, name) is not None:  # read natively: parse_typed must read it so too
        assert_parity(data, f"{name} via parse_typed", via_parse_typed)


@pytest.mark.parametrize(("name", "path"), JSONL_FILES, ids=[name for name, _ in JSONL_FILES])
def test_each_line_of_the_demo_files(name: str, path: Path) -> None:
    """The demo writes one OTLP document a line (the file as a whole is read by the tolerant
    reader): each line is exactly what the SDK encoder writes, the shape the reader exists for."""
    lines = [line for line in read_input(str(path)).splitlines() if line.strip()]
    assert len(lines) > 1
    for number, line in enumerate(lines, 1):
        assert reference(line) is not None, f"{name} line {number}"
        assert assert_parity(line, f"{name} line {number}") is not None, \
            f"the native reader declined line {number} of {name}"
        assert_parity(line, f"{name} line {number} via parse_typed", via_parse_typed)


# -- benchmark-shaped traces (benchmarks/generate.py) -------------------------------------------

@functools.cache
def benchmark_trace(shape: str, n: int) -> bytes:
    """What ``generate.py --formats otlp`` writes: a block a process, spans in shuffled order."""
    gen = benchmark_generator()
    out = io.BytesIO()
    gen.write_trace(out, gen.build_tree(shape, n), "otlp", gen.trace_id(shape, n),
                    gen.file_order(n, shape))
    return out.getvalue()


def interleaved_traces(mix_spans: bool) -> bytes:
    """Two benchmark traces in one document, their resourceSpans blocks alternating; with
    ``mix_spans``, each block's spans of both traces dealt in turn into one list."""
    first, second = (json.loads(benchmark_trace(shape, 300))["resourceSpans"]
                     for shape in ("bushy", "deep"))
    if not mix_spans:
        blocks = [block for pair in itertools.zip_longest(first, second) for block in pair
                  if block is not None]
        return json.dumps({"resourceSpans": blocks}).encode()
    blocks = []
    for one, other in itertools.zip_longest(first, second):
        if one is None or other is None:
            blocks.append(one or other)
            continue
        spans = [span for pair in itertools.zip_longest(one["scopeSpans"][0]["spans"],
                                                        other["scopeSpans"][0]["spans"])
                 for span in pair if span is not None]
        blocks.append({**one, "scopeSpans": [{**one["scopeSpans"][0], "spans": spans}]})
    return json.dumps({"resourceSpans": blocks}).encode()


BENCHMARK_SHAPES = [("bushy", 300), ("wide", 300), ("deep", 300), ("forest", 300),
                    ("forest", 2500)]  # at 300 every forest span is a root


@pytest.mark.parametrize(("shape", "n"), BENCHMARK_SHAPES, ids=lambda v: str(v))
def test_benchmark_shapes(shape: str, n: int) -> None:
    data = benchmark_trace(shape, n)
    got = assert_parity(data, f"{shape}-{n}")
    assert got is not None, "the native reader declined the very shape it exists for"
    assert len(got.spans) == n


@pytest.mark.parametrize("mix_spans", [False, True], ids=["alternate-blocks", "mixed-spans"])
def test_two_traces_interleaved_in_one_document(mix_spans: bool) -> None:
    data = interleaved_traces(mix_spans)
    got = assert_parity(data, f"bushy+deep, mix_spans={mix_spans}")
    assert got is not None
    assert len({span.trace_id for span in got.spans}) == 2


def test_the_result_wrapper() -> None:
    inner = benchmark_trace("bushy", 300)
    assert assert_parity(b'{"result":' + inner.rstrip() + b"}", "api_v3 wrapper") is not None


def test_parse_typed_reads_otlp_natively_by_default() -> None:
    """The wiring: parse_typed's default hands OTLP to the native reader (its start order
    shows: the benchmark files hold spans in shuffled order)."""
    for fmt in ("otlp", None):
        got = assert_parity(benchmark_trace("bushy", 300), f"parse_typed(fmt={fmt})",
                            lambda d, fmt=fmt: parse_typed(d, fmt, None))
        assert got is not None


@pytest.mark.parametrize("keep", ["baseline", "http", "none"])
def test_an_attribute_filter_keeps_what_the_typed_reader_keeps(keep: str) -> None:
    """Baselines read OTLP with a filter on span attributes (``ParseResult.keep``): the native
    reader applies the same one, and says so on its result."""
    from tracewhy.rca.baseline import BASELINE_ATTRIBUTES

    wanted = {"baseline": BASELINE_ATTRIBUTES, "http": lambda key: key.startswith("http."),
              "none": lambda key: False}[keep]
    for data in (benchmark_trace("bushy", 300), *sdk_documents().values()):
        want = parse_typed(data, "otlp", wanted, native=False)
        got = native.read_otlp(data, keep=wanted)
        if got is None:
            continue
        assert want is not None and got.keep is want.keep is wanted
        assert_same_spans(got.spans, want.spans, f"keep={keep}")
    assert native.read_otlp(benchmark_trace("bushy", 300), keep=wanted) is not None


NOT_OTLP = {
    "jaeger": b'{"data":[{"traceID":"0af7651916cd43dd","spans":[],"processes":{}}]}',
    "zipkin": b'[{"traceId":"0af7651916cd43dd","id":"00f067aa0ba902b7"}]',
    "tempo-batches": b'{"batches":[{"scopeSpans":[{"spans":[]}]}]}',
    "trace-wrapper": b'{"trace":{"resourceSpans":[]}}',
    "snake-case": b'{"resource_spans":[]}',
    "resourceSpans-not-first": b'{"x":1,"resourceSpans":[]}',
}


@pytest.mark.parametrize("name", list(NOT_OTLP))
def test_declines_what_does_not_start_like_otlp(name: str) -> None:
    assert native.read_otlp(NOT_OTLP[name]) is None


# -- traces recorded with the OpenTelemetry SDK -------------------------------------------------

def builder_trace() -> bytes:
    """Four services (one with two resources), errors with and without a message, events."""
    b = SdkTraceBuilder(seed=11)
    root = b.span("gateway", "GET /predict", 0, 120, kind="server", http__route="/predict",
                  retries=3, ratio=0.5, cached=False, tags=["a", "b"])
    call = b.span("gateway", "POST /infer", 2, 110, parent=root, kind="client")
    infer = b.span("model", "infer", 3, 108, parent=call, kind="server", error="OOM",
                   events=[("exception", 100, {"exception.type": "OOMError"}),
                           ("retry", 50, {"attempt": 2, "ok": False, "ratio": 0.5})],
                   resource={"service.instance.id": "model-b", "gpu": True})
    b.span("features", "lookup", 4, 40, parent=infer, kind="client", db__system="redis")
    b.span("features", "lookup", 41, 60, parent=infer, kind="client", error="")
    b.span("queue", "publish", 111, 112, parent=root, kind="producer")
    b.span("model", "warmup", 1, 2, resource={"service.instance.id": "model-a"})
    return b.otlp_bytes()


def scoped_sdk_spans() -> list[ReadableSpan]:
    """Two traces, four resources (one without service.name), several scopes per resource (one
    with no name), OK and ERROR statuses, events with attributes, links within and across
    traces."""
    sink = InMemorySpanExporter()
    ids = SeededIdGenerator("native-otlp")

    def provider(attributes: dict[str, Any]) -> TracerProvider:
        made = TracerProvider(resource=Resource(attributes), id_generator=ids)
        made.add_span_processor(SimpleSpanProcessor(sink))
        return made

    gateway = provider({"service.name": "gateway", "replicas": 3, "zones": ["a", "b"],
                        "canary": False, "load": 0.75})
    model_a = provider({"service.name": "model", "service.instance.id": "a"})
    model_b = provider({"service.name": "model", "service.instance.id": "b"})
    anonymous = provider({"host.name": "batch-1"})
    http = gateway.get_tracer("opentelemetry.instrumentation.http", "0.48b0")
    auth = gateway.get_tracer("")
    torch_a, torch_b = model_a.get_tracer("torch"), model_b.get_tracer("torch", "2.4")
    grpc_b, batch = model_b.get_tracer("grpc"), anonymous.get_tracer("batch")
    ms = 1_000_000

    def start(tracer: api.Tracer, name: str, at_ms: float, parent: api.Span | None = None,
              kind: api.SpanKind = api.SpanKind.INTERNAL, **kwargs: Any) -> api.Span:
        context = api.set_span_in_context(parent) if parent is not None else None
        return tracer.start_span(name, context=context, kind=kind,
                                 start_time=T0_NS + round(at_ms * ms), **kwargs)

    def end(span: api.Span, at_ms: float) -> None:
        span.end(end_time=T0_NS + round(at_ms * ms))

    root = start(http, "GET /predict", 0, kind=api.SpanKind.SERVER,
                 attributes={"http.request.method": "GET", "http.response.status_code": 503})
    check = start(auth, "check token", 0.5, root)
    check.set_status(api.Status(api.StatusCode.OK))
    end(check, 1)
    calls = [start(http, "POST /infer", 1 + i, root, api.SpanKind.CLIENT,
                   attributes={"attempt": i}) for i in range(2)]
    first = start(torch_a, "infer", 1.2, calls[0], api.SpanKind.SERVER)
    first.add_event("exception", {"exception.type": "OOMError", "exception.escaped": True},
                    timestamp=T0_NS + 5 * ms)
    first.add_event("gc", timestamp=T0_NS + 3 * ms)
    first.set_status(api.Status(api.StatusCode.ERROR, "CUDA out of memory"))
    end(first, 6)
    second = start(torch_b, "infer", 2.2, calls[1], api.SpanKind.SERVER,
                   links=[api.Link(first.get_span_context(), {"retry.of": "first"})])
    fetch = start(grpc_b, "fetch weights", 2.3, second, api.SpanKind.CLIENT)
    fetch.set_status(api.Status(api.StatusCode.ERROR))
    end(fetch, 2.4)
    end(second, 9)
    for call, at in zip(calls, (6.1, 9.1), strict=True):
        end(call, at)
    root.set_status(api.Status(api.StatusCode.ERROR, "upstream failed"))
    end(root, 10)
    other = start(batch, "nightly reindex", 3, kind=api.SpanKind.CONSUMER,
                  links=[api.Link(root.get_span_context())])
    publish = start(batch, "publish", 4, other, api.SpanKind.PRODUCER)
    end(publish, 4.5)
    end(other, 20)
    return list(sink.get_finished_spans())


def ids_as_hex(doc: Any) -> Any:
    """The SDK's protobuf-JSON with its base64 ids turned into hex, as the OTLP/JSON spec has."""
    if isinstance(doc, dict):
        return {key: base64.b64decode(value).hex()
                if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str)
                else ids_as_hex(value) for key, value in doc.items()}
    if isinstance(doc, list):
        return [ids_as_hex(item) for item in doc]
    return doc


@functools.cache
def sdk_documents() -> dict[str, bytes]:
    spans, other, scoped = sdk_trace(), sdk_trace(), scoped_sdk_spans()
    return {
        "demo-encoder": json.dumps(encode_traces(spans)).encode(),
        "demo-encoder-two-traces": json.dumps(encode_traces([*spans, *other])).encode(),
        "demo-encoder-scopes": json.dumps(encode_traces(scoped)).encode(),
        "four-services": builder_trace(),
        # the SDK's own encoder: base64 ids (as Tempo writes), enum names, links
        "sdk-protojson": json.dumps(sdk_to_otlp_protojson(spans)).encode(),
        "sdk-protojson-scopes": json.dumps(sdk_to_otlp_protojson(scoped)).encode(),
        "sdk-protojson-hex-ids": json.dumps(ids_as_hex(sdk_to_otlp_protojson(scoped))).encode(),
    }


@pytest.mark.parametrize("name", list(sdk_documents()))
def test_sdk_traces(name: str) -> None:
    data = sdk_documents()[name]
    assert reference(data) is not None, "well-formed: a refusal would leave nothing to compare"
    got = assert_parity(data, name)
    if name.startswith(("demo-encoder", "four-services")):  # what tracewhy's own demo writes
        assert got is not None, "the native reader declined what the SDK encoder writes"


# -- random documents ---------------------------------------------------------------------------

# TRACEWHY_PROPERTY_EXAMPLES=5000 for a long hunt (as test_properties.py); the default stays quick.
EXAMPLES = int(os.environ.get("TRACEWHY_PROPERTY_EXAMPLES", "100"))
MISSING_FIELD = object()  # a field left out of its object


def put(obj: dict[str, Any], key: str, value: Any) -> None:
    if value is not MISSING_FIELD:
        obj[key] = value


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


EXTRA_KEYS = ("x", "extra", "\u00e9t\u00e9", "", "droppedAttributesCount", "traceState", "flags",
              "schemaUrl", "trace_id", "span_id", "Name", "TraceId")


def with_extras(draw: st.DrawFn, odd: bool, obj: dict[str, Any]) -> dict[str, Any]:
    """Unknown keys, which a reader must skip whatever they hold (OTLP's own too: the typed
    reader reads none of droppedAttributesCount, flags, traceState)."""
    if chance(draw, 10):
        for _ in range(draw(st.integers(1, 2))):
            obj.setdefault(draw(st.sampled_from(EXTRA_KEYS)), json_value(draw, odd))
    return obj


def otlp_trace_id(draw: st.DrawFn, odd: bool) -> str:
    roll = draw(st.integers(0, 99))
    if roll < 50:
        return hex_id(draw, 32)
    if roll < 64:
        return hex_id(draw, 16)
    if roll < 69:
        return hex_id(draw, 32).upper()
    if roll < 76:
        return b64(draw(st.binary(min_size=16, max_size=16)))  # as Tempo writes them
    if roll < 80:
        return draw(st.sampled_from(("A", "a", "1", "trace-1", "")))
    if roll < 84:
        return hex_id(draw, draw(st.sampled_from((13, 15, 17, 31))))
    if roll < 88:
        return draw(st.sampled_from(("0" * 16, "0" * 32, b64(bytes(16)))))
    if roll < 91:
        return draw(st.sampled_from(PADDING)) + hex_id(draw, 32)
    if roll < 94:
        return b64(draw(st.binary(min_size=8, max_size=8)))  # 12 characters: not a trace id's
    return text(draw, odd)


def otlp_span_id(draw: st.DrawFn, odd: bool, earlier: list[str]) -> str:
    roll = draw(st.integers(0, 99))
    if roll < 64:
        return hex_id(draw, 16)
    if roll < 69:
        return hex_id(draw, 16).upper()
    if roll < 74:
        return hex_id(draw, 15)[draw(st.integers(0, 14)):]  # 1-15 digits
    if roll < 80 and earlier:
        return draw(st.sampled_from(earlier))  # a duplicate
    if roll < 83:
        return draw(st.sampled_from(("0" * 16, b64(bytes(8)), "0")))
    if roll < 87:
        return b64(draw(st.binary(min_size=8, max_size=8)))
    if roll < 89:
        return ""  # rejected: a span needs an id
    if roll < 92:
        return hex_id(draw, 16) + draw(st.sampled_from(PADDING))
    if roll < 95:
        return hex_id(draw, draw(st.integers(17, 20)))
    return text(draw, odd)


def parent_span_id(draw: st.DrawFn, odd: bool, ids: list[str]) -> Any:
    roll = draw(st.integers(0, 99))
    if roll < 30:
        return MISSING_FIELD
    if roll < 40:
        return ""
    if roll < 78 and ids:
        return draw(st.sampled_from(ids))  # earlier or later in the file, any trace's
    if roll < 83:
        return "00000000000000ff"  # a span the document lacks
    if roll < 88:
        return draw(st.sampled_from(("0" * 16, "0", b64(bytes(8)))))
    if roll < 91 and ids:
        return draw(st.sampled_from(ids)).upper()
    if roll < 94:
        return b64(draw(st.binary(min_size=8, max_size=8)))
    return text(draw, odd)


KIND_TEXTS = ("SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_INTERNAL", "SPAN_KIND_PRODUCER",
              "SPAN_KIND_CONSUMER", "SPAN_KIND_UNSPECIFIED", "server", "Client", "PRODUCER",
              "span_kind_consumer", "SPAN_KIND_", "", "x", " SERVER", "\u017fERVER", "2")


def span_kind(draw: st.DrawFn, odd: bool) -> Any:
    roll = draw(st.integers(0, 99))
    if roll < 70:
        return draw(st.integers(0, 5))
    if roll < 77:
        return draw(st.sampled_from((6, -1, 7, 2**63, -(2**63) - 1, Raw("-0"), Raw("2"))))
    if roll < 88:
        return draw(st.sampled_from(KIND_TEXTS))
    if roll < 92:
        return None
    if rare(draw, odd, 50):
        return draw(st.sampled_from((2.0, True, 1.5, [], {}, Raw("2E0"))))
    return MISSING_FIELD


TIME_TEXTS = ("  12", "1e3", "-5", "\u0661\u0662\u0663", "+7", "0", "", "x", "12.5", "1_000",
              "\u00b2", " 1700000000000000123 ", "-0", "0x10", "1e999", "nan", "9" * 30,
              "-" + "9" * 25, "1700000000000000000\n")


def nanos(draw: st.DrawFn, odd: bool) -> Any:
    """A time as SDKs write it (a decimal string, or a number), or any of the odd forms."""
    roll = draw(st.integers(0, 99))
    if roll < 40:
        return T0_NS + draw(st.integers(0, 10**10))
    if roll < 75:
        return str(T0_NS + draw(st.integers(0, 10**10)))
    if roll < 79:
        return draw(st.sampled_from((0, "0")))
    if roll < 86:
        return draw(st.sampled_from(TIME_TEXTS))
    if roll < 91:
        huge = draw(st.sampled_from(HUGE))
        return str(huge) if chance(draw, 50) else huge
    if roll < 93:
        return draw(st.sampled_from((-1, -(10**6), 999, 1000)))
    if roll < 95:
        return None
    if rare(draw, odd, 60):  # a float or worse where the typed reader wants an int or a text
        return draw(st.sampled_from((1.5, Raw("1E3"), Raw("1.0"), True, [], {})))
    return MISSING_FIELD


def span_times(draw: st.DrawFn, odd: bool) -> tuple[Any, Any]:
    start = nanos(draw, odd)
    number = start if type(start) is int else int(start) if type(start) is str \
        and start.isdecimal() and len(start) < 25 else None
    if number is None or chance(draw, 25):
        return start, nanos(draw, odd)
    end = number + draw(st.integers(-(10**6), 10**9) if chance(draw, 10)
                        else st.integers(0, 10**9))  # now and then before the start
    return start, str(end) if chance(draw, 60) else end


INT_VALUES = (5, "5", "-5", "1.5", "99999999999999999999", 0, "0", -(2**63), 2**64, 2**70,
              " 7 ", "+7", "1_000", "\u0661\u0662", "1e3", "-0", Raw("-0"), "00012",
              "9223372036854775808", "-9223372036854775809", None)
ODD_INT_VALUES = ("abc", "", "NaN", "inf", "1e999", 1.5, True, Raw("1E3"), [], {})
DOUBLE_VALUES = (1.5, 1, 0, -0.0, 1e308, 5e-324, -2.5, 0.1, 2**53 + 1, 10**30, Raw("1E3"),
                 Raw("-0"), Raw("1.0e+2"), Raw("-0.0"), Raw("1e-400"), None)
ODD_DOUBLE_VALUES = ("NaN", "1.5", "Infinity", Raw("1E400"), True, [])
BYTES_TEXTS = ("AAEC", "", "AA", "AA==", "AA=", "////", "not base64!", "AAEC\n", "a b", "=", "A",
               "_-_-", "\u00e9")
VALUE_KEYS = ("http.method", "http.status_code", "k", "", "caf\u00e9", "a\nb", "service.name",
              "otel.scope.name", "error", "\U0001f600")


def scalar_value(draw: st.DrawFn, odd: bool) -> dict[str, Any]:
    roll = draw(st.integers(0, 99))
    if roll < 35:
        return {"stringValue": text(draw, odd)}
    if roll < 55:
        return {"intValue": draw(st.sampled_from(ODD_INT_VALUES)) if rare(draw, odd, 30)
                else draw(st.sampled_from(INT_VALUES))}
    if roll < 70:
        if rare(draw, odd, 30):
            return {"doubleValue": draw(st.sampled_from(ODD_DOUBLE_VALUES))}
        return {"doubleValue": draw(st.sampled_from(DOUBLE_VALUES)) if chance(draw, 50)
                else draw(st.floats(allow_nan=False, allow_infinity=False))}
    if roll < 82:
        return {"boolValue": draw(st.sampled_from(("true", 1, [])) if rare(draw, odd, 30)
                                  else st.sampled_from((True, False, None)))}
    if roll < 95:
        return {"bytesValue": b64(draw(st.binary(max_size=6))) if chance(draw, 50)
                else draw(st.sampled_from(BYTES_TEXTS))}
    if rare(draw, odd, 50):
        return {"stringValue": draw(st.sampled_from((5, True, [], {})))}
    return {"stringValue": None, "intValue": "7"}


def nested(depth: int) -> dict[str, Any]:
    """An array value ``depth`` arrays deep; the typed reader keeps 32 levels."""
    value: dict[str, Any] = {"stringValue": "leaf"}
    for _ in range(depth):
        value = {"arrayValue": {"values": [value]}}
    return value


def any_value(draw: st.DrawFn, odd: bool, depth: int = 0) -> Any:
    """An OTLP AnyValue in every form: one field, none, several, containers, nulls, nesting."""
    roll = draw(st.integers(0, 99))
    if roll < 60 or depth >= 3:
        return scalar_value(draw, odd)
    if roll < 70:
        values = [any_value(draw, odd, depth + 1) for _ in range(draw(st.integers(0, 3)))]
        return {"arrayValue": {"values": values} if values or chance(draw, 50) else {}}
    if roll < 78:
        return {"kvlistValue": {"values": attributes(draw, odd, 3, depth + 1)}}
    if roll < 82:
        return {}
    if roll < 89:  # two fields at once: the first non-null one in the typed struct's order
        return {**scalar_value(draw, odd), **scalar_value(draw, odd)}
    if roll < 90 and depth == 0 and chance(draw, 30):  # 32 deep: the typed reader refuses it
        return nested(draw(st.sampled_from((30, 31, 32, 33, 40))))
    if roll < 95:
        return {"stringValue": None}  # all fields null: no value
    if rare(draw, odd, 60):  # a field the typed struct lacks (the snake_case aliases too)
        return draw(st.sampled_from(({"string_value": "x"}, {"fooValue": 1},
                                     {"stringValue": "a", "x": None}, {"int_value": "5"},
                                     {"arrayValue": []}, {"arrayValue": {"values": None}},
                                     "bare", 5)))
    return {"arrayValue": None, "stringValue": "after a null"}


# Ready-made attributes, one draw each: a document has up to ~100 spans to fill.
COMMON_ATTRIBUTES = (
    ("http.method", {"stringValue": "GET"}), ("http.status_code", {"intValue": "500"}),
    ("http.status_code", {"intValue": 200}), ("ratio", {"doubleValue": 0.25}),
    ("ok", {"boolValue": True}), ("tags", {"arrayValue": {"values": [{"stringValue": "a"}]}}),
    ("bytes", {"bytesValue": "AAEC"}), ("empty", {}), ("null", None),
    ("map", {"kvlistValue": {"values": [{"key": "a", "value": {"intValue": "1"}}]}}),
    ("otel.scope.name", {"stringValue": "mine"}), ("service.name", {"stringValue": "in-span"}),
)
ATTRIBUTE_POOL = (
    *COMMON_ATTRIBUTES,
    *(("as.int", {"intValue": value}) for value in INT_VALUES),
    *(("as.double", {"doubleValue": value}) for value in DOUBLE_VALUES),
    *(("as.bytes", {"bytesValue": value}) for value in BYTES_TEXTS),
)
# Only values as SDKs write them (int64 in range, finite doubles, valid base64): a document
# drawing from these alone has nothing that sends it to the general path.
SDK_ATTRIBUTES = (
    *COMMON_ATTRIBUTES,
    *(("as.int", {"intValue": value}) for value in (5, "5", "-5", 0, "0", "-0", "00012",
                                                    "9223372036854775807", -(2**63))),
    *(("as.double", {"doubleValue": value}) for value in (1.5, 1, 0, -0.0, 1e308, 5e-324, 0.1)),
    *(("as.bytes", {"bytesValue": value}) for value in ("AAEC", "", "AA==", "////")),
    ("list", {"arrayValue": {"values": [{"intValue": "1"}, {"doubleValue": 2.5}, {},
                                        {"arrayValue": {}}, {"boolValue": False}]}}),
    ("map", {"kvlistValue": {"values": [{"key": "k", "value": {"arrayValue": {"values": [
        {"stringValue": "caf\u00e9"}]}}}, {"key": "k", "value": None}, {"key": "n"}]}}),
    ("two", {"stringValue": None, "intValue": "7"}),
)


def attribute(draw: st.DrawFn, odd: bool, depth: int = 0) -> dict[str, Any]:
    roll = draw(st.integers(0, 99))
    if roll < 55 and depth == 0:
        key, value = draw(st.sampled_from(ATTRIBUTE_POOL))
        return {"key": key, "value": value}
    out: dict[str, Any] = {"key": draw(st.sampled_from(VALUE_KEYS)) if roll < 90
                           else text(draw, odd)}
    shape = draw(st.integers(0, 99))
    if shape < 8:
        return out  # no value
    out["value"] = None if shape < 15 else any_value(draw, odd, depth)
    if rare(draw, odd, 10):
        if chance(draw, 50):
            del out["key"]
        else:
            out["key"] = draw(st.sampled_from((5, None, [])))
    return with_extras(draw, odd, out) if depth == 0 else out


def attributes(draw: st.DrawFn, odd: bool, most: int = 4, depth: int = 0) -> list[Any]:
    out = [attribute(draw, odd, depth) for _ in range(draw(st.integers(0, most)))]
    if out and chance(draw, 10):
        out.append(dict(draw(st.sampled_from(out))))  # a key given twice
    if rare(draw, odd, 3):
        out.append(draw(st.sampled_from((None, 5, "k", []))))
    return out


SERVICE_VALUES = ({"stringValue": ""}, {"stringValue": "caf\u00e9 \U0001f600"},
                  {"intValue": "5"}, {"intValue": 5}, {"boolValue": True}, {"doubleValue": 1.5},
                  {"doubleValue": 2}, {"doubleValue": 1e16}, {"bytesValue": "AAEC"}, {}, None,
                  {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "1"}]}},
                  {"kvlistValue": {"values": [{"key": "a", "value": {"boolValue": False}}]}})


def resource(draw: st.DrawFn, odd: bool) -> Any:
    roll = draw(st.integers(0, 99))
    if roll < 5:
        return None
    if roll < 10:
        return with_extras(draw, odd, {})
    pairs = attributes(draw, odd, 3)
    roll = draw(st.integers(0, 99))
    if roll < 80:
        value = draw(st.sampled_from(SERVICE_VALUES)) if roll >= 60 else \
            {"stringValue": draw(st.sampled_from(("api", "db", "gateway")))}
        pairs.insert(draw(st.integers(0, len(pairs))), {"key": "service.name", "value": value})
    if roll < 5:  # named twice
        pairs.append({"key": "service.name", "value": {"stringValue": "second"}})
    out: dict[str, Any] = {"attributes": pairs}
    if rare(draw, odd, 5):
        out["attributes"] = None
    return with_extras(draw, odd, out)


def scope(draw: st.DrawFn, odd: bool) -> Any:
    roll = draw(st.integers(0, 99))
    if roll < 50:
        return {"name": draw(st.sampled_from(("io.opentelemetry.http", "tracewhy-bench"))),
                "version": "1.0"}
    if roll < 65:
        return {"name": text(draw, odd)}
    if roll < 75:
        return {"version": "2"}
    if roll < 80:
        return None
    if roll < 85:
        return {"name": "", "attributes": attributes(draw, odd, 2)}
    if rare(draw, odd, 50):
        return draw(st.sampled_from(({"name": 5}, {"name": None}, "scope", [])))
    return MISSING_FIELD


STATUS_CODES = (0, 1, 2, 3, -1, "STATUS_CODE_ERROR", "STATUS_CODE_OK", "STATUS_CODE_UNSET",
                "ERROR", "error", "Ok", "", "x", None, Raw("-0"), 2**64, "2")


def status(draw: st.DrawFn, odd: bool) -> Any:
    roll = draw(st.integers(0, 99))
    if roll < 40:
        return {}
    if roll < 55:
        return {"code": 2}
    if roll < 62:
        return {"code": 2, "message": text(draw, odd)}
    if roll < 70:
        return {"code": draw(st.sampled_from(STATUS_CODES))}
    if roll < 76:
        return {"message": text(draw, odd)}
    if roll < 82:
        return {"code": draw(st.sampled_from(STATUS_CODES)),
                "message": draw(st.sampled_from(("boom", "", None)))}
    if roll < 87:
        return None
    if rare(draw, odd, 50):
        return draw(st.sampled_from(({"code": 2.0}, {"message": 5}, {"code": True}, "error",
                                     [])))
    return MISSING_FIELD


EVENT_TIMES = ("", "x", "  12", "-5", "1e3", "\u0661", "9" * 30, None)


def span_event(draw: st.DrawFn, odd: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    roll = draw(st.integers(0, 99))
    if roll < 80:
        at = T0_NS + draw(st.integers(0, 10**9))
        out["timeUnixNano"] = str(at) if roll < 50 else at
    elif roll < 90:
        out["timeUnixNano"] = draw(st.sampled_from(EVENT_TIMES[:-1]))
    elif rare(draw, odd, 50):
        out["timeUnixNano"] = draw(st.sampled_from((None, 1.5, [])))
    put(out, "name", text(draw, odd) if chance(draw, 90) else MISSING_FIELD)
    if chance(draw, 50):
        out["attributes"] = attributes(draw, odd, 2)
    if rare(draw, odd, 5):
        out[draw(st.sampled_from(("name", "attributes")))] = None
    return with_extras(draw, odd, out)


def span_link(draw: st.DrawFn, odd: bool, tids: list[str], ids: list[str]) -> dict[str, Any]:
    out = {"traceId": draw(st.sampled_from(tids)) if chance(draw, 80) else otlp_trace_id(draw, odd),
           "spanId": draw(st.sampled_from(ids)) if ids and chance(draw, 80)
           else otlp_span_id(draw, odd, ids)}
    if chance(draw, 50):
        out["attributes"] = attributes(draw, odd, 2)
    return with_extras(draw, odd, out)


def sdk_times(draw: st.DrawFn) -> tuple[Any, Any]:
    """Start and end as SDKs write them (decimal texts, or numbers), now and then reversed."""
    start = T0_NS + draw(st.integers(0, 10**10))
    end = start + draw(st.integers(-(10**6), 10**9) if chance(draw, 5) else st.integers(0, 10**9))
    return (str(start), str(end)) if chance(draw, 70) else (start, end)


def plain_span(draw: st.DrawFn, odd: bool, tid: str, sid: str, ids: list[str],
               varied: bool, pool: tuple[tuple[str, Any], ...] = ATTRIBUTE_POOL) -> dict[str, Any]:
    """The shape SDKs write, in few draws (documents have many spans); ``varied``: with SDK
    times and the names, values, events and statuses the native reader takes too, and any
    AnyValue unless the attributes come from ``SDK_ATTRIBUTES``."""
    out: dict[str, Any] = {"traceId": tid, "spanId": sid}
    roll = draw(st.integers(0, 99))
    if roll >= 10 and ids:
        out["parentSpanId"] = draw(st.sampled_from(ids))
    out["name"], out["kind"] = "op", draw(st.integers(0, 5))
    start, end = sdk_times(draw) if varied else span_times(draw, odd)
    put(out, "startTimeUnixNano", start)
    put(out, "endTimeUnixNano", end)
    out["attributes"] = [{"key": key, "value": value} for key, value in
                         (draw(st.sampled_from(pool)) for _ in range(draw(st.integers(0, 3))))]
    out["status"] = {"code": 2} if roll % 5 == 0 else {}
    if not varied:
        return out
    if chance(draw, 30):
        out["name"] = text(draw, odd)
    if pool is not SDK_ATTRIBUTES and chance(draw, 30):
        out["attributes"] += attributes(draw, odd, 3)
    sdk = pool is SDK_ATTRIBUTES
    if chance(draw, 15):
        out["events"] = [sdk_event(draw, odd) if sdk else span_event(draw, odd)
                         for _ in range(draw(st.integers(0, 3)))]
    if chance(draw, 20):
        put(out, "status", draw(st.sampled_from(SDK_STATUSES)) if sdk else status(draw, odd))
    return with_extras(draw, odd, out)


SDK_STATUSES = ({}, {"code": 0}, {"code": 1}, {"code": 2}, {"code": 2, "message": "boom"},
                {"message": ""}, {"code": "STATUS_CODE_ERROR"}, MISSING_FIELD)


def sdk_event(draw: st.DrawFn, odd: bool) -> dict[str, Any]:
    at = T0_NS + draw(st.integers(0, 10**9))
    return {"timeUnixNano": str(at) if chance(draw, 70) else at, "name": text(draw, odd),
            "attributes": [{"key": key, "value": value} for key, value in
                           (draw(st.sampled_from(SDK_ATTRIBUTES))
                            for _ in range(draw(st.integers(0, 2))))]}


def otlp_span(draw: st.DrawFn, odd: bool, tid: str, sid: str, tids: list[str],
              ids: list[str]) -> dict[str, Any]:
    if chance(draw, 45):
        return plain_span(draw, odd, tid, sid, ids, varied=False)
    out: dict[str, Any] = {"traceId": tid, "spanId": sid}
    if chance(draw, 20):  # the trace id spelt another way, or another trace's
        out["traceId"] = draw(st.sampled_from((tid.upper(), f" {tid}", "", *tids)))
    put(out, "parentSpanId", parent_span_id(draw, odd, ids))
    put(out, "name", text(draw, odd) if chance(draw, 90) else MISSING_FIELD)
    put(out, "kind", span_kind(draw, odd))
    start, end = span_times(draw, odd)
    put(out, "startTimeUnixNano", start)
    put(out, "endTimeUnixNano", end)
    out["attributes"] = attributes(draw, odd)
    if chance(draw, 20):
        out["events"] = [span_event(draw, odd) for _ in range(draw(st.integers(0, 3)))]
    if chance(draw, 10):  # the native reader leaves links to the typed one
        out["links"] = [span_link(draw, odd, tids, ids) for _ in range(draw(st.integers(0, 2)))]
    put(out, "status", status(draw, odd))
    if chance(draw, 10):  # any field may be absent
        for field in list(out):
            if chance(draw, 20):
                del out[field]
    if rare(draw, odd, 3):
        out[draw(st.sampled_from(("traceId", "spanId", "name", "attributes")))] = None
    return with_extras(draw, odd, out)


def resource_block(draw: st.DrawFn, odd: bool, scopes: list[list[dict[str, Any]]],
                   sdk: bool = False) -> Any:
    """``sdk``: resource and scopes as SDKs write them."""
    block: dict[str, Any] = {}
    put(block, "resource", sdk_resource(draw) if sdk else resource(draw, odd)
        if chance(draw, 90) else MISSING_FIELD)
    old = not sdk and chance(draw, 2)  # the old name: the typed reader leaves it to the tolerant
    lists = []
    for spans in scopes:
        scope_block: dict[str, Any] = {}
        put(scope_block, "instrumentationLibrary" if old else "scope",
            draw(st.sampled_from(SDK_SCOPES)) if sdk else scope(draw, odd))
        if spans or chance(draw, 80):
            scope_block["spans"] = spans
        if rare(draw, odd, 3):
            scope_block["spans"] = None
        lists.append(with_extras(draw, odd, scope_block))
    if lists or chance(draw, 80):
        block["instrumentationLibrarySpans" if old else "scopeSpans"] = lists
    if chance(draw, 3):
        block["instrumentationLibrarySpans"] = None  # null: as good as absent
    if rare(draw, odd, 3):
        block["scopeSpans"] = None
    return with_extras(draw, odd, block)


SDK_SCOPES = ({"name": "io.opentelemetry.http", "version": "1.0"}, {"name": "torch"}, {},
              {"name": ""}, MISSING_FIELD)


def sdk_resource(draw: st.DrawFn) -> dict[str, Any]:
    pairs = [{"key": key, "value": value} for key, value in
             (draw(st.sampled_from(SDK_ATTRIBUTES)) for _ in range(draw(st.integers(0, 2))))]
    if chance(draw, 90):
        value = draw(st.sampled_from(SERVICE_VALUES[:-2])) if chance(draw, 10) else \
            {"stringValue": draw(st.sampled_from(("api", "db", "gateway")))}
        pairs.insert(draw(st.integers(0, len(pairs))), {"key": "service.name", "value": value})
    return {"attributes": pairs}


def shuffled(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """Keys in another order now and then (the top level's first key stays first)."""
    if isinstance(value, list):
        return [shuffled(item, rng, depth + 1) for item in value]
    if not isinstance(value, dict):
        return value
    pairs = [(key, shuffled(item, rng, depth + 1)) for key, item in value.items()]
    if depth and rng.random() < 0.3:
        rng.shuffle(pairs)
    return dict(pairs)


@st.composite
def otlp_documents(draw: st.DrawFn) -> bytes:
    odd = chance(draw, 30)
    # plain: every id canonical hex and every span as SDKs write it, the rest as varied as
    # ever: what the native reader reads (one odd span in a hundred makes it decline them all)
    plain = not odd and chance(draw, 60)
    tids = [hex_id(draw, draw(st.sampled_from((32, 32, 16)))) if plain
            else otlp_trace_id(draw, odd) for _ in range(draw(st.integers(1, 3)))]
    shape = [[draw(st.integers(0, 12)) for _ in range(draw(st.integers(1, 3)))]
             for _ in range(draw(st.integers(1, 3)))]
    ids: list[str] = []
    for _ in range(sum(map(sum, shape))):
        ids.append(draw(st.sampled_from(ids)) if plain and ids and chance(draw, 5)
                   else hex_id(draw, 16) if plain else otlp_span_id(draw, odd, ids))
    given_ids = iter(ids)
    one_trace = chance(draw, 40)
    sdk = plain and chance(draw, 70)  # and every value, resource, scope and status too
    pool = SDK_ATTRIBUTES if sdk else ATTRIBUTE_POOL

    def span(sid: str) -> dict[str, Any]:
        tid = tids[0] if one_trace else draw(st.sampled_from(tids))
        return plain_span(draw, odd, tid, sid, ids, True, pool) if plain \
            else otlp_span(draw, odd, tid, sid, tids, ids)

    blocks = [resource_block(draw, odd, [[span(next(given_ids)) for _ in range(n)]
                                         for n in scopes], sdk) for scopes in shape]
    if rare(draw, odd, 5):
        blocks.append(draw(st.sampled_from((None, 5, []))))
    doc = with_extras(draw, odd, {"resourceSpans": blocks})
    if chance(draw, 20):  # Jaeger api_v3
        doc = with_extras(draw, odd, {"result": doc})
    if rare(draw, odd, 5):
        doc = {"x": None, **doc}  # not first: not the shape the fast paths read
    style, seed = draw(st.integers(0, 3)), draw(st.integers(0, 2**32 - 1))
    if style < 2:
        doc = shuffled(doc, random.Random(seed))
    data = serialise(doc, style, seed, odd)
    if rare(draw, odd, 5):
        data += draw(st.sampled_from((b" x", b"{}", b"\x00", b"\n{}")))
    return data


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(otlp_documents())
def test_random_documents(data: bytes) -> None:
    got = assert_parity(data)
    event("the typed reader refuses it" if reference(data) is None
          else "read natively" if got is not None else "the native reader declines it")


# -- broken bytes -------------------------------------------------------------------------------

TRACE = "0af7651916cd43dd8448eb211c80319c"


def small_span(i: int, trace_id: str = TRACE, **fields: Any) -> dict[str, Any]:
    return {"traceId": trace_id, "spanId": f"00f067aa0ba902b{i}",
            **({"parentSpanId": "00f067aa0ba902b0"} if i else {}),
            "name": f"op {i}", "kind": 2 if i % 2 else 3,
            "startTimeUnixNano": str(T0_NS + 10_000 * (i % 3)),
            "endTimeUnixNano": str(T0_NS + 10_000 * (i % 3) + 9_000),
            "attributes": [{"key": "http.method", "value": {"stringValue": "GET"}},
                           {"key": "n", "value": {"intValue": str(i)}},
                           {"key": "ok", "value": {"boolValue": i % 2 == 0}},
                           {"key": "r", "value": {"doubleValue": i / 4}}],
            "status": {"code": 2, "message": "boom"} if i == 3 else {}, **fields}


FIVE_SPANS = json.dumps({"resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}},
                                {"key": "host.ip", "value": {"stringValue": "10.0.0.1"}}]},
    "scopeSpans": [{"scope": {"name": "tests", "version": "1.0"},
                    "spans": [small_span(i) for i in range(5)]}]}]}).encode()

ODD_SHAPES = json.dumps({"result": {"resourceSpans": [
    {"resource": {"attributes": [{"key": "service.name", "value": {"intValue": "7"}}]},
     "scopeSpans": [{"scope": None, "spans": [
         {"traceId": "Cvdlfxlc3D2ESOshHIAxnA==", "spanId": "APBnqguqArc=",
          "name": "caf\u00e9 \U0001f600", "kind": "SPAN_KIND_CLIENT",
          "startTimeUnixNano": T0_NS, "endTimeUnixNano": T0_NS + 5000,
          "attributes": [{"key": "bin", "value": {"bytesValue": "AAEC"}},
                         {"key": "list", "value": {"arrayValue": {"values": [
                             {"intValue": 1}, {"doubleValue": 2}, {}]}}},
                         {"key": "map", "value": {"kvlistValue": {"values": [
                             {"key": "a", "value": {"boolValue": True}}, {"key": "b"}]}}},
                         {"key": "big", "value": {"intValue": "99999999999999999999"}},
                         {"key": "none"}, {"key": "none", "value": None}],
          "events": [{"timeUnixNano": str(T0_NS + 1000), "name": "retry",
                      "attributes": [{"key": "attempt", "value": {"intValue": "2"}}]},
                     {"name": "no time"}],
          "status": {"code": "STATUS_CODE_ERROR", "message": "timeout"}, "flags": 256}]}]},
    {"scopeSpans": [{"scope": {"name": "second"}, "spans": [
        {"traceId": TRACE.upper(), "spanId": "00F067AA0BA902B7", "parentSpanId": "APBnqguqArc=",
         "kind": 9, "startTimeUnixNano": "  12", "endTimeUnixNano": "-5", "status": None,
         "extra": [[1, {"a": None}], 2.5]},
        {"traceId": TRACE, "spanId": "b1", "parentSpanId": "0000000000000000",
         "startTimeUnixNano": "1e3"}]}]}]}}, ensure_ascii=False, indent=1).encode()

# Two traces, their spans alternating across blocks and scopes, under the api_v3 wrapper.
OTHER = "8448eb211c80319c"
TWO_TRACES = json.dumps({"result": {"resourceSpans": [
    {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "front"}}]},
     "scopeSpans": [{"scope": {"name": "a"}, "spans": [small_span(4), small_span(1, OTHER)]},
                    {"scope": {"name": "b"}, "spans": [small_span(2)]}]},
    {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "\u00e9\\/\""}}]},
     "scopeSpans": [{"spans": [small_span(0, OTHER), small_span(0), small_span(
         3, events=[{"timeUnixNano": str(T0_NS), "name": "e"}])]}]},
]}}).encode()

SMALL_DOCUMENTS = {"five-spans": FIVE_SPANS, "odd-shapes": ODD_SHAPES, "two-traces": TWO_TRACES}


@pytest.mark.parametrize("name", list(SMALL_DOCUMENTS))
def test_every_truncation(name: str) -> None:
    parity.assert_every_truncation(SMALL_DOCUMENTS[name], name, reference, assert_parity)


def test_random_byte_mutations() -> None:
    parity.assert_random_mutations(SMALL_DOCUMENTS, assert_parity)


def replaced(old: bytes, new: bytes) -> bytes:
    return parity.replace_once(FIVE_SPANS, old, new)


def in_span(field: bytes, value: bytes) -> bytes:
    """FIVE_SPANS with ``"field": value`` first in its first span."""
    return replaced(b'"spans": [{', b'"spans": [{"' + field + b'": ' + value + b", ")


def in_value(value: bytes) -> bytes:
    """FIVE_SPANS with ``value`` as its first attribute's AnyValue."""
    return replaced(b'{"stringValue": "GET"}', value)


SPAN_START = b'"startTimeUnixNano": "%d"' % T0_NS
HOSTILE: dict[str, bytes] = {
    "empty": b"", "brace": b"{", "start-only": b'{"resourceSpans":[', "result-only": b'{"result":',
    "nul": b"\x00", "whitespace": b" \n\t ", "empty-list": b'{"resourceSpans":[]}',
    "list-null": b'{"resourceSpans":null}', "result-null": b'{"result":null}',
    "result-empty": b'{"result":{}}', "result-list": b'{"result":[]}',
    "result-empty-list": b'{"result":{"resourceSpans":[]}}',
    "trace-summaries": b'{"result":{"summaries":[]}}',
    "block-null": b'{"resourceSpans":[null]}', "block-number": b'{"resourceSpans":[1]}',
    "scopes-null": b'{"resourceSpans":[{"scopeSpans":null}]}',
    "spans-null": b'{"resourceSpans":[{"scopeSpans":[{"spans":null}]}]}',
    "span-null": b'{"resourceSpans":[{"scopeSpans":[{"spans":[null]}]}]}',
    "span-empty": b'{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}',
    "old-name": replaced(b'"scopeSpans"', b'"instrumentationLibrarySpans"'),
    "old-name-null": replaced(b'"scopeSpans"',
                              b'"instrumentationLibrarySpans": null, "scopeSpans"'),
    "old-name-too": replaced(b'"scopeSpans"', b'"instrumentationLibrarySpans": [], "scopeSpans"'),
    "list-given-twice": FIVE_SPANS[:-1] + b', "resourceSpans": []}',
    "list-given-twice-first-bad": b'{"resourceSpans": 5, ' + FIVE_SPANS[1:],
    "field-given-twice": in_span(b"name", b'"first"'),
    "links": in_span(b"links", b'[{"traceId": "' + TRACE.encode()
                     + b'", "spanId": "00f067aa0ba902b1"}]'),
    "links-empty": in_span(b"links", b"[]"),
    "bom": b"\xef\xbb\xbf" + FIVE_SPANS, "trailing-garbage": FIVE_SPANS + b"x",
    "two-documents": FIVE_SPANS + b"\n" + FIVE_SPANS, "nul-before": b"\x00" + FIVE_SPANS,
    "deep-arrays-skipped": in_span(b"x", b"[" * DEEP + b"]" * DEEP),
    "deep-objects-skipped": in_span(b"x", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    "deep-arrays-unclosed": in_span(b"x", b"[" * DEEP),
    "deep-any-value": in_value(b'{"arrayValue":{"values":[' * DEEP + b"]}}" * DEEP),
    "deep-kvlist": in_value(b'{"kvlistValue":{"values":[{"key":"k","value":' * DEEP
                            + b"null}]}}" * DEEP),
    "any-value-32-deep": in_value(json.dumps(nested(32)).encode()),
    "any-value-31-deep": in_value(json.dumps(nested(31)).encode()),
    "deep-top-level": b'{"resourceSpans":[],"x":' + b"[" * DEEP + b"]" * DEEP + b"}",
    "10mb-name": in_span(b"name", b'"' + b"n" * TEN_MB + b'"'),
    "10mb-skipped": in_span(b"x", b'"' + b"s" * TEN_MB + b'"'),
    "10mb-of-escapes": in_value(b'{"stringValue": "' + b"\\u00e9\\n" * (TEN_MB // 8) + b'"}'),
    "10mb-attribute-key": replaced(b'"key": "n"', b'"key": "' + b"k" * TEN_MB + b'"'),
    "10mb-time": replaced(SPAN_START, b'"startTimeUnixNano": "' + b"1" * TEN_MB + b'"'),
    "escaped-nul": in_span(b"name", b'"a\\u0000b"'),
    "raw-nul-in-string": in_span(b"name", b'"a\x00b"'),
    "raw-nul-skipped": in_span(b"x", b'"a\x00b"'),
    "lone-surrogate": in_span(b"name", b'"\\ud800"'),
    "lone-low-surrogate": in_value(b'{"stringValue": "\\udc00x"}'),
    "surrogate-pair": in_span(b"name", b'"\\ud83d\\ude00"'),
    "reversed-pair": in_span(b"name", b'"\\ude00\\ud83d"'),
    "bad-escape": in_span(b"name", b'"\\x41"'),
    "short-unicode-escape": in_span(b"name", b'"\\u12"'),
    "escaped-key": replaced(b'"traceId"', b'"\\u0074raceId"'),
    "escaped-trace-id": replaced(TRACE.encode(), b"\\u0030" + TRACE[1:].encode()),
    "escaped-time": replaced(SPAN_START, b'"startTimeUnixNano": "\\u0031' + b"0" * 18 + b'"'),
}
for label, bad in {"ff": b"\xff", "overlong": b"\xc0\xaf", "encoded-surrogate": b"\xed\xa0\x80",
                   "beyond-unicode": b"\xf4\x90\x80\x80", "cut-short": b"\xe2\x82",
                   "five-bytes": b"\xf8\x88\x80\x80\x80"}.items():
    HOSTILE[f"utf8-{label}-in-value"] = in_span(b"name", b'"a' + bad + b'"')
    HOSTILE[f"utf8-{label}-in-key"] = in_span(b"x" + bad, b"1")
    HOSTILE[f"utf8-{label}-skipped"] = in_span(b"x", b'["a' + bad + b'"]')
    HOSTILE[f"utf8-{label}-in-attribute-key"] = replaced(b'"key": "n"', b'"key": "n' + bad + b'"')
for number in (b"1e999", b"-1e999", b"-0", b"-0.0", b"01", b"1.", b".5", b"-", b"+1", b"1e",
               b"1e+", b"0x10", b"1e-400", b"9999999999999999999999", b"-9999999999999999999999",
               b"18446744073709551616", b"9223372036854775808", b"-9223372036854775809",
               b"2" * 4301, b"NaN", b"Infinity", b"1.5", b"1E2", b"0"):
    tag_text = number.decode()[:24]
    HOSTILE[f"start-{tag_text}"] = replaced(SPAN_START, b'"startTimeUnixNano": ' + number)
    HOSTILE[f"start-text-{tag_text}"] = replaced(SPAN_START, b'"startTimeUnixNano": "'
                                                 + number + b'"')
    HOSTILE[f"kind-{tag_text}"] = replaced(b'"kind": 3', b'"kind": ' + number)
    HOSTILE[f"int-{tag_text}"] = in_value(b'{"intValue": ' + number + b"}")
    HOSTILE[f"int-text-{tag_text}"] = in_value(b'{"intValue": "' + number + b'"}')
    HOSTILE[f"double-{tag_text}"] = in_value(b'{"doubleValue": ' + number + b"}")
    HOSTILE[f"skipped-{tag_text}"] = in_span(b"x", number)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input(name: str) -> None:
    assert_parity(HOSTILE[name], name)
