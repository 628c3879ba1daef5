"""Benchmark `tracewhy analyze --format json` against the JSON-parse floor of the same run.

For every (size, shape, format) the harness starts fresh worker processes, alternating:

* a *parse* worker: ``R_read`` (``Path.read_bytes``), ``R_parse`` (``orjson.loads`` of the same
  bytes, GC off) and ``R_parse_gc`` (GC on), and the worker's peak RSS (``ru_maxrss``) - the
  memory floor of any design that builds Python objects from the JSON;
* an *analyze* worker: ``T_analyze``, bytes in, JSON string out, through the same calls the CLI
  makes (``parse_bytes`` -> ``select_trace`` -> ``analyze`` -> ``render_json``, GC off as the CLI
  does), timed per stage, and its peak RSS;
* for the sizes in ``--cli-sizes``: the real CLI, ``python -m tracewhy analyze FILE --format json``
  with stdout to /dev/null, wall time and peak RSS of the child (interpreter start and imports
  included).

Each figure is the median of ``--repeats`` fresh processes (small inputs are also repeated
inside each process and the median kept, so millisecond timings are not one-shot).  Budgets
(issue 2): T_analyze / R_parse <= 3 (aim 2) at every size and shape; the fitted scaling exponent
of T_analyze over 1e3..1e6 spans b <= 1.10; peak RSS of the analysis <= 1.5x the parse-only peak.

    python benchmarks/run.py --quick          # 1e3..1e5, Jaeger, 3 repeats: a few minutes
    python benchmarks/run.py                  # 1e3..1e6, Jaeger, 5 repeats (3 at 1e6)
    python benchmarks/run.py --formats jaeger,otlp,zipkin --sizes 1e3,1e4,1e5
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is not a package)

RESULTS_DIR = HERE / "results"
BUDGET_RATIO = 3.0
AIM_RATIO = 2.0
BUDGET_EXPONENT = 1.10
BUDGET_RSS_RATIO = 1.5
BUSY_LOAD = 1.5  # 1-min load average (the benchmark itself is ~1) above which others compete
SMALL_PROCESSES = 7
# parse_bytes = orjson + readers; explain = the root-cause engine the CLI runs after analyze
STAGES = ("parse_bytes", "normalise", "analyze", "explain", "render")


# --- workers (run in a fresh process each) -----------------------------------------------------

def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def _import_pipeline() -> None:
    """Both workers import the same modules, so their baselines (RSS, heap) are the same."""
    import tracewhy.analysis.analyze
    import tracewhy.cli.analyze
    import tracewhy.render.json
    import tracewhy.sources  # noqa: F401


def worker_parse(path: str, inner: int, gc_on: bool) -> dict[str, Any]:
    import orjson

    _import_pipeline()
    gc.disable()
    t0 = time.perf_counter()
    data = Path(path).read_bytes()
    r_read = time.perf_counter() - t0
    if gc_on:
        gc.enable()
    parse = []
    for _ in range(inner):  # the first run is the cold one, as in the CLI
        t0 = time.perf_counter()
        doc = orjson.loads(data)
        parse.append(time.perf_counter() - t0)
        del doc
    # the parse-only peak: bytes + the parsed document
    return {"r_read": r_read, "r_parse": parse, "rss_kb": _maxrss_kb(), "bytes": len(data)}


def cli_pipeline() -> tuple[Callable[[Any], Any], Callable[[Any], str], dict[str, float]]:
    """The calls ``tracewhy analyze --format json`` makes after reading the input, resolved the
    way cli/analyze.py resolves them (the root-cause engine when the CLI runs it), plus a probe
    that records how much of the per-trace call is the structural ``analyze``."""
    import datetime as _dt

    import tracewhy.cli.analyze as cli_analyze
    from tracewhy.analysis import analyze as analyze_module

    probe = {"structural": 0.0}
    per_trace = getattr(cli_analyze, "analyze_trace", None)
    if per_trace is None:  # an older CLI: structural analysis only
        per_trace = cli_analyze.analyze
    else:
        import tracewhy.pipeline as pipeline

        structural = analyze_module.analyze

        def timed(trace: Any) -> Any:
            t0 = time.perf_counter()
            result = structural(trace)
            probe["structural"] = time.perf_counter() - t0
            return result

        pipeline.analyze = timed  # type: ignore[attr-defined]
    options: Any = None
    if hasattr(cli_analyze, "build_rca_options"):
        options = cli_analyze.build_rca_options({})

    def analyse(trace: Any) -> Any:
        return per_trace(trace, options) if options is not None else per_trace(trace)

    render = getattr(cli_analyze, "render", None)

    def render_json(analysis: Any) -> str:
        if render is None:
            return str(cli_analyze.RENDERERS["json"](analysis))
        return str(render("json", analysis, command=["tracewhy", "analyze", "--format", "json"],
                          generated_at=_dt.datetime.now(_dt.UTC), redact=True))

    return analyse, render_json, probe


TYPED_ROOTS = {"jaeger": "_JaegerDoc", "otlp": "_TracesData"}  # in tracewhy.sources.typed


def worker_typed(path: str) -> dict[str, Any]:
    """R_typed: msgspec decoding the same bytes into the reader's typed structs (its fast path's
    floor), cold, GC off; an empty result when the format has no typed path."""
    import msgspec

    _import_pipeline()
    try:
        from tracewhy.sources import typed
    except ImportError:
        return {}
    root = getattr(typed, TYPED_ROOTS.get(Path(path).name.split(".")[-2], ""), None)
    if root is None:
        return {}
    gc.disable()
    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    try:
        doc = msgspec.json.decode(data, type=root)
    except msgspec.ValidationError:
        return {}
    elapsed = time.perf_counter() - t0
    del doc
    return {"r_typed": elapsed, "rss_kb": _maxrss_kb()}


def worker_analyze(path: str, inner: int) -> dict[str, Any]:
    from tracewhy.sources import parse_bytes, select_trace
    from tracewhy.sources.decode import display_name, read_input

    _import_pipeline()
    analyse, render_json, probe = cli_pipeline()
    gc.disable()  # as ``tracewhy analyze`` does
    runs = []
    spans = out_bytes = 0
    for _ in range(inner):
        data = read_input(path)
        t0 = time.perf_counter()
        found = parse_bytes(data, display_name(path))
        del data  # the CLI's copy dies with parse_bytes' frame (load_trace -> read_traces)
        t1 = time.perf_counter()
        trace = select_trace(found)
        del found
        t2 = time.perf_counter()
        analysis = analyse(trace)
        t3 = time.perf_counter()
        text = render_json(analysis)
        t4 = time.perf_counter()
        structural = probe["structural"] or (t3 - t2)
        runs.append({"total": t4 - t0, "parse_bytes": t1 - t0, "normalise": t2 - t1,
                     "analyze": structural, "explain": t3 - t2 - structural,
                     "render": t4 - t3})
        spans, out_bytes = len(trace.spans), len(text)
        del trace, analysis, text
        gc.collect()
    return {"runs": runs, "rss_kb": _maxrss_kb(), "spans": spans, "output_bytes": out_bytes}


# --- the parent: spawning, medians, fits --------------------------------------------------------

def spawn_worker(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed ({proc.returncode}):\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run_cli(path: Path) -> dict[str, Any]:
    """The real command line in a fresh process: wall time and the child's own peak RSS."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tracewhy", "analyze", str(path),
                             "--format", "json"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"tracewhy analyze {path} failed ({proc.returncode}): {err}")
    return {"wall": wall, "rss_kb": usage.ru_maxrss}


