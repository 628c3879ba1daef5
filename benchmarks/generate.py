"""Synthetic traces for the benchmarks: four shapes, any size, Jaeger / OTLP / Zipkin JSON.

Shapes (PERFORMANCE.md section 5a):

* ``bushy``  random tree built breadth-first, each span gets 1-6 children; a child starts in the
  first half of its parent and ends inside it (nested intervals, overlapping siblings);
* ``wide``   one parent with n-1 children back to back (``end == next start``): the
  last-finishing-child walk's worst case, and a critical path of n-1 sections;
* ``deep``   a chain of depth n (each span the only child of the previous one);
* ``forest`` 1,000 parentless roots, each with a bushy subtree of about n/1000 spans.

Spans carry what real Jaeger exports carry (PERFORMANCE.md section 6): a CHILD_OF reference,
5 tags, no logs, one of 20 processes.  Services and operations follow the caller (a child's
service is one of a few "downstream" services of its parent's), so the call graph stays the
size of a real one (~100 operations) whatever the span count.  The span order in the file is a
seeded shuffle: backends return spans in storage order, not tree order.

Everything is deterministic for a given (shape, n, seed); files are streamed, so generating a
1M-span trace needs ~200 MB of memory, not the 5 GB its parse takes.

    python benchmarks/generate.py --sizes 1e3,1e4 --shapes bushy,wide --formats jaeger
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

SHAPES = ("bushy", "wide", "deep", "forest")
FORMATS = ("jaeger", "otlp", "zipkin")
DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20240601
N_PROCESSES = 20
OPS_PER_SERVICE = 5
FOREST_ROOTS = 1000
T0_US = 1_700_000_000_000_000  # 2023-11-14, microseconds since the epoch
ROOT_DURATION_US = 10_000_000_000  # bushy/forest roots: ~2.8 h, so 12 halvings stay > 1 µs
STEP_US = 10  # wide: each child lasts 10 µs
_ID_MULT = 0x9E3779B97F4A7C15  # odd, so i -> i * _ID_MULT mod 2^64 is a bijection
_MASK64 = (1 << 64) - 1


@dataclass
class Tree:
    """A trace as parallel arrays indexed by span number (0 = first root)."""

    parent: list[int]  # -1 for roots
    start: list[int]
    duration: list[int]
    process: list[int]  # 0..N_PROCESSES-1
    op: list[int]  # 0..OPS_PER_SERVICE-1
    error: list[bool]

    def __len__(self) -> int:
        return len(self.parent)


def build_tree(shape: str, n: int, seed: int = SEED) -> Tree:
    if n < 1:
        raise ValueError("n must be >= 1")
    rng = random.Random(f"{seed}/{shape}/{n}")
    if shape == "bushy":
        tree = _bushy(n, 1, rng)
    elif shape == "forest":
        tree = _bushy(n, min(FOREST_ROOTS, n), rng)
    elif shape == "wide":
        tree = _wide(n, rng)
    elif shape == "deep":
        tree = _deep(n)
    else:
        raise ValueError(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")
    tree.error = [rng.random() < 0.01 for _ in range(n)]
    return tree


def _empty(n: int) -> Tree:
    return Tree([-1] * n, [0] * n, [0] * n, [0] * n, [0] * n, [])


def _bushy(n: int, roots: int, rng: random.Random) -> Tree:
    """Breadth-first: pop a span, give it 1-6 children, until n spans exist."""
    t = _empty(n)
    rand = rng.random
    for r in range(roots):  # roots one after the other, a little apart
        t.start[r] = T0_US + r * (ROOT_DURATION_US // 100)
        t.duration[r] = ROOT_DURATION_US
        t.process[r] = r % N_PROCESSES
        t.op[r] = 0
    made, head = roots, 0
    while made < n:
        p = head
        head += 1
        ps, pd, pp = t.start[p], t.duration[p], t.process[p]
        for _ in range(min(1 + int(rand() * 6), n - made)):
            c = made
            made += 1
            cs = ps + int(rand() * (pd // 2 + 1))
            room = ps + pd - cs  # >= 1: the child ends inside the parent
            t.parent[c] = p
            t.start[c] = cs
            t.duration[c] = max(1, int(room * (0.2 + 0.6 * rand())))
            t.process[c] = (pp + 1 + int(rand() * 3)) % N_PROCESSES  # 3 downstream services
            t.op[c] = int(rand() * OPS_PER_SERVICE)
    return t


def _wide(n: int, rng: random.Random) -> Tree:
    t = _empty(n)
    t.start[0] = T0_US
    t.duration[0] = max(1, n - 1) * STEP_US
    for i in range(1, n):
        t.parent[i] = 0
        t.start[i] = T0_US + (i - 1) * STEP_US
        t.duration[i] = STEP_US
        t.process[i] = 1 + int(rng.random() * (N_PROCESSES - 1))
        t.op[i] = int(rng.random() * OPS_PER_SERVICE)
    return t


def _deep(n: int) -> Tree:
    t = _empty(n)
    for i in range(n):
        t.parent[i] = i - 1
        t.start[i] = T0_US + i
        t.duration[i] = 3 * n - 2 * i  # nested: ends 1 µs before its parent
        t.process[i] = i % N_PROCESSES
        t.op[i] = (i // N_PROCESSES) % OPS_PER_SERVICE
    return t


def trace_id(shape: str, n: int, seed: int = SEED) -> str:
    """64-bit, as classic Jaeger clients write them (128-bit ids add 32 B per reference)."""
    return f"{random.Random(f'{seed}/{shape}/{n}/tid').getrandbits(64) | (1 << 63):016x}"


def span_id(i: int) -> str:
    return f"{((i + 1) * _ID_MULT) & _MASK64:016x}"


def file_order(n: int, shape: str, seed: int = SEED) -> list[int]:
    order = list(range(n))
    random.Random(f"{seed}/{shape}/{n}/order").shuffle(order)
    return order


# --- what every format shares: services, operations, tags ------------------------------------

def service_name(p: int) -> str:
    return f"service-{p:02d}"


def operation_name(p: int, op: int) -> str:
    verbs = ("GET", "POST", "query", "publish", "infer")
    return f"{verbs[op]} /api/resource-{op}"


def host_ip(p: int) -> str:
    return f"10.0.{p // 8}.{10 + p}"


def _kind(tree: Tree, i: int) -> str:
    return "server" if tree.parent[i] < 0 or tree.process[tree.parent[i]] != tree.process[i] \
        else "internal"


def tag_values(tree: Tree, i: int) -> list[tuple[str, str, object]]:
    """The 5 tags of span i as (key, Jaeger type, value)."""
    p = tree.process[i]
    return [
        ("span.kind", "string", _kind(tree, i)),
        ("component", "string", ("grpc", "net/http", "sql", "kafka", "triton")[tree.op[i]]),
        ("http.status_code", "int64", 500 if tree.error[i] else 200),
        ("http.route", "string", f"/api/resource-{tree.op[i]}"),
        ("error", "bool", True) if tree.error[i] else ("net.peer.port", "int64", 8080 + p),
    ]


# --- Jaeger query-API JSON ---------------------------------------------------------------------

def _jaeger_processes() -> dict[str, object]:
    return {f"p{p + 1}": {"serviceName": service_name(p), "tags": [
        {"key": "hostname", "type": "string", "value": f"{service_name(p)}-7d9f8b-x{p:02d}"},
        {"key": "ip", "type": "string", "value": host_ip(p)},
        {"key": "jaeger.version", "type": "string", "value": "Go-2.30.0"},
    ]} for p in range(N_PROCESSES)}


def jaeger_chunks(tree: Tree, tid: str, order: list[int]) -> Iterator[bytes]:
    yield b'{"data":[{"traceID":"' + tid.encode() + b'","spans":['
    dumps = orjson.dumps
    for k, i in enumerate(order):
        p = tree.parent[i]
        refs = [{"refType": "CHILD_OF", "traceID": tid, "spanID": span_id(p)}] if p >= 0 else []
        span = {
            "traceID": tid,
            "spanID": span_id(i),
            "operationName": operation_name(tree.process[i], tree.op[i]),
            "references": refs,
            "startTime": tree.start[i],
            "duration": tree.duration[i],
            "tags": [{"key": key, "type": typ, "value": value}
                     for key, typ, value in tag_values(tree, i)],
            "logs": [],
            "processID": f"p{tree.process[i] + 1}",
            "warnings": None,
        }
        yield (b"," if k else b"") + dumps(span)
    yield b'],"processes":' + orjson.dumps(_jaeger_processes())
    yield b',"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null}\n'


# --- OTLP/JSON (one resourceSpans block per process) -------------------------------------------

def _otlp_value(value: object) -> dict[str, object]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}  # proto3 JSON writes int64 as a string
    return {"stringValue": value}


def otlp_chunks(tree: Tree, tid: str, order: list[int]) -> Iterator[bytes]:
    by_process: list[list[int]] = [[] for _ in range(N_PROCESSES)]
    for i in order:
        by_process[tree.process[i]].append(i)
    dumps = orjson.dumps
    yield b'{"resourceSpans":['
    first_block = True
    for p, members in enumerate(by_process):
        if not members:
            continue
        resource = {"attributes": [
            {"key": "service.name", "value": {"stringValue": service_name(p)}},
            {"key": "host.name", "value": {"stringValue": f"{service_name(p)}-7d9f8b-x{p:02d}"}},
            {"key": "host.ip", "value": {"stringValue": host_ip(p)}},
        ]}
        yield (b"" if first_block else b",") + b'{"resource":' + dumps(resource) \
            + b',"scopeSpans":[{"scope":{"name":"tracewhy-bench","version":"1.0"},"spans":['
        first_block = False
        for k, i in enumerate(members):
            parent = tree.parent[i]
            start_ns = tree.start[i] * 1000
            span = {
                "traceId": tid,
                "spanId": span_id(i),
                "parentSpanId": span_id(parent) if parent >= 0 else "",
                "name": operation_name(p, tree.op[i]),
                "kind": 2 if _kind(tree, i) == "server" else 1,
                "startTimeUnixNano": str(start_ns),
                "endTimeUnixNano": str(start_ns + tree.duration[i] * 1000),
                "attributes": [{"key": key, "value": _otlp_value(value)}
                               for key, _, value in tag_values(tree, i) if key != "span.kind"],
                "status": {"code": 2} if tree.error[i] else {},
            }
            yield (b"," if k else b"") + dumps(span)
        yield b"]}]}"
    yield b"]}\n"


# --- Zipkin v2 JSON (a list of spans) ----------------------------------------------------------

def zipkin_chunks(tree: Tree, tid: str, order: list[int]) -> Iterator[bytes]:
    dumps = orjson.dumps
    yield b"["
    for k, i in enumerate(order):
        p, parent = tree.process[i], tree.parent[i]
        span: dict[str, object] = {"traceId": tid, "id": span_id(i)}
        if parent >= 0:
            span["parentId"] = span_id(parent)
        span.update({
            "kind": "SERVER" if _kind(tree, i) == "server" else None,
            "name": operation_name(p, tree.op[i]),
            "timestamp": tree.start[i],
            "duration": tree.duration[i],
            "localEndpoint": {"serviceName": service_name(p), "ipv4": host_ip(p)},
            "tags": {key: str(value).lower() if isinstance(value, bool) else str(value)
                     for key, _, value in tag_values(tree, i) if key != "span.kind"},
        })
        if span["kind"] is None:
            del span["kind"]
        yield (b"," if k else b"") + dumps(span)
    yield b"]\n"


WRITERS = {"jaeger": jaeger_chunks, "otlp": otlp_chunks, "zipkin": zipkin_chunks}


def data_path(shape: str, n: int, fmt: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{shape}-{n}.{fmt}.json"


def write_trace(out: IO[bytes], tree: Tree, fmt: str, tid: str, order: list[int]) -> int:
    written = 0
    batch: list[bytes] = []
    for chunk in WRITERS[fmt](tree, tid, order):
        batch.append(chunk)
        if len(batch) >= 4096:
            written += out.write(b"".join(batch))
            batch.clear()
    written += out.write(b"".join(batch))
    return written


def generate(shape: str, n: int, formats: tuple[str, ...] = FORMATS,
             data_dir: Path = DATA_DIR, force: bool = False, seed: int = SEED) -> list[Path]:
    """Write the trace in each format (skipping files that exist unless ``force``)."""
    paths = [data_path(shape, n, fmt, data_dir) for fmt in formats]
    todo = [(fmt, path) for fmt, path in zip(formats, paths, strict=True)
            if force or not path.exists()]
    if not todo:
        return paths
    data_dir.mkdir(parents=True, exist_ok=True)
    tree = build_tree(shape, n, seed)
    tid, order = trace_id(shape, n, seed), file_order(n, shape, seed)
    for fmt, path in todo:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            write_trace(out, tree, fmt, tid, order)
        tmp.replace(path)
    return paths


def parse_sizes(text: str) -> list[int]:
    return [int(float(item)) for item in text.split(",") if item.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e3,1e4,1e5,1e6", help="comma-separated span counts")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--formats", default="jaeger")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="rewrite files that exist")
    args = parser.parse_args(argv)
    for n in parse_sizes(args.sizes):
        for shape in args.shapes.split(","):
            t0 = time.perf_counter()
            paths = generate(shape, n, tuple(args.formats.split(",")), args.out, args.force,
                             args.seed)
            for path in paths:
                size = path.stat().st_size
                print(f"{path}  {size / 1e6:9.1f} MB  {size / n:6.0f} B/span  "
                      f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
