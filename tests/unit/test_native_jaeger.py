"""The compiled Jaeger reader (``tracewhy.sources.native``) must read what the typed reader reads.

``read_jaeger`` is a C fast path for the common shape of Jaeger query-API JSON.  It may decline
any input (None: the caller takes the existing path), but it must never raise or crash, must
decline whatever the typed reader refuses, and whatever it reads must match the typed reader
(``parse_typed(..., native=False)``, the reference): same format, rejects, warnings, counts and
trace warnings, the same spans as a multiset, each trace's spans in (start_us, span_id) order.

Inputs: every real Jaeger file we have, benchmark-shaped traces, OpenTelemetry SDK traces,
random documents (hypothesis) and broken bytes.  The extension only exists in a non-editable
install (``pip install .``): elsewhere this module is skipped, but under CI=true it fails.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import json
import os
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import EXTERNAL, FIXTURES, REPO
from tests.fixtures.formats import EPOCH_US, sdk_to_jaeger, sdk_trace, to_jaeger
from tests.support import native_parity as parity
from tests.support.native_parity import Reader
from tests.support.sdk import SdkTraceBuilder
from tracewhy.demo.jaeger_json import encode_traces
from tracewhy.sources import native
from tracewhy.sources.common import ParseResult
from tracewhy.sources.decode import read_input
from tracewhy.sources.native import JAEGER_START
from tracewhy.sources.typed import parse_typed

AVAILABLE = native.AVAILABLE
MISSING = "the compiled Jaeger reader is missing: install with `pip install .`, not -e"
if not AVAILABLE and os.environ.get("CI") != "true":
    pytest.skip(MISSING, allow_module_level=True)


@pytest.fixture(autouse=True, scope="module")  # module: hypothesis refuses per-test fixtures
def _compiled_reader() -> None:
    """CI installs the wheel: there a missing extension is a failure, never a skip."""
    if not AVAILABLE:
        pytest.fail(MISSING)


# -- the parity rule ----------------------------------------------------------------------------

def reference(data: bytes) -> ParseResult | None:
    return parse_typed(data, "jaeger", None, native=False)


def assert_parity(data: bytes, what: str = "", read: Reader | None = None) -> ParseResult | None:
    return parity.assert_parity(data, read or native.read_jaeger, reference, what)


# -- every real Jaeger file ---------------------------------------------------------------------

CATALOGUE = REPO / "tests" / "fixtures" / "catalogue"  # hand-made odd inputs, some of them Jaeger


def jaeger_files() -> list[tuple[str, Path]]:
    roots = {"external": EXTERNAL, "fixtures": FIXTURES, "catalogue": CATALOGUE}
    return [(f"{label}/{path.relative_to(root)}", path) for label, root in roots.items()
            for path in sorted(root.rglob("*.json*"))
            if JAEGER_START.match(read_input(str(path)))]


JAEGER_FILES = jaeger_files()


@pytest.mark.parametrize(("name", "path"), JAEGER_FILES, ids=[name for name, _ in JAEGER_FILES])
def test_real_jaeger_files(name: str, path: Path, external: Path) -> None:
    data = read_input(str(path))
    if assert_parity(data, name) is not None:  # read natively: parse_typed must read it so too
        assert_parity(data, f"{name} via parse_typed", lambda d: parse_typed(d, "jaeger", None))


# -- benchmark-shaped traces (benchmarks/generate.py) -------------------------------------------

@functools.cache
def benchmark_generator() -> ModuleType:
    """benchmarks/ is not a package: load generate.py by path (registered, for its dataclass)."""
    spec = importlib.util.spec_from_file_location("benchmark_generate",
                                                  REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def benchmark_trace(shape: str, n: int) -> bytes:
    gen = benchmark_generator()
    out = io.BytesIO()
    gen.write_trace(out, gen.build_tree(shape, n), "jaeger", gen.trace_id(shape, n),
                    gen.file_order(n, shape))
    return out.getvalue()


def two_benchmark_traces() -> bytes:
    first, second = (json.loads(benchmark_trace(shape, 300)) for shape in ("bushy", "deep"))
    return json.dumps({**first, "data": first["data"] + second["data"]}).encode()


BENCHMARK_SHAPES = [("bushy", 300), ("wide", 300), ("deep", 300), ("forest", 300),
                    ("forest", 2500)]  # at 300 every forest span is a root


@pytest.mark.parametrize(("shape", "n"), BENCHMARK_SHAPES, ids=lambda v: str(v))
def test_benchmark_shapes(shape: str, n: int) -> None:
    data = benchmark_trace(shape, n)
    got = assert_parity(data, f"{shape}-{n}")
    assert got is not None, "the native reader declined the very shape it exists for"
    assert len(got.spans) == n


def test_two_benchmark_traces_in_one_document() -> None:
    assert assert_parity(two_benchmark_traces(), "bushy+deep") is not None


def test_parse_typed_reads_jaeger_natively_by_default() -> None:
    """The wiring: parse_typed's default hands Jaeger to the native reader (its start order
    shows: the benchmark files hold spans in shuffled order)."""
    for fmt in ("jaeger", None):
        got = assert_parity(benchmark_trace("bushy", 300), f"parse_typed(fmt={fmt})",
                            lambda d, fmt=fmt: parse_typed(d, fmt, None))
        assert got is not None


def test_the_native_reader_leaves_attribute_filters_to_the_typed_reader() -> None:
    assert native.read_jaeger(benchmark_trace("bushy", 300), keep=lambda key: True) is None


# -- traces recorded with the OpenTelemetry SDK -------------------------------------------------

def builder_trace() -> bytes:
    """Four services, retries, errors with and without a message, events with attributes."""
    b = SdkTraceBuilder(seed=11)
    root = b.span("gateway", "GET /predict", 0, 120, kind="server", http__route="/predict")
    call = b.span("gateway", "POST /infer", 2, 110, parent=root, kind="client")
    infer = b.span("model", "infer", 3, 108, parent=call, kind="server", error="OOM",
                   events=[("exception", 100, {"exception.type": "OOMError"}),
                           ("retry", 50, {"attempt": 2, "ok": False, "ratio": 0.5})])
    b.span("features", "lookup", 4, 40, parent=infer, kind="client", db__system="redis")
    b.span("features", "lookup", 41, 60, parent=infer, kind="client", error="")
    b.span("queue", "publish", 111, 112, parent=root, kind="producer")
    return json.dumps(to_jaeger(b.trace().spans)).encode()


@functools.cache
def sdk_documents() -> dict[str, bytes]:
    spans, other = sdk_trace(), sdk_trace()
    return {
        "demo-encoder": json.dumps(encode_traces([spans])).encode(),
        "demo-encoder-two-traces": json.dumps(encode_traces([spans, other])).encode(),
        "links-as-references": json.dumps(sdk_to_jaeger(spans)).encode(),
        "four-services": builder_trace(),
    }


@pytest.mark.parametrize("name", list(sdk_documents()))
def test_sdk_traces(name: str) -> None:
    data = sdk_documents()[name]
    assert reference(data) is not None, "well-formed: a refusal would leave nothing to compare"
    assert_parity(data, name)


# -- random documents ---------------------------------------------------------------------------

# TRACEWHY_PROPERTY_EXAMPLES=5000 for a long hunt (as test_properties.py); the default stays quick.
EXAMPLES = int(os.environ.get("TRACEWHY_PROPERTY_EXAMPLES", "100"))


class Raw:
    """JSON text written as it is: number forms json.dumps never writes (1E3, -0, 1e-400)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text!r})"