def inner_repeats(n: int) -> int:
    """Small inputs are also run again in the same process (reported apart, as "warm")."""
    return 1 if n >= 100_000 else 5


def repeats_for(n: int, repeats: int, repeats_1m: int) -> int:
    """Small inputs: cheap processes and noisy millisecond timings, so at least 7 of them."""
    if n >= 1_000_000:
        return min(repeats, repeats_1m)
    return repeats if n >= 100_000 else max(repeats, SMALL_PROCESSES)


def summary(samples: list[float]) -> dict[str, Any]:
    med = statistics.median(samples)
    return {"median": med, "min": min(samples), "max": max(samples),
            "spread": (max(samples) - min(samples)) / med if med else 0.0,
            "samples": samples}


def fit_power(ns: list[int], ts: list[float]) -> dict[str, float] | None:
    """Least squares of log t = log a + b log n; None with fewer than 3 sizes."""
    if len(ns) < 3:
        return None
    xs, ys = [math.log(n) for n in ns], [math.log(t) for t in ts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return {"b": b, "a": math.exp(a), "r2": 1 - ss_res / ss_tot if ss_tot else 1.0,
            "n_min": min(ns), "n_max": max(ns)}


def measure(path: Path, n: int, processes: int, with_gc: bool, cli: bool,
            log: list[dict[str, Any]]) -> dict[str, Any]:
    """Fresh processes, parse and analyze alternating; each process's first run is the figure."""
    inner = inner_repeats(n)
    parse_runs, gc_runs, analyze_runs, cli_runs, typed_runs = [], [], [], [], []
    for _ in range(processes):
        log.append({"at": time.time(), "load": os.getloadavg()[0]})
        parse_runs.append(spawn_worker(["parse", str(path), str(inner), "0"]))
        analyze_runs.append(spawn_worker(["analyze", str(path), str(inner)]))
        if with_gc:
            gc_runs.append(spawn_worker(["parse", str(path), "1", "1"]))
        typed_runs.append(spawn_worker(["typed", str(path)]))
        if cli:
            cli_runs.append(run_cli(path))
    per_proc = {
        "r_read": [p["r_read"] for p in parse_runs],
        "r_parse": [p["r_parse"][0] for p in parse_runs],
        "t_analyze": [a["runs"][0]["total"] for a in analyze_runs],
    }
    if gc_runs:
        per_proc["r_parse_gc"] = [p["r_parse"][0] for p in gc_runs]
    if all(t.get("r_typed") for t in typed_runs):
        per_proc["r_typed"] = [t["r_typed"] for t in typed_runs]
    stages = {stage: statistics.median(a["runs"][0][stage] for a in analyze_runs)
              for stage in STAGES}
    r_parse = statistics.median(per_proc["r_parse"])
    t_analyze = statistics.median(per_proc["t_analyze"])
    rss_parse = statistics.median(p["rss_kb"] for p in parse_runs)
    rss_analyze = statistics.median(a["rss_kb"] for a in analyze_runs)
    row: dict[str, Any] = {
        "bytes": parse_runs[0]["bytes"], "spans": analyze_runs[0]["spans"],
        "output_bytes": analyze_runs[0]["output_bytes"],
        "processes": processes, "inner_repeats": inner,
        **{key: summary(values) for key, values in per_proc.items()},
        "stages": stages,
        "ratio": t_analyze / r_parse,
        # the same without the root-cause engine (explain): the structural pipeline alone
        "ratio_structural": (t_analyze - stages["explain"]) / r_parse,
        "ratio_per_process": [t / p for t, p in zip(per_proc["t_analyze"], per_proc["r_parse"],
                                                     strict=True)],
        "rss_parse_kb": rss_parse, "rss_analyze_kb": rss_analyze,
        "rss_ratio": rss_analyze / rss_parse,
    }
    if inner > 1:  # warm: the same process again, heap and caches already in use
        warm_parse = statistics.median(x for p in parse_runs for x in p["r_parse"][1:])
        warm_analyze = statistics.median(r["total"] for a in analyze_runs for r in a["runs"][1:])
        row["warm"] = {"r_parse": warm_parse, "t_analyze": warm_analyze,
                       "ratio": warm_analyze / warm_parse}
    if cli_runs:
        row["cli"] = {"wall": summary([c["wall"] for c in cli_runs]),
                      "rss_kb": statistics.median(c["rss_kb"] for c in cli_runs)}
        row["cli_ratio"] = row["cli"]["wall"]["median"] / r_parse
    return row


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    versions = {}
    for dist in ("tracewhy", "orjson", "msgspec", "networkx", "click"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(HERE), "status", "--porcelain", "--", "../src"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return {"host": socket.gethostname(), "cpu": cpu, "cores": os.cpu_count(), "mem_gb": mem_gb,
            "os": platform.platform(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "versions": versions,
            "kernels": kernels_build(),
            "git_commit": commit + ("+dirty-src" if dirty else "")}


def kernels_build() -> str:
    """"compiled" when the installed tracewhy runs its mypyc-compiled kernels (``pip install
    .``), "pure" for the sources (an editable install, or a build without a compiler)."""
    try:
        from tracewhy.build import kernels
    except ImportError:  # a tracewhy from before the kernels were compiled
        return "pure"
    return kernels()


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    fits = []
    keys = sorted({(r["shape"], r["format"]) for r in rows})
    for shape, fmt in keys:
        group = sorted((r for r in rows if r["shape"] == shape and r["format"] == fmt),
                       key=lambda r: r["n"])
        ns = [r["n"] for r in group]
        for metric in ("t_analyze", "r_parse"):
            fit = fit_power(ns, [r[metric]["median"] for r in group])
            if fit is not None:
                fits.append({"shape": shape, "format": fmt, "metric": metric, **fit})
    worst_ratio = max(rows, key=lambda r: r["ratio"])
    exps = [f for f in fits if f["metric"] == "t_analyze"]
    worst_exp = max(exps, key=lambda f: f["b"]) if exps else None
    big = [r for r in rows if r["n"] == max(x["n"] for x in rows)]
    worst_rss = max(big, key=lambda r: r["rss_ratio"])
    return {
        "fits": fits,
        "budgets": {
            "ratio": {"budget": BUDGET_RATIO, "aim": AIM_RATIO, "worst": worst_ratio["ratio"],
                      "where": _where(worst_ratio),
                      "pass": worst_ratio["ratio"] <= BUDGET_RATIO},
            "exponent": None if worst_exp is None else {
                "budget": BUDGET_EXPONENT, "worst": worst_exp["b"],
                "where": f"{worst_exp['shape']}/{worst_exp['format']}",
                "pass": worst_exp["b"] <= BUDGET_EXPONENT},
            "rss_ratio": {"budget": BUDGET_RSS_RATIO, "worst": worst_rss["rss_ratio"],
                          "where": _where(worst_rss),
                          "pass": worst_rss["rss_ratio"] <= BUDGET_RSS_RATIO},
        },
    }


def _where(row: dict[str, Any]) -> str:
    return f"{row['shape']}/{row['format']}/{row['n']:.0e}".replace("e+0", "e")


def print_table(report: dict[str, Any]) -> None:
    rows = report["results"]
    head = (f"{'shape':7} {'fmt':6} {'spans':>8} {'MB':>6} {'read':>7} {'parse':>8} "
            f"{'parseGC':>8} {'typed':>8} {'analyze':>8} {'ratio':>5} {'range':>11} {'noRCA':>5} "
            f"{'stages p/n/a/x/r %':>18} "
            f"{'RSSparse':>8} {'RSSan':>7} {'rssX':>5} {'cli':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        pr = r["ratio_per_process"]
        st = r["stages"]
        total = sum(st.values())
        parts = "/".join(f"{100 * st[k] / total:.0f}" for k in STAGES)
        gc_on = _fmt_s(r["r_parse_gc"]["median"]) if "r_parse_gc" in r else "-"
        typed = _fmt_s(r["r_typed"]["median"]) if "r_typed" in r else "-"
        cli = _fmt_s(r["cli"]["wall"]["median"]) if "cli" in r else "-"
        print(f"{r['shape']:7} {r['format']:6} {r['n']:>8} {r['bytes'] / 1e6:6.1f} "
              f"{_fmt_s(r['r_read']['median']):>7} {_fmt_s(r['r_parse']['median']):>8} "
              f"{gc_on:>8} {typed:>8} {_fmt_s(r['t_analyze']['median']):>8} {r['ratio']:5.2f} "
              f"{min(pr):5.2f}-{max(pr):5.2f} {r['ratio_structural']:5.2f} {parts:>18} "
              f"{r['rss_parse_kb'] / 1024:7.0f}M {r['rss_analyze_kb'] / 1024:6.0f}M "
              f"{r['rss_ratio']:5.2f} {cli:>7}")
    print()
    for fit in report["fits"]:
        print(f"fit {fit['metric']:9} {fit['shape']:7} {fit['format']:6} "
              f"b = {fit['b']:.3f}  R² = {fit['r2']:.4f}  ({fit['n_min']:.0e}..{fit['n_max']:.0e})")
    print()
    for name, budget in report["budgets"].items():
        if budget is None:
            continue
        verdict = "PASS" if budget["pass"] else "FAIL"
        print(f"budget {name:9} worst {budget['worst']:.3f} at {budget['where']:18} "
              f"(<= {budget['budget']}) {verdict}")
    loads = [e["load"] for e in report["load_log"]]
    print(f"\nload average (1 min) during the run: min {min(loads):.2f}, "
          f"median {statistics.median(loads):.2f}, max {max(loads):.2f}"
          + ("  -- BUSY: other work competed for the cores" if max(loads) > BUSY_LOAD else ""))


def markdown_table(report: dict[str, Any]) -> str:
    """The results as the Markdown table README.md quotes (``run.py --markdown FILE``)."""
    lines = ["| shape | format | spans | MB | R_parse | R_typed | T_analyze | ratio (range) "
             "| without RCA | stages % p/n/a/x/r | RSS parse / analysis | RSS ratio |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in report["results"]:
        st = r["stages"]
        total = sum(st.values())
        parts = "/".join(f"{100 * st[k] / total:.0f}" for k in STAGES if k in st)
        pr = r["ratio_per_process"]
        typed = _fmt_s(r["r_typed"]["median"]) if "r_typed" in r else "-"
        lines.append(
            f"| {r['shape']} | {r['format']} | {r['n']:,} | {r['bytes'] / 1e6:.1f} "
            f"| {_fmt_s(r['r_parse']['median'])} | {typed} | {_fmt_s(r['t_analyze']['median'])} "
            f"| **{r['ratio']:.2f}** ({min(pr):.1f}-{max(pr):.1f}) "
            f"| {r.get('ratio_structural', float('nan')):.2f} | {parts} "
            f"| {r['rss_parse_kb'] / 1024:,.0f} / {r['rss_analyze_kb'] / 1024:,.0f} MB "
            f"| {r['rss_ratio']:.2f} |")
    return "\n".join(lines)


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}ms" if seconds < 1 else f"{seconds:.2f}s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="sizes 1e3..1e5, 3 repeats, no GC-on parse")
    parser.add_argument("--sizes", help="comma-separated span counts (default 1e3,1e4,1e5,1e6)")
    parser.add_argument("--shapes", default=",".join(generate.SHAPES))
    parser.add_argument("--formats", default="jaeger")
    parser.add_argument("--repeats", type=int, help="fresh processes per measurement (default 5)")
    parser.add_argument("--repeats-1m", type=int, default=3,
                        help="fresh processes per measurement at >= 1e6 spans")
    parser.add_argument("--cli-sizes", default="1e5",
                        help="sizes at which the real CLI is timed too ('' for none)")
    parser.add_argument("--no-gc-parse", action="store_true", help="skip R_parse_gc")
    parser.add_argument("--data", type=Path, default=generate.DATA_DIR)
    parser.add_argument("--out", type=Path, help="results file (default results/<date>-<host>)")
    parser.add_argument("--label", default="",
                        help="free text kept in the results (e.g. which code was measured)")
    parser.add_argument("--markdown", type=Path, metavar="RESULTS",
                        help="print a results file as a Markdown table and exit")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.markdown:
        print(markdown_table(json.loads(args.markdown.read_text())))
        return 0

    if args.worker:
        kind, *rest = args.worker
        if kind == "parse":
            result = worker_parse(rest[0], int(rest[1]), gc_on=rest[2] == "1")
        elif kind == "typed":
            result = worker_typed(rest[0])
        else:
            result = worker_analyze(rest[0], int(rest[1]))
        print(json.dumps(result))
        return 0

    sizes = generate.parse_sizes(args.sizes or ("1e3,1e4,1e5" if args.quick
                                                else "1e3,1e4,1e5,1e6"))
    repeats = args.repeats or (3 if args.quick else 5)
    with_gc = not (args.no_gc_parse or args.quick)
    cli_sizes = set(generate.parse_sizes(args.cli_sizes))
    formats, shapes = args.formats.split(","), args.shapes.split(",")
    started = dt.datetime.now(dt.UTC)
    log: list[dict[str, Any]] = []
    rows = []
    for n in sizes:
        for shape in shapes:
            paths = generate.generate(shape, n, tuple(formats), args.data)
            for fmt, path in zip(formats, paths, strict=True):
                reps = repeats_for(n, repeats, args.repeats_1m)
                row = measure(path, n, reps, with_gc, n in cli_sizes, log)
                rows.append({"shape": shape, "n": n, "format": fmt, **row})
                print(f"  {shape:7} {fmt:6} {n:>8}: ratio {row['ratio']:.2f}  "
                      f"T_analyze {_fmt_s(row['t_analyze']['median'])}  "
                      f"RSS x{row['rss_ratio']:.2f}  load {os.getloadavg()[0]:.2f}",
                      file=sys.stderr, flush=True)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "config": {"sizes": sizes, "shapes": shapes, "formats": formats, "repeats": repeats,
                   "repeats_1m": args.repeats_1m, "gc_on_parse": with_gc,
                   "cli_sizes": sorted(cli_sizes), "quick": args.quick,
                   "label": args.label, "pythonpath": os.environ.get("PYTHONPATH", "")},
        "load_log": log,
        "results": rows,
    }
    report.update(evaluate(rows))
    out = args.out or RESULTS_DIR / (f"{started:%Y-%m-%d}-{report['machine']['host']}"
                                     + ("-quick" if args.quick else "") + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)
    print(f"\nwrote {out}")
    return 0 if all(b is None or b["pass"] for b in report["budgets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
