"""The root-cause engine: ``explain(analysis, options)`` fills the analysis's layers, roll-ups,
errors, findings, root cause and 5 Whys.

Order: classify hops into layers -> wire time of remote calls -> error origin -> roll-ups ->
baseline comparison (optional) -> pattern detectors -> ranking and verdict -> symptom -> whys.
Everything is deterministic: the same trace (and baseline) gives the same explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import eq
from typing import Any

from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.graph import operation_node
from tracewhy.rca.baseline import Baseline, compare_with_baseline
from tracewhy.rca.context import RcaContext
from tracewhy.rca.errors import ORIGIN, STOPPED, analyse_errors
from tracewhy.rca.latency import find_remote_calls, rollup
from tracewhy.rca.layers import HopEdges, decide_layers, gather_facts
from tracewhy.rca.patterns import run_detectors
from tracewhy.rca.rules import UserRule
from tracewhy.rca.symptom import describe_symptom
from tracewhy.rca.verdict import choose, rank, root_cause_dict
from tracewhy.rca.whys import build_whys


@dataclass(frozen=True)
class RcaOptions:
    slo_us: int | None = None
    rules: tuple[UserRule, ...] = ()
    baseline: Baseline | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def explain(analysis: Analysis, options: RcaOptions | None = None) -> None:
    options = options or RcaOptions()
    ctx = _context(analysis, options)
    analysis.layers = rollup([(h.layer, h.critical_us) for h in analysis.hops],
                             analysis.root_duration_us, "layer")
    analysis.by_service = _by_service(analysis)
    comparison = compare_with_baseline(ctx, options.baseline) if options.baseline else None
    regressed = comparison.regressed if comparison else set()
    findings = run_detectors(ctx) + (comparison.findings if comparison else [])
    ranked = rank(findings, regressed)
    verdict = choose(ctx, ranked, regressed)
    p50, p95 = (comparison.root_p50, comparison.root_p95) if comparison else (None, None)
    analysis.symptom = describe_symptom(ctx, p50, p95)
    analysis.errors = _errors_dict(ctx)
    analysis.findings = [f.to_dict(ctx) for f in ranked]
    analysis.root_cause = root_cause_dict(ctx, verdict) if verdict else None
    analysis.whys, analysis.next_checks = build_whys(
        ctx, analysis.symptom, verdict, analysis.layers, comparison.rows if comparison else [])
    analysis.baseline = comparison.to_dict() if comparison else None


def _context(analysis: Analysis, options: RcaOptions) -> RcaContext:
    ix = analysis.index
    keys, facts = gather_facts(ix, _hop_edges(analysis), analysis.hop_keys, analysis.span_hop)
    decisions = decide_layers(facts, list(options.rules))
    layer_of = {key: decision[0] for key, decision in decisions.items()}
    span_layer = list(map(layer_of.__getitem__, keys))
    kinds = set().union(*(fact.kinds for fact in facts.values()))
    calls = find_remote_calls(ix, span_layer, analysis.critical_us, kinds)
    errors = analyse_errors(ix, analysis.error, analysis.critical_us, span_layer)
    _annotate_hops(analysis, decisions, calls)
    return RcaContext(analysis, keys, span_layer, {k: v[1] for k, v in decisions.items()},
                      calls, errors, options.slo_us)


def _hop_edges(analysis: Analysis) -> HopEdges | None:
    """The caller -> callee hop pairs, read off the call graph (a walk over all spans saved).
    None when two hops share a graph node (names like "a/b" + "c" and "a" + "b/c")."""
    graph = analysis.graph
    operations = {node: (data["service"], data["operation"])
                  for node, data in graph.nodes(data=True) if data["type"] == "operation"}
    if len(operations) != len(analysis.hops):
        return None
    return {(operations[u], operations[v]) for u, v, kind in graph.edges(data="type")
            if kind == "calls" and u in operations}


def _annotate_hops(analysis: Analysis, decisions: dict[tuple[str, str], tuple[str, str]],
                   calls: list[Any]) -> None:
    spans = analysis.index.spans
    wire: dict[tuple[str, str], list[int]] = {}
    for call in calls:
        server = spans[call.servers[0]]
        totals = wire.setdefault((server.service, server.name), [0, 0])
        totals[0] += call.wire_us
        totals[1] += call.mesh_us
    graph = analysis.graph
    for hop in analysis.hops:
        hop.layer, hop.layer_rule = decisions[hop.key]
        hop.wire_us, hop.mesh_us = wire.get(hop.key, (0, 0))
        node = operation_node(hop.service, hop.operation)
        if node in graph:
            graph.nodes[node]["layer"] = hop.layer


def _by_service(analysis: Analysis) -> list[dict[str, Any]]:
    rows = rollup([(h.service, h.critical_us) for h in analysis.hops],
                  analysis.root_duration_us, "service")
    layer_of: dict[str, dict[str, int]] = {}
    for hop in analysis.hops:
        if hop.critical_us:
            by_layer = layer_of.setdefault(hop.service, {})
            by_layer[hop.layer] = by_layer.get(hop.layer, 0) + hop.critical_us
    for row in rows:
        layers = layer_of[str(row["service"])]
        row["layer"] = max(sorted(layers), key=lambda layer: layers[layer])
    return rows


def _errors_dict(ctx: RcaContext) -> dict[str, Any] | None:
    errors = ctx.errors
    count = sum(ctx.analysis.error)
    if not count:
        return None

    def describe(i: int) -> dict[str, Any]:
        span = ctx.spans[i]
        return {"span_id": span.span_id, "service": span.service, "operation": span.name,
                "layer": ctx.layer[i], "error": ctx.analysis.error[i],
                "message": ctx.analysis.error_reason[i] or ""}

    origin = None
    if errors.primary is not None:
        origin = {**describe(errors.primary), "role": ORIGIN,
                  "exception_type": _exception_type(ctx, errors.primary),
                  "reaches_root": errors.reaches_root}
    return {"count": count, "origin": origin, "chain": [describe(i) for i in errors.chain],
            "origins": len([r for r in errors.role.values() if r == ORIGIN]),
            "recovered": _recovered(ctx)}


def _erroring_children(ctx: RcaContext, i: int) -> list[int]:
    """Erroring children of a span, looking through sidecar spans that pass errors on.  Each
    level is filtered in C: a span can have a million children."""
    error, layer, children = ctx.analysis.error, ctx.layer, ctx.ix.children
    out: list[int] = []
    level = children[i] or []
    while level:
        failed = list(compress(level, map(error.__getitem__, level)))
        out.extend(failed)
        sidecars = compress(level, map(eq, map(layer.__getitem__, level), repeat("mesh")))
        failed_set = set(failed)
        level = [k for s in sidecars if s not in failed_set for k in children[s] or ()]
    return sorted(out)


def _exception_type(ctx: RcaContext, i: int) -> str:
    for event in ctx.spans[i].events:
        if event.name == "exception":
            return str(event.attributes.get("exception.type", ""))
    return ""


def _recovered(ctx: RcaContext) -> list[dict[str, Any]]:
    """Errors stopped by a span that did not fail: retried or handled, with their cost."""
    out = []
    for i, role in sorted(ctx.errors.role.items()):
        if role != STOPPED:
            continue
        failing = _erroring_children(ctx, i)
        if not failing:
            continue
        first = ctx.spans[failing[0]]
        out.append({"handled_by": ctx.label(i), "span_ids": ctx.ids(failing),
                    "service": first.service, "operation": first.name,
                    "attempts": len(failing),
                    "added_us": sum(ctx.subtree_critical[k] for k in failing)})
    return out
