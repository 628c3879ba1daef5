"""The truth file: what is wrong in a run, trace by trace, for tests and root-cause engines.

Its shape is ``truth.schema.json`` (shipped next to this module) and README's "Demo" section.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from tracewhy.demo.run import DemoRun, TraceRecord
from tracewhy.demo.scenarios import Hop
from tracewhy.demo.scenarios.base import percentile

SCHEMA = "tracewhy.demo.truth/1"


def truth_schema() -> dict[str, Any]:
    text = resources.files("tracewhy.demo").joinpath("truth.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def build_truth(run: DemoRun, files: dict[str, str]) -> dict[str, Any]:
    scenario = run.scenario
    rows = [trace_row(record) for record in run.records]
    fault = None
    if scenario.culprit is not None:
        fault = {"culprit": scenario.culprit.describe(),
                 "kinds": list(scenario.kinds or (scenario.culprit.kind,)),
                 "per_trace": scenario.per_trace,
                 "separators": [], "measure": None, "details": {}, **(scenario.fault() or {})}
        if fault["measure"] is not None:
            fault["measure"].update(_measure(rows))
        fault["details"].update(scenario.details(rows, run.start_us))
    return {
        "schema": SCHEMA,
        "scenario": scenario.name,
        "summary": scenario.summary,
        "seed": run.seed,
        "trace_count": len(rows),
        "generated": run.generated,
        "faulty_count": sum(row["faulty"] for row in rows),
        "window": {"start_us": run.start_us, "end_us": run.end_us},
        "files": files,
        "fault": fault,
        "worst_trace_id": run.worst().trace_id if rows else None,
        "stats": _stats(rows),
        "traces": rows,
    }


def trace_row(record: TraceRecord) -> dict[str, Any]:
    req, verdict = record.request, record.verdict
    return {
        "trace_id": record.trace_id,
        "start_us": record.root.start_us,
        "duration_us": record.duration_us,
        "status": record.status,
        "error": record.status >= 500,
        "faulty": verdict.faulty,
        "culprit": _hop(verdict.culprit),
        "contributors": [_hop(hop) for hop in verdict.contributors],
        "cold_start": req.cold_start,
        "request": {"tenant.id": req.tenant, "client.platform": req.platform,
                    "image.format": req.image_format, "image.channels": req.image_channels,
                    "inference.batch_size": req.batch_size},
        "prediction": {"label": record.label, "true_label": req.true_label,
                       "confidence": record.confidence} if record.label else None,
    }


def _hop(hop: Hop | None) -> dict[str, Any] | None:
    return hop.to_dict() if hop is not None else None


def _stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def summary(subset: list[dict[str, Any]]) -> dict[str, Any]:
        durations = sorted(row["duration_us"] for row in subset)
        return {"traces": len(subset), "errors": sum(row["error"] for row in subset),
                "p50_us": percentile(durations, 50), "p99_us": percentile(durations, 99),
                "max_us": durations[-1] if durations else None}

    return {"all": summary(rows), "faulty": summary([r for r in rows if r["faulty"]]),
            "normal": summary([r for r in rows if not r["faulty"]])}


def _measure(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(subset: list[dict[str, Any]]) -> float | None:
        values = [row["prediction"]["confidence"] for row in subset if row["prediction"]]
        return round(sum(values) / len(values), 4) if values else None

    def wrong(subset: list[dict[str, Any]]) -> float | None:
        made = [row["prediction"] for row in subset if row["prediction"]]
        return round(sum(p["label"] != p["true_label"] for p in made) / len(made), 4) \
            if made else None

    faulty = [row for row in rows if row["faulty"]]
    normal = [row for row in rows if not row["faulty"]]
    return {"faulty_mean": mean(faulty), "normal_mean": mean(normal),
            "faulty_wrong_label_share": wrong(faulty), "normal_wrong_label_share": wrong(normal)}
