"""Report rendering against the parse floor, on big synthetic traces.

Budget (issue 6): rendering the HTML report of a 100k-span trace (context + template) takes at
most half the time of ``orjson.loads`` on the same file's bytes (GC off for both), and the file
is at most 5 MB.  Traces come from ``benchmarks/generate.py`` (Jaeger JSON, four shapes).

    python benchmarks/report_bench.py                 # 100k spans, every shape
    python benchmarks/report_bench.py --sizes 1e4 --shapes bushy,wide

Exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import SHAPES, generate, parse_sizes  # noqa: E402

from tracewhy.pipeline import analyze_trace  # noqa: E402
from tracewhy.render.context import build_report_context  # noqa: E402
from tracewhy.render.html import render_context  # noqa: E402
from tracewhy.render.markdown import render_context_markdown  # noqa: E402
from tracewhy.sources import load_trace  # noqa: E402

MAX_RATIO = 0.5
MAX_BYTES = 5_000_000
PINNED = {"command": ["tracewhy", "analyze", "trace.json", "-o", "report.html"],
          "generated_at": "2026-01-01 00:00:00 UTC"}


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    gc.disable()  # as the CLI runs
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed


def bench(shape: str, n: int, repeat: int) -> dict[str, float]:
    """Best of ``repeat`` rounds; each round times the parse and the renders back to back, so a
    busy machine slows both alike."""
    (path,) = generate(shape, n, ("jaeger",))
    data = path.read_bytes()
    gc.disable()
    analysis = analyze_trace(load_trace(str(path)))
    gc.enable()

    def context() -> object:
        return build_report_context(analysis, **PINNED)

    out = render_context(build_report_context(analysis, **PINNED))  # compiles the templates
    rounds = [(timed(lambda: orjson.loads(data)), timed(context),
               timed(lambda: render_context(build_report_context(analysis, **PINNED))),
               timed(lambda: render_context_markdown(build_report_context(analysis, **PINNED))))
              for _ in range(repeat)]
    parse, ctx, html, md = (min(column) for column in zip(*rounds, strict=True))
    ratio = min(r[2] / r[0] for r in rounds)
    return {"spans": len(analysis.index), "input_mb": len(data) / 1e6, "parse": parse,
            "context": ctx, "render": html, "markdown": md, "ratio": ratio,
            "html_bytes": len(out.encode())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'shape':8} {'spans':>7} {'input':>8} {'parse':>8} {'context':>8} {'html':>8} "
          f"{'md':>8} {'html/parse':>10} {'size':>9}")
    ok = True
    for n in parse_sizes(args.sizes):
        for shape in args.shapes.split(","):
            r = bench(shape, n, args.repeat)
            good = r["ratio"] <= MAX_RATIO and r["html_bytes"] <= MAX_BYTES
            ok &= good
            print(f"{shape:8} {r['spans']:>7,.0f} {r['input_mb']:>6.1f}MB {r['parse']:>7.3f}s "
                  f"{r['context']:>7.3f}s {r['render']:>7.3f}s {r['markdown']:>7.3f}s "
                  f"{r['ratio']:>10.2f} {r['html_bytes'] / 1e6:>7.2f}MB"
                  f"{'' if good else '  OVER BUDGET'}")
    print(f"budget: html/parse <= {MAX_RATIO}, size <= {MAX_BYTES / 1e6:.0f} MB: "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