class Writer:
    """JSON text with the freedoms the grammar allows: whitespace anywhere, \\/ and \\u escapes
    of any character, keys in any order, and now and then a key given twice (the last counts).

    The top level stays ``{"data": [`` as written: the fast paths only look at that shape."""

    def __init__(self, rng: random.Random, ascii_only: bool, odd: bool) -> None:
        self.rng, self.ascii_only, self.odd = rng, ascii_only, odd
        self.spaced = rng.random() < 0.5
        self.escapes = rng.choice((0.0, 0.02, 0.3))  # of characters that need none
        self.decoys = 0.03 if rng.random() < 0.3 else 0.0

    def document(self, doc: Any) -> bytes:
        return (self.space() + self.value(doc, 0) + self.space()).encode()

    def space(self) -> str:
        return self.rng.choice(("", " ", "\n", "\t", "\r\n ", "  ")) if self.spaced else ""

    def value(self, value: Any, depth: int) -> str:
        if isinstance(value, Raw):
            return value.text
        if value is None or isinstance(value, bool):
            return json.dumps(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return f"{value:.17e}" if self.rng.random() < 0.3 else repr(value)
        if isinstance(value, str):
            return self.string(value, self.escapes)
        if isinstance(value, list):
            items = [self.space() + self.value(item, depth + 1) + self.space() for item in value]
            return "[" + ",".join(items) + "]" if items else "[" + self.space() + "]"
        return self.object(value, depth)

    def object(self, obj: dict[str, Any], depth: int) -> str:
        pairs = list(obj.items())
        if depth and self.rng.random() < 0.2:
            self.rng.shuffle(pairs)
        if depth and pairs and self.rng.random() < self.decoys:
            key, real = self.rng.choice(pairs)
            pairs.insert(0, (key, self.decoy(key, real)))
        return "{" + ",".join(
            self.space() + self.string(key, self.escapes if depth else 0.0) + self.space() + ":"
            + self.space() + self.value(item, depth + 1) + self.space()
            for key, item in pairs) + "}"

    def decoy(self, key: str, real: Any) -> Any:
        """A first value for a key that is given again: one the typed reader takes, unless odd."""
        if self.odd and self.rng.random() < 0.3:
            return self.rng.choice((None, 0, "", [], "decoy"))
        same = {str: "int64" if key == "type" else "", int: 0, float: 0.5, bool: False,
                list: [], dict: {}}
        return same.get(type(real), real)

    def string(self, text: str, escapes: float) -> str:
        out = ['"']
        for ch in text:
            code = ord(ch)
            if ch in '"\\':
                out.append("\\" + ch)
            elif code < 0x20 or 0xD800 <= code < 0xE000 or (self.ascii_only and code > 0x7E) \
                    or self.rng.random() < escapes:
                out.append(self.escape(ch))
            elif ch == "/" and self.rng.random() < 0.5:
                out.append("\\/")
            else:
                out.append(ch)
        return "".join(out) + '"'

    def escape(self, ch: str) -> str:
        short = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
        if ch in short and self.rng.random() < 0.7:
            return short[ch]
        units = [ord(ch)] if ord(ch) < 0x10000 else \
            [0xD800 + ((ord(ch) - 0x10000) >> 10), 0xDC00 + ((ord(ch) - 0x10000) & 0x3FF)]
        return "".join((f"\\u{u:04x}" if self.rng.random() < 0.5 else f"\\u{u:04X}")
                       for u in units)


def serialise(doc: Any, style: int, seed: int, odd: bool) -> bytes:
    if style < 2:  # json.dumps, as most exporters write; a lone surrogate becomes invalid UTF-8
        text = json.dumps(doc, ensure_ascii=style == 0, default=lambda raw: json.loads(raw.text))
        return text.encode("utf-8", "surrogatepass")
    return Writer(random.Random(seed), ascii_only=style == 2, odd=odd).document(doc)


def chance(draw: st.DrawFn, percent: int) -> bool:
    return draw(st.integers(0, 99)) < percent


def rare(draw: st.DrawFn, odd: bool, percent: int) -> bool:
    """Something the typed reader refuses: only in the documents drawn as odd, so that most
    documents are read by it and their spans compared."""
    return odd and chance(draw, percent)


ODD_TEXTS = ("", " ", "line\nbreak", 'say "hi"', "back\\slash", "a/b", "caf\u00e9",
             "\U0001f600", "nul\x00", "\u2028", "\u65e5\u672c", "\x7f", "x" * 200)
texts = st.one_of(st.sampled_from(ODD_TEXTS), st.text(max_size=8))
NUMBER_FORMS = (Raw("1E3"), Raw("-0"), Raw("1.0e+2"), Raw("1e-400"), Raw("-0.0"),
                Raw("123456789012345678901234567890.5"), Raw("[" * 40 + "]" * 40))
VALUE_KEYS = ("a", "b", "", "caf\u00e9", "spanID", "data")


def text(draw: st.DrawFn, odd: bool) -> str:
    return "\ud800" if rare(draw, odd, 2) else draw(texts)  # lone: refused even when skipped


def json_value(draw: st.DrawFn, odd: bool, depth: int = 0) -> Any:
    """Any JSON value: for tag values (kept as decoded) and unknown keys (skipped)."""
    roll = draw(st.integers(0, 99))
    if roll < 10:
        return None
    if roll < 20:
        return draw(st.booleans())
    if roll < 35:
        return draw(st.integers(-(2**70), 2**70))
    if roll < 45:
        return draw(st.floats(allow_nan=False, allow_infinity=False))
    if roll < 50:
        return Raw("1E400") if rare(draw, odd, 30) else draw(st.sampled_from(NUMBER_FORMS))
    if roll < 75 or depth >= 3:
        return text(draw, odd)
    if roll < 88:
        return [json_value(draw, odd, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    return {draw(st.sampled_from(VALUE_KEYS)): json_value(draw, odd, depth + 1)
            for _ in range(draw(st.integers(0, 3)))}


def hex_id(draw: st.DrawFn, digits: int) -> str:
    return f"{draw(st.integers(1, 16**digits - 1)):0{digits}x}"


PADDING = (" ", "\t", "\xa0", "\u3000", "\x1f")  # str.strip() takes them all off an id


def trace_id(draw: st.DrawFn, odd: bool) -> str:
    roll = draw(st.integers(0, 99))
    if roll < 55:
        return hex_id(draw, 32)
    if roll < 75:
        return hex_id(draw, 16)
    if roll < 80:
        return hex_id(draw, 32).upper()
    if roll < 84:
        return draw(st.sampled_from(("A", "a", "1", "trace-1")))  # hand-made, as CRISP's
    if roll < 88:
        return hex_id(draw, draw(st.sampled_from((13, 15, 17, 31))))
    if roll < 91:
        return "0" * draw(st.sampled_from((16, 32)))
    if roll < 94:
        return draw(st.sampled_from(PADDING)) + hex_id(draw, 32)
    return text(draw, odd)


def span_id(draw: st.DrawFn, odd: bool, earlier: list[str]) -> str:
    roll = draw(st.integers(0, 99))
    if roll < 70:
        return hex_id(draw, 16)
    if roll < 76:
        return hex_id(draw, 16).upper()
    if roll < 82:
        return hex_id(draw, 15)[draw(st.integers(0, 14)):]  # 1-15 digits
    if roll < 87 and earlier:
        return draw(st.sampled_from(earlier))  # a duplicate
    if roll < 90:
        return "0" * 16
    if roll < 93:
        return hex_id(draw, 16) + draw(st.sampled_from(PADDING))
    if roll < 96:
        return hex_id(draw, draw(st.integers(17, 20)))
    return text(draw, odd)


HUGE = (2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 10**30, -(2**63), -(2**63) - 1)


def time_value(draw: st.DrawFn, odd: bool, nullable: bool = True) -> Any:
    roll = draw(st.integers(0, 99))
    if roll < 70:
        return EPOCH_US + draw(st.integers(0, 10**7))
    if roll < 76:
        return draw(st.sampled_from((0, -1, -(10**6), 1)))
    if roll < 84:
        return draw(st.sampled_from(HUGE))
    if roll < 90 and nullable:
        return None
    if roll < 93:
        return Raw("-0")
    if rare(draw, odd, 60):  # a float or a text where the typed reader wants an integer
        return draw(st.sampled_from((Raw("1E3"), Raw("17e14"), Raw("1.0"), 1.5, str(EPOCH_US),
                                     True, None)))
    return EPOCH_US


SPECIAL_VALUES: dict[str, tuple[Any, ...]] = {
    "span.kind": ("server", "client", "producer", "consumer", "internal", "SERVER", "Client",
                  " server", "unknown", "", "\u017fERVER", 2),
    "error": (True, False, "true", "false", " FALSE ", "0", "", "1", "\xa0false", "Boom", 0, 1,
              None),
    "otel.status_code": ("ERROR", "error", "OK", "Ok", "UNSET", "", 2, None),
    "otel.status_description": ("boom", "", None, 5),
    "event": ("retry", "", None, 3),
    "message": ("hello", "", None),
}
TYPED_TEXTS: dict[str, tuple[str, ...]] = {  # the texts typed_value converts, as Python does
    "int64": ("3", "-3", " 42 ", "+7", "1_000", "\u0661\u0662", "9223372036854775808",
              "99999999999999999999999", "1e3", "1.5", "inf", "nan", "", "x", "0x10", "2" * 40),
    "float64": ("1.5", " 2.5 ", "1e308", "1e309", "-inf", "nan", "Infinity", "1_0.5",
                "\u0661.\u0665", "", "x", "0.1000000000000000055511151231257827", "-0"),
    "bool": ("true", "True", " TRUE ", "false", "1", "", "yes", "\u0131rue"),
    "binary": ("AAEC", "AAE=", "AA==", "AA", "not base64", "", "AA EC", "////", "AAEC\n"),
}
NATURAL_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "int64": st.integers(-(2**65), 2**65), "bool": st.booleans(),
    "float64": st.floats(allow_nan=False, allow_infinity=False),
    "binary": st.binary(max_size=6).map(lambda b: base64.b64encode(b).decode())}
TAG_KEYS = (*SPECIAL_VALUES, "http.status_code", "component", "k", "", "caf\u00e9", "a\nb")
TAG_TYPES = ("string",) * 8 + ("int64",) * 3 + ("float64",) * 2 + ("bool",) * 3 + ("binary",) * 2
# Ready-made (key, type, value) tags, one draw each: a document has up to 120 spans to tag.
TAG_POOL = (
    *((key, "string", value) for key, values in SPECIAL_VALUES.items() for value in values),
    ("error", "bool", True), ("error", "bool", False), ("http.status_code", "int64", 500),
    ("ratio", "float64", 0.25), ("component", "string", "grpc"), ("bytes", "binary", "AAEC"),
    *((f"as.{kind}", kind, value) for kind, values in TYPED_TEXTS.items() for value in values),
)


def tag_value(draw: st.DrawFn, odd: bool, key: str, kind: Any) -> Any:
    roll = draw(st.integers(0, 99))
    if key in SPECIAL_VALUES and roll < 60:
        return draw(st.sampled_from(SPECIAL_VALUES[key]))
    if kind in TYPED_TEXTS and roll < 50:
        return draw(st.sampled_from(TYPED_TEXTS[kind]))
    if roll < 85:
        return draw(NATURAL_VALUES[kind]) if kind in NATURAL_VALUES else text(draw, odd)
    return json_value(draw, odd)


def with_extras(draw: st.DrawFn, odd: bool, obj: dict[str, Any]) -> dict[str, Any]:
    """Unknown keys, which a reader must skip whatever they hold."""
    if chance(draw, 10):
        add_extras(draw, odd, obj)
    return obj


def add_extras(draw: st.DrawFn, odd: bool, obj: dict[str, Any]) -> None:
    for _ in range(draw(st.integers(1, 2))):
        name = draw(st.sampled_from(("flags", "x", "extra", "\u00e9t\u00e9", "", "spanId",
                                     "startTimeUnixNano", "Tags")))
        obj.setdefault(name, json_value(draw, odd))


def tag(draw: st.DrawFn, odd: bool) -> dict[str, Any]:
    roll = draw(st.integers(0, 99))
    if roll < 75:
        key, kind, value = draw(st.sampled_from(TAG_POOL))
    else:
        key = draw(st.sampled_from(TAG_KEYS)) if roll < 95 else text(draw, odd)
        kind = draw(st.sampled_from(TAG_TYPES))
        value = tag_value(draw, odd, key, kind)
    out: dict[str, Any] = {"key": key, "type": kind, "value": value}
    if roll < 60:
        return out
    shape = draw(st.integers(0, 99))
    if shape < 20:
        del out["type"]  # "string" by default
    elif shape < 30:
        del out["value"]
    elif shape < 50:
        add_extras(draw, odd, out)
    elif odd and shape < 70:
        out["type"] = draw(st.sampled_from(("INT64", "long", "", 5, None)))
    elif odd and shape < 80:
        del out["key"]
    return out


def tags(draw: st.DrawFn, odd: bool, most: int = 4) -> list[dict[str, Any]] | None:
    if rare(draw, odd, 3):
        return None
    return [tag(draw, odd) for _ in range(draw(st.integers(0, most)))]


def process(draw: st.DrawFn, odd: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"serviceName": text(draw, odd) if chance(draw, 30) else "svc",
                           "tags": tags(draw, odd, 2)}
    if chance(draw, 5):
        del out["serviceName"]
    if chance(draw, 10):
        del out["tags"]
    if rare(draw, odd, 5):
        out["serviceName"] = None
    return with_extras(draw, odd, out)


def references(draw: st.DrawFn, odd: bool, ids: list[str], tid: str,
               tids: list[str]) -> list[Any] | None:
    roll = draw(st.integers(0, 99))
    if roll < 25:
        return None if rare(draw, odd, 10) else []
    if roll < 75:  # to a span of the trace (perhaps itself), or to one it lacks
        return [{"refType": "CHILD_OF", "traceID": tid,
                 "spanID": draw(st.sampled_from((*ids, "00000000000000ff")))}]
    refs = []
    for _ in range(draw(st.integers(1, 3))):
        ref_type = draw(st.sampled_from(("child_of", None))) if rare(draw, odd, 20) else \
            draw(st.sampled_from(("CHILD_OF", "CHILD_OF", "FOLLOWS_FROM", "")))
        ref = {"refType": ref_type,
               "traceID": draw(st.sampled_from((tid, tid, "", tid.upper(), "0" * 32, *tids))),
               "spanID": draw(st.sampled_from((*ids, "0" * 16, "", "00000000000000ff")))}
        for field in list(ref):
            if chance(draw, 5):
                del ref[field]
        refs.append(with_extras(draw, odd, ref))
    return refs


def span(draw: st.DrawFn, odd: bool, sid: str, ids: list[str], tid: str, tids: list[str],
         pids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"traceID": tid, "spanID": sid, "operationName": "op",
                           "references": [],
                           "startTime": time_value(draw, odd), "duration": time_value(draw, odd),
                           "tags": tags(draw, odd), "logs": [],
                           "processID": draw(st.sampled_from(pids)) if pids else "p1",
                           "warnings": None}
    roll = draw(st.integers(0, 99))
    if roll < 50:  # the plain shape exporters write, in few draws (documents have many spans)
        if roll >= 10:
            out["references"] = [{"refType": "CHILD_OF", "traceID": tid,
                                  "spanID": draw(st.sampled_from(ids))}]
        return out
    if chance(draw, 30):
        out["traceID"] = draw(st.sampled_from(("", tid.upper(), tid.strip(), *tids)))
    if chance(draw, 30):
        out["operationName"] = text(draw, odd)
    out["references"] = references(draw, odd, ids, tid, tids)
    if chance(draw, 15):
        out["logs"] = [with_extras(draw, odd, {"timestamp": time_value(draw, odd, False),
                                               "fields": tags(draw, odd, 2)})
                       for _ in range(draw(st.integers(1, 2)))]
    if chance(draw, 10):
        out["parentSpanID"] = draw(st.sampled_from((*ids, "", "0", "00000000000000ff")))
    roll = draw(st.integers(0, 99))
    if roll < 5:
        out["process"] = process(draw, odd)  # inline, as the UI's model holds it
    elif roll < 12:
        out["processID"] = draw(st.sampled_from(("nowhere", "")))
    if chance(draw, 10):
        out["warnings"] = [text(draw, odd) for _ in range(draw(st.integers(0, 2)))]
        if rare(draw, odd, 20):
            out["warnings"].append(1)
    if chance(draw, 10):  # any field may be absent
        for field in list(out):
            if chance(draw, 20):
                del out[field]
    if rare(draw, odd, 3):
        out["traceID"] = None
    return with_extras(draw, odd, out)


@st.composite
def jaeger_documents(draw: st.DrawFn) -> bytes:
    odd = chance(draw, 30)
    tids = [trace_id(draw, odd) for _ in range(draw(st.integers(1, 3)))]
    traces = []
    for tid in tids:
        pids = [f"p{i}" for i in range(1, draw(st.integers(0, 3)) + 1)]
        ids: list[str] = []
        for _ in range(draw(st.integers(1, 40))):
            ids.append(span_id(draw, odd, ids))
        trace: dict[str, Any] = {
            "traceID": tid, "spans": [span(draw, odd, sid, ids, tid, tids, pids) for sid in ids],
            "processes": {pid: process(draw, odd) for pid in pids},
            "warnings": [text(draw, odd) for _ in range(draw(st.integers(1, 2)))]
            if chance(draw, 10) else None}
        if chance(draw, 5):
            del trace["traceID"]
        if rare(draw, odd, 5):
            trace[draw(st.sampled_from(("traceID", "processes", "spans")))] = None
        traces.append(with_extras(draw, odd, trace))
    doc: dict[str, Any] = {"data": [] if chance(draw, 3) else traces, "total": 0, "limit": 0,
                           "offset": 0, "errors": None}
    doc = with_extras(draw, odd, doc)
    if rare(draw, odd, 10):
        doc = {"errors": None, **doc}  # "data" not first: not the shape the fast paths read
    return serialise(doc, draw(st.integers(0, 3)), draw(st.integers(0, 2**32 - 1)), odd)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(jaeger_documents())
def test_random_documents(data: bytes) -> None:
    got = assert_parity(data)
    event("the typed reader refuses it" if reference(data) is None
          else "read natively" if got is not None else "the native reader declines it")


# -- broken bytes -------------------------------------------------------------------------------

FIVE_SPANS = json.dumps({"data": [{
    "traceID": "0af7651916cd43dd8448eb211c80319c",
    "spans": [{"traceID": "0af7651916cd43dd8448eb211c80319c", "spanID": f"00f067aa0ba902b{i}",
               "operationName": f"op {i}", "startTime": EPOCH_US + 10 * (i % 3), "duration": 9,
               "references": [{"refType": "CHILD_OF", "traceID": "0af7651916cd43dd8448eb211c80319c",
                               "spanID": "00f067aa0ba902b0"}] if i else [],
               "tags": [{"key": "span.kind", "type": "string", "value": "server"},
                        {"key": "n", "type": "int64", "value": i},
                        {"key": "ok", "type": "bool", "value": i % 2 == 0},
                        {"key": "r", "type": "float64", "value": i / 4}],
               "logs": [], "processID": f"p{1 + i % 2}", "warnings": None} for i in range(5)],
    "processes": {"p1": {"serviceName": "api", "tags": [{"key": "ip", "type": "string",
                                                          "value": "10.0.0.1"}]},
                  "p2": {"serviceName": "db", "tags": []}},
    "warnings": None}], "total": 0, "limit": 0, "offset": 0, "errors": None}).encode()

ODD_SHAPES = json.dumps({"data": [
    {"traceID": "A", "spans": [
        {"spanID": "a1", "operationName": "caf\u00e9 \U0001f600", "startTime": 5, "duration": 1,
         "process": {"serviceName": "inline", "tags": []}, "parentSpanID": "a0",
         "logs": [{"timestamp": 6, "fields": [{"key": "event", "value": "retry"}]}],
         "warnings": ["clock skew adjusted"], "flags": 1, "extra": [[1, {"a": None}], 2.5]},
        {"spanID": "A2", "references": [{"refType": "FOLLOWS_FROM", "spanID": "a1"},
                                        {"refType": "CHILD_OF", "traceID": "B", "spanID": "b1"}],
         "tags": [{"key": "error", "value": "ClientSideError"},
                  {"key": "big", "type": "int64", "value": "9223372036854775808"},
                  {"key": "bin", "type": "binary", "value": "AAEC"}],
         "processID": "nowhere", "startTime": None}],
     "processes": {}, "warnings": ["one", "two"]}]}, ensure_ascii=False, indent=1).encode()

TWO_TRACES = json.dumps({"data": [json.loads(FIVE_SPANS)["data"][0],
                                  {"traceID": "8448eb211c80319c", "spans": [
                                      {"spanID": "1", "startTime": 3, "duration": 2,
                                       "operationName": "\u00e9\\/\"\n"}]}]}).encode()

# No traceID on the trace: its warnings go to the trace of its first span in file order, which
# is not the first in start order.
UNNAMED_TRACE = json.dumps({"data": [{"spans": [
    {"traceID": "8448eb211c80319c", "spanID": "00000000000000b2", "startTime": 9, "duration": 1,
     "warnings": ["late"]},
    {"traceID": "0af7651916cd43dd8448eb211c80319c", "spanID": "00000000000000b1",
     "startTime": 1, "duration": 1, "warnings": ["early"]}],
    "warnings": ["the trace's own"]}]}).encode()

SMALL_DOCUMENTS = {"five-spans": FIVE_SPANS, "odd-shapes": ODD_SHAPES, "two-traces": TWO_TRACES,
                   "unnamed-trace": UNNAMED_TRACE}


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


def in_tag(value: bytes) -> bytes:
    """FIVE_SPANS with ``value`` as its first tag's value."""
    return replaced(b'"value": "server"', b'"value": ' + value)


DEEP = 100_000
TEN_MB = 10 * 1024 * 1024
HOSTILE: dict[str, bytes] = {
    "empty": b"", "brace": b"{", "start-only": b'{"data":[', "nul": b"\x00",
    "whitespace": b" \n\t ", "data-empty": b'{"data":[]}', "data-null": b'{"data":null}',
    "trace-null": b'{"data":[null]}', "trace-number": b'{"data":[1]}',
    "spans-null": b'{"data":[{"spans":null}]}', "processes-list": b'{"data":[{"processes":[]}]}',
    "bom": b"\xef\xbb\xbf" + FIVE_SPANS, "trailing-garbage": FIVE_SPANS + b"x",
    "two-documents": FIVE_SPANS + b"\n" + FIVE_SPANS, "nul-before": b"\x00" + FIVE_SPANS,
    "deep-arrays-skipped": in_span(b"x", b"[" * DEEP + b"]" * DEEP),
    "deep-objects-skipped": in_span(b"x", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    "deep-arrays-unclosed": in_span(b"x", b"[" * DEEP),
    "deep-tag-value": in_tag(b"[" * DEEP + b"]" * DEEP),
    "deep-top-level": b'{"data":[],"x":' + b"[" * DEEP + b"]" * DEEP + b"}",
    "10mb-name": in_span(b"operationName", b'"' + b"n" * TEN_MB + b'"'),
    "10mb-skipped": in_span(b"x", b'"' + b"s" * TEN_MB + b'"'),
    "10mb-of-escapes": in_tag(b'"' + b"\\u00e9\\n" * (TEN_MB // 8) + b'"'),
    "10mb-tag-key": replaced(b'"key": "n"', b'"key": "' + b"k" * TEN_MB + b'"'),
    "escaped-nul": in_span(b"operationName", b'"a\\u0000b"'),
    "raw-nul-in-string": in_span(b"operationName", b'"a\x00b"'),
    "raw-nul-skipped": in_span(b"x", b'"a\x00b"'),
    "lone-surrogate": in_span(b"operationName", b'"\\ud800"'),
    "lone-low-surrogate": in_tag(b'"\\udc00x"'),
    "surrogate-pair": in_span(b"operationName", b'"\\ud83d\\ude00"'),
    "reversed-pair": in_span(b"operationName", b'"\\ude00\\ud83d"'),
    "bad-escape": in_span(b"operationName", b'"\\x41"'),
    "short-unicode-escape": in_span(b"operationName", b'"\\u12"'),
}
for label, bad in {"ff": b"\xff", "overlong": b"\xc0\xaf", "encoded-surrogate": b"\xed\xa0\x80",
                   "beyond-unicode": b"\xf4\x90\x80\x80", "cut-short": b"\xe2\x82",
                   "five-bytes": b"\xf8\x88\x80\x80\x80"}.items():
    HOSTILE[f"utf8-{label}-in-value"] = in_span(b"operationName", b'"a' + bad + b'"')
    HOSTILE[f"utf8-{label}-in-key"] = in_span(b"x" + bad, b"1")
    HOSTILE[f"utf8-{label}-skipped"] = in_span(b"x", b'["a' + bad + b'"]')
    HOSTILE[f"utf8-{label}-in-tag-key"] = replaced(b'"key": "n"', b'"key": "n' + bad + b'"')
for number in (b"1e999", b"-1e999", b"-0", b"-0.0", b"01", b"1.", b".5", b"-", b"+1", b"1e",
               b"1e+", b"0x10", b"1e-400", b"9999999999999999999999", b"-9999999999999999999999",
               b"18446744073709551616", b"9223372036854775808", b"-9223372036854775809",
               b"2" * 4301, b"NaN", b"Infinity", b"1.5", b"1E2"):
    tag_text = number.decode()[:24]
    HOSTILE[f"start-{tag_text}"] = replaced(b'"startTime": %d' % EPOCH_US,
                                            b'"startTime": ' + number)
    HOSTILE[f"tag-{tag_text}"] = in_tag(number)
    HOSTILE[f"skipped-{tag_text}"] = in_span(b"x", number)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input(name: str) -> None:
    assert_parity(HOSTILE[name], name)

