"""The root-cause engine's costs against the parse floor.

Budget (issue 5; the whole-analysis budget at 100k spans, root-cause engine included, is
measured by benchmarks/run.py):
* a baseline of 1,000 traces adds at most 2x the time to parse them: loading and profiling the
  baseline, then comparing, against reading the baseline files and ``orjson.loads`` of their
  bytes (GC off for both, as the CLI runs).

Baseline traces are the demo's healthy scenario (the real SDK, written as OTLP/JSON files), one
file per trace as a collector or a ``tracewhy search`` loop would leave them.

    python benchmarks/baseline_bench.py [--traces 1000] [--repeat 5] [--jobs N]

Exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from statistics import median

import orjson
from report_bench import timed  # same timing rules (GC off, as the CLI runs)

from tracewhy.cli.rca_options import load_baseline
from tracewhy.demo.otlp_json import encode_traces
from tracewhy.demo.run import generate
from tracewhy.parallel import default_workers
from tracewhy.pipeline import analyze_trace
from tracewhy.rca import RcaOptions
from tracewhy.rca.baseline import Baseline
from tracewhy.sources import load_trace

BASELINE_BUDGET = 2.0


def write_baseline(directory: Path, traces: int) -> list[Path]:
    run = generate("healthy", traces, seed=5)
    paths = []
    for record in run.records:
        path = directory / f"{record.trace_id}.json"
        path.write_bytes(orjson.dumps(encode_traces(record.spans)))
        paths.append(path)
    return paths


def read_and_parse(paths: list[Path]) -> None:
    """The floor: what any tool must do to have the baseline in memory."""
    for path in paths:
        orjson.loads(path.read_bytes())


def build(directory: str, jobs: int) -> Baseline:
    return load_baseline([directory], jobs)  # what --baseline DIRECTORY does


def bench(traces: int, repeat: int, jobs: int) -> dict[str, float]:
    """Each round times the floor and the baseline back to back; each part's figure is its
    fastest round (the least disturbed by the rest of the machine), with the median beside it.
    (Picking the round with the best ratio would favour a round whose floor happened to be slow.)
    """
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_baseline(Path(tmp), traces)
        trace = load_trace(str(paths[0]))
        parse, load, extra = [], [], []
        for _ in range(repeat):
            parse.append(timed(lambda: read_and_parse(paths)))
            baselines: list[Baseline] = []
            load.append(timed(lambda: baselines.append(build(tmp, jobs))))  # noqa: B023
            plain = timed(lambda: analyze_trace(trace))
            options = RcaOptions(baseline=baselines[0])
            compared = timed(lambda: analyze_trace(trace, options))  # noqa: B023
            extra.append(max(0.0, compared - plain))
        size = sum(p.stat().st_size for p in paths)
    best = {"parse_s": min(parse), "baseline_build_s": min(load), "compare_extra_s": min(extra)}
    middle = {"parse_s": median(parse), "baseline_build_s": median(load),
              "compare_extra_s": median(extra)}
    return {"traces": traces, "bytes": size, "jobs": jobs, "rounds": repeat, **best,
            "added_over_parse": (best["baseline_build_s"] + best["compare_extra_s"])
            / best["parse_s"],
            "added_over_parse_median": (middle["baseline_build_s"] + middle["compare_extra_s"])
            / middle["parse_s"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=default_workers(),
                        help="worker processes, as --jobs (default: all cores)")
    args = parser.parse_args()
    result = bench(args.traces, args.repeat, args.jobs)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                      for k, v in result.items()}, indent=2))
    ok = result["added_over_parse"] <= BASELINE_BUDGET
    print(f"baseline of {result['traces']} traces adds {result['added_over_parse']:.2f}x the "
          f"parse time (budget {BASELINE_BUDGET}x): {'ok' if ok else 'OVER BUDGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
