"""Comparing one trace with a baseline of normal traces of the same operation.

For every hop, two numbers are compared: its own critical-path time, and the critical-path
time spent on the wire into it.  Each gets a percentile rank and a robust z-score against the
baseline, and the difference from the baseline median in microseconds (the effect size, always
shown next to the score).  A hop is *regressed* when it is extreme (percentile >= 0.99 or
|z| > 3.5), added at least 1 ms, and is on the critical path (ALGORITHMS.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Evidence, Finding, finding_for
from tracewhy.rca.layers import sidecar_attribute
from tracewhy.rca.profile import Hop, TraceProfile, profile_from
from tracewhy.rca.stats import PERCENTILE_THRESHOLD, Z_THRESHOLD, Reference, quantile
from tracewhy.render.format import duration

MIN_ADDED_US = 1000
MIN_SAME_OPERATION = 5  # fewer matching traces than this: compare with the whole baseline


def baseline_attribute(key: str) -> bool:
    """The span attributes a profile needs: those that show a sidecar, and peer.service, which
    names a server span whose own service is missing (normalise.tree.name_services)."""
    return key == "peer.service" or sidecar_attribute(key)


BASELINE_ATTRIBUTES = baseline_attribute  # what baseline traces are read with


@dataclass
class Baseline:
    source: str
    profiles: list[TraceProfile]
    _pools: dict[Hop | None, tuple[list[TraceProfile], Samples]] = field(default_factory=dict)

    def pool(self, root: Hop) -> tuple[list[TraceProfile], Samples, bool]:
        """Baseline traces of the same root operation (or all, if too few), prepared once."""
        matching = [p for p in self.profiles if p.root == root]
        matched = len(matching) >= MIN_SAME_OPERATION
        key = root if matched else None
        if key not in self._pools:
            chosen = matching if matched else self.profiles
            self._pools[key] = (chosen, _table(chosen))
        profiles, samples = self._pools[key]
        return profiles, samples, matched


@dataclass
class Comparison:
    traces: int
    source: str
    matched_root: bool
    root_p50: int | None
    root_p95: int | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    regressed: set[Hop] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"traces": self.traces, "source": self.source,
                "same_root_operation": self.matched_root, "root_p50_us": self.root_p50,
                "root_p95_us": self.root_p95, "hops": self.rows, "attributes": []}


def compare_with_baseline(ctx: RcaContext, baseline: Baseline) -> Comparison:
    target = profile_from(ctx.analysis.trace.trace_id, ctx.spans, ctx.ix.root, ctx.root_duration,
                          ctx.critical, ctx.calls)
    pool, table, matched = baseline.pool(target.root)
    durations = sorted(float(p.duration_us) for p in pool)
    comparison = Comparison(len(pool), baseline.source, matched,
                            int(quantile(durations, 0.5)) if pool else None,
                            int(quantile(durations, 0.95)) if pool else None)
    if not pool:
        return comparison
    for metric, mine in (("critical", target.critical), ("wire", target.wire)):
        for hop, value in sorted(mine.items()):
            comparison.rows.append(_row(table, metric, hop, value, len(pool)))
    comparison.rows.sort(key=lambda r: (-r["added_us"], r["service"], r["operation"]))
    comparison.regressed = {(r["service"], r["operation"]) for r in comparison.rows
                            if r["regressed"]}
    comparison.findings = [_finding(ctx, r) for r in comparison.rows
                           if r["regressed"] and r["metric"] == "critical time"]
    return comparison


Samples = dict[tuple[str, str, str], Reference]


def _table(pool: list[TraceProfile]) -> Samples:
    """The baseline's hop times: (metric, service, operation) -> one value per baseline trace
    (0 µs where the hop did not run), prepared for scoring."""
    n = len(pool)
    table: Samples = {}
    for metric, per_trace in (("critical", [p.critical for p in pool]),
                              ("wire", [p.wire for p in pool])):
        for (service, operation), values in sorted(_samples(per_trace).items()):
            table[metric, service, operation] = Reference.of(values + [0.0] * (n - len(values)))
    return table


def _samples(per_trace: list[dict[Hop, int]]) -> dict[Hop, list[float]]:
    """Each hop's values, in trace order, from the traces where it ran."""
    samples: dict[Hop, list[float]] = {}
    for values in per_trace:
        for hop, value in values.items():
            found = samples.get(hop)
            if found is None:
                samples[hop] = [float(value)]
            else:
                found.append(float(value))
    return samples


def _row(table: Samples, metric: str, hop: Hop, value: int, n: int) -> dict[str, Any]:
    reference = table.get((metric, hop[0], hop[1])) or Reference.of([0.0] * n)
    med = reference.median
    pr, z = reference.percentile_rank(value), reference.robust_z(value)
    added = int(value - med)
    extreme = pr >= PERCENTILE_THRESHOLD or abs(z) > Z_THRESHOLD
    return {"service": hop[0], "operation": hop[1],
            "metric": "critical time" if metric == "critical" else "wire time",
            "value_us": value, "baseline_median_us": int(med),
            "baseline_p95_us": int(reference.quantile(0.95)), "percentile": round(pr, 4),
            "robust_z": round(z, 2), "added_us": added, "baseline_traces": n,
            "regressed": bool(extreme and added >= MIN_ADDED_US and value > 0)}


def _finding(ctx: RcaContext, row: dict[str, Any]) -> Finding:
    hop = (row["service"], row["operation"])
    members = ctx.spans_of_hop(hop)
    culprit = max(members, key=lambda i: ctx.critical[i])
    evidence = [Evidence(
        f"{row['metric']} of {hop[0]} {hop[1]} is {duration(row['value_us'])} against a baseline "
        f"median of {duration(row['baseline_median_us'])} over {row['baseline_traces']} traces "
        f"(+{duration(row['added_us'])}; percentile {row['percentile']:.3f}, robust z "
        f"{row['robust_z']:.1f})", ctx.ids(members[:20]),
        {k: row[k] for k in ("value_us", "baseline_median_us", "added_us", "percentile",
                             "robust_z")})]
    return finding_for(
        ctx, "regression", culprit, impact_us=min(row["added_us"], row["value_us"]),
        span_ids=ctx.ids(members[:50]), evidence=evidence,
        title=f"{hop[0]} {hop[1]} regressed by {duration(row['added_us'])} against the baseline",
        rule="baseline.regression: percentile >= 0.99 or |robust z| > 3.5, +1 ms or more, on "
             "the critical path",
        detail={"added_us": row["added_us"], "robust_z": row["robust_z"]})


def profile_files(files: list[str]) -> list[TraceProfile]:
    """Profiles of every trace in ``files``, as ``expand_paths`` lists them (run in worker
    processes for big baselines)."""
    from tracewhy.rca.profile import profile_trace
    from tracewhy.sources import iter_file_traces

    sidecars: dict[Hop, bool] = {}
    traces = iter_file_traces(files, keep=BASELINE_ATTRIBUTES)
    return [p for p in (profile_trace(trace, sidecars) for trace in traces) if p is not None]


def build_baseline(traces: list[Any], source: str) -> Baseline:
    """Profiles of baseline traces (``tracewhy.model.Trace`` objects).  Reading them, only the
    attributes ``BASELINE_ATTRIBUTES`` accepts are needed."""
    from tracewhy.rca.profile import profile_trace

    sidecars: dict[Hop, bool] = {}
    profiles = [p for p in (profile_trace(trace, sidecars) for trace in traces) if p is not None]
    return Baseline(source, profiles)
