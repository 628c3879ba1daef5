"""``generate``: simulate a scenario's traffic and emit every trace through the SDK."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from opentelemetry.sdk.trace import ReadableSpan

from tracewhy.demo.context import Ctx
from tracewhy.demo.emit import Emitter, sorted_spans
from tracewhy.demo.gateway import simulate
from tracewhy.demo.request import Request, base_request
from tracewhy.demo.scenarios import SCENARIOS, Scenario, Verdict
from tracewhy.demo.sim import Builder, Dice, Node
from tracewhy.demo.stack import Topology, topology

# Runs start here unless told otherwise, so the same seed always gives the same bytes.
DEFAULT_START_US = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp()) * 10**6
NEW_POD = 3  # the inference pod the autoscaler adds


@dataclass(slots=True)
class TraceRecord:
    trace_id: str
    spans: list[ReadableSpan]  # in start order
    request: Request
    root: Node
    verdict: Verdict
    label: str  # the model's answer ("" when the request failed before postprocess)
    confidence: float

    @property
    def duration_us(self) -> int:
        return self.root.end_us - self.root.start_us

    @property
    def status(self) -> int:
        return int(self.root.attributes.get("http.response.status_code", 0))


@dataclass(slots=True)
class DemoRun:
    scenario: Scenario
    seed: int
    start_us: int
    records: list[TraceRecord]
    generated: int  # traces simulated; more than len(records) when a sample was kept

    @property
    def end_us(self) -> int:
        return self.start_us + self.scenario.window_us

    def worst(self) -> TraceRecord:
        """The trace to look at first: a faulty one if any, failed before slow, then slowest."""
        pool = [r for r in self.records if r.verdict.faulty] or self.records
        return max(pool, key=lambda r: (r.status >= 500, r.duration_us, r.trace_id))

    def all_spans(self) -> list[ReadableSpan]:
        return [span for record in self.records for span in record.spans]


def generate(name: str, traces: int, seed: int, start_us: int = DEFAULT_START_US) -> DemoRun:
    scenario = SCENARIOS[name]
    dice = Dice(random.Random(f"tracewhy-demo/{name}/{seed}"))
    top = topology(scenario.predict_versions)
    emitter = Emitter(f"{name}/{seed}/{start_us}")  # runs that differ never share an id
    records = []
    scaled_up = False
    for t in scenario.arrivals(dice, traces, start_us):
        frac = (t - start_us) / scenario.window_us
        req = base_request(dice, t)
        if scaled_up:
            req.inference_pod = dice.between(0, NEW_POD)
        scenario.shape(dice, req, frac)
        ctx, root = _simulate(dice, top, scenario, req)
        verdict = scenario.judge(req, root)
        if not scaled_up and frac >= scenario.scale_up_at and not verdict.faulty:
            # The new pod takes the first request after it joins (least-request balancing)
            # and loads the model; a normal request, so no trace mixes two causes.
            req.inference_pod, req.cold_start, scaled_up = NEW_POD, True, True
            ctx, root = _simulate(dice, top, scenario, req)
            verdict = scenario.judge(req, root)
        spans = sorted_spans(emitter.emit(root))
        trace_id = format(spans[0].context.trace_id, "032x") if spans[0].context else ""
        records.append(TraceRecord(trace_id, spans, req, root, verdict, ctx.label,
                                   ctx.confidence))
    return DemoRun(scenario, seed, start_us, records, len(records))


def _simulate(dice: Dice, top: Topology, scenario: Scenario, req: Request) -> tuple[Ctx, Node]:
    ctx = Ctx(top, scenario.config, req)
    return ctx, simulate(Builder(dice, req.start_us), ctx)
