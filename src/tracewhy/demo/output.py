"""A run's files, as text: the traces (OTLP JSON Lines and Jaeger JSON), the truth file, the
worst trace alone, and tracewhy's analysis of it.  The CLI writes them; nothing here touches
the file system."""

from __future__ import annotations

from typing import Any

import orjson

from tracewhy.demo import jaeger_json, otlp_json
from tracewhy.demo.run import DemoRun, TraceRecord
from tracewhy.demo.truth import build_truth
from tracewhy.pipeline import analyze_trace
from tracewhy.render.json import render_json
from tracewhy.sources import parse_bytes, select_trace

OTLP_FILE = "traces.otlp.jsonl"
JAEGER_FILE = "traces.jaeger.json"
TRUTH_FILE = "truth.json"
WORST_FILE = "worst.json"
ANALYSIS_FILE = "worst.analysis.json"
FILES = (OTLP_FILE, JAEGER_FILE, TRUTH_FILE, WORST_FILE, ANALYSIS_FILE)


def sample(run: DemoRun, keep: int) -> DemoRun:
    """Keep ``keep`` traces for a small fixture: the worst, then normal and faulty ones
    alternately; in time order."""
    worst = run.worst()
    faulty = [r for r in run.records if r.verdict.faulty and r is not worst]
    normal = [r for r in run.records if not r.verdict.faulty and r is not worst]
    chosen: list[TraceRecord] = [worst]
    while len(chosen) < keep and (faulty or normal):
        for pool in (normal, faulty):
            if pool and len(chosen) < keep:
                chosen.append(pool.pop(0))
    kept = sorted(chosen, key=lambda r: (r.root.start_us, r.trace_id))
    return DemoRun(run.scenario, run.seed, run.start_us, kept, run.generated)


def render_run(run: DemoRun) -> dict[str, str]:
    """File name -> content, for every file of the run."""
    worst = run.worst()
    worst_text = _json(otlp_json.encode_traces(worst.spans), indent=True)
    files = {OTLP_FILE: "".join(_json(otlp_json.encode_traces(r.spans)) for r in run.records),
             JAEGER_FILE: _json(jaeger_json.encode_traces([r.spans for r in run.records])),
             WORST_FILE: worst_text,
             ANALYSIS_FILE: analyse_text(worst_text.encode(), WORST_FILE, worst.trace_id)}
    names = {"otlp": OTLP_FILE, "jaeger": JAEGER_FILE, "worst": WORST_FILE,
             "analysis": ANALYSIS_FILE}
    files[TRUTH_FILE] = _json(build_truth(run, names), indent=True)
    return {name: files[name] for name in FILES}


def analyse_text(data: bytes, name: str, trace_id: str) -> str:
    """tracewhy's own analysis (with the root-cause engine) of a trace read back from a file."""
    trace = select_trace(parse_bytes(data, name), trace_id)
    return render_json(analyze_trace(trace))


def _json(value: Any, *, indent: bool = False) -> str:
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(value, option=option).decode() + "\n"
