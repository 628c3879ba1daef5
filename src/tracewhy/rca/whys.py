"""The 5 Whys: a chain of questions from the symptom down to the culprit, each answered with
evidence from the trace (span ids and numbers) and the rule that produced it.

The chain is built from the verdict by small rules, in a fixed order, so the same trace always
gives the same chain.  It stops where the trace's evidence stops, and then says what to check
outside the trace instead of guessing.
"""

from __future__ import annotations

from itertools import compress, islice
from typing import Any

from tracewhy.rca.context import RcaContext
from tracewhy.rca.findings import Finding
from tracewhy.rca.verdict import Verdict
from tracewhy.render.format import brief, duration
from tracewhy.units import YEAR_2000_S, utc_datetime

ML_KEYS = ("model.name", "model.version", "tenant.id", "client.platform", "image.format",
           "image.channels", "batch.size", "model.batch_size", "gen_ai.request.model",
           "service.version")
MAX_STEPS = 7


# The first words of evidence sentences the detectors write in lower case (evidence lists read
# on from a label); as an answer the sentence starts with a capital.  Names are never changed:
# an answer may start with a service called "frontend".
_OWN_OPENERS = frozenset({"it", "first", "failed", "in", "the", "they", "no", "on", "each"})


def as_answer(evidence_text: str) -> str:
    first = evidence_text.split(" ", 1)[0]
    if first in _OWN_OPENERS:
        return evidence_text[0].upper() + evidence_text[1:]
    return evidence_text


def why(question: str, answer: str, rule: str, span_ids: list[str] | None = None,
        **values: Any) -> dict[str, Any]:
    answer = answer.rstrip()
    while answer.endswith(".."):  # a quoted message's own full stop, then ours
        answer = answer[:-1]
    return {"question": question, "answer": answer,
            "evidence": {"span_ids": span_ids or [], "values": values}, "rule": rule}


def build_whys(ctx: RcaContext, symptom: dict[str, Any], verdict: Verdict | None,
               layers: list[dict[str, Any]],
               baseline_rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    root = ctx.ix.root
    if root < 0:
        return [], []
    steps = [_symptom_step(ctx, symptom)]
    if verdict is None:
        steps.append(_layer_step(ctx, layers))
        steps.append(why("Which finding explains it?",
                         "None: no pattern stands out and no single hop holds a large share of "
                         "the critical path.", "stop: no finding above 1% of the request"))
        return _numbered(steps), ["compare with a normal trace of the same operation "
                                  "(--baseline) to see what changed"]
    top = verdict.finding
    if top.kind == "error_origin":
        steps.append(_error_path_step(ctx, top))
    else:
        steps.append(_layer_step(ctx, layers, top))
    steps.append(_finding_step(ctx, top))
    steps.extend(_mechanism_steps(ctx, top, verdict.agreeing))
    steps.extend(_baseline_step(ctx, top, baseline_rows))
    steps.extend(_skew_step(ctx, top))
    steps.extend(_context_step(ctx, top))
    checks = next_checks(ctx, top)
    steps.append(why(f"Why did {top.service} behave this way?",
                     "The trace stops here: it shows what happened, not why the code or the "
                     "infrastructure did it. Check: " + "; ".join(checks[:3]) + ".",
                     "stop: the trace's evidence ends", ctx.ids([top.culprit])))
    return _numbered(steps), checks


def _numbered(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Numbered, each question once: when the root span is itself the culprit, the finding's
    question is the symptom's ("Why did X fail?"), and its answer says no more.  At most
    ``MAX_STEPS``."""
    distinct, asked = [], set()
    for step in steps:
        if step["question"] not in asked:
            asked.add(step["question"])
            distinct.append(step)
    if len(distinct) > MAX_STEPS:  # the last step says where the evidence ends: keep it
        distinct = distinct[:MAX_STEPS - 1] + distinct[-1:]
    return [{"step": n, **step} for n, step in enumerate(distinct, 1)]


def _symptom_step(ctx: RcaContext, symptom: dict[str, Any]) -> dict[str, Any]:
    root = ctx.label(ctx.ix.root)
    if symptom["error"]:
        question = f"Why did {root} fail?"
    elif symptom["kind"] == "latency":
        question = f"Why was {root} slow?"
    else:
        question = f"Where did the {duration(symptom['duration_us'])} of {root} go?"
    return why(question, symptom["summary"] + ".", "symptom: the root span's duration and status",
               ctx.ids([ctx.ix.root]), duration_us=symptom["duration_us"],
               slo_us=symptom["slo_us"], baseline_p50_us=symptom["baseline_p50_us"])


def _layer_step(ctx: RcaContext, layers: list[dict[str, Any]],
                top: Finding | None = None) -> dict[str, Any]:
    if not layers:
        return why("Which part of the stack held the time?", "No critical path was found.",
                   "critical-path.layer-rollup")
    first = layers[0]
    layer = top.layer if top is not None else first["layer"]
    row = next((r for r in layers if r["layer"] == layer), first)
    others = ", ".join(f"{r['layer']} {r['share']:.0%}" for r in layers if r is not row)[:200]
    critical_spans = compress(range(len(ctx.critical)), ctx.critical)
    members = list(islice((i for i in critical_spans if ctx.layer[i] == row["layer"]), 20))
    answer = (f"The {row['layer']} layer held {duration(row['critical_us'])} of the critical "
              f"path ({row['share']:.0%})" + (f"; the rest: {others}" if others else "") + ".")
    return why("Which part of the stack held the time?", answer, "critical-path.layer-rollup",
               ctx.ids(members), **{f"{r['layer']}_us": r["critical_us"] for r in layers})


def _error_path_step(ctx: RcaContext, top: Finding) -> dict[str, Any]:
    chain = top.detail.get("chain") or []
    answer = (f"The error starts in {top.service} {top.operation}; nothing below it failed; "
              f"{top.detail.get('propagation', '')}.")
    return why("Where did the error come from?", answer, top.rule, top.span_ids,
               erroring_spans=len(chain))


def _finding_step(ctx: RcaContext, top: Finding) -> dict[str, Any]:
    questions = {
        "error_origin": f"Why did {top.service} {top.operation} fail?",
        "n_plus_one": f"Why did {top.layer.replace('_', ' ')} take so long?",
        "retry": f"Why did calls to {top.service} take so long?",
        "wire_latency": f"Why was the call into {top.service} slow?",
        "regression": f"Why was {top.service} {top.operation} slower than usual?",
    }
    question = questions.get(top.kind, f"Why did {top.service} {top.operation} take so long?")
    first = top.evidence[0]
    return why(question, as_answer(first.text) + ".", top.rule, first.span_ids or top.span_ids,
               impact_us=top.impact_us, **first.values)


def _mechanism_steps(ctx: RcaContext, top: Finding,
                     agreeing: list[Finding]) -> list[dict[str, Any]]:
    steps = []
    if top.kind == "error_origin" and top.detail.get("server_side"):
        steps.append(why("Did the server fail too?", "No: " + top.detail["server_side"] + ".",
                         top.rule, top.evidence[-1].span_ids, **top.evidence[-1].values))
    if len(top.evidence) > 1 and top.kind != "error_origin":  # its 2nd item repeats the chain
        second = top.evidence[1]
        steps.append(why(_mechanism_question(top), as_answer(second.text) + ".", top.rule,
                         second.span_ids or top.span_ids, **second.values))
    steps.extend(why("Does anything else in the trace point the same way?",
                     f"Yes: {other.title} ({duration(other.impact_us)}).", other.rule,
                     other.span_ids[:20]) for other in agreeing[:1])
    return steps


def _mechanism_question(top: Finding) -> str:
    return {
        "n_plus_one": "Why were there so many calls?",
        "retry": "Why did the retries not save the request?",
        "wire_latency": "Where between client and server was the time lost?",
        "error_origin": "How did the failure reach the client?",
        "slow_hop": "Where did it run, and is that host slow for everyone?",
        "uninstrumented_gap": "Where did it run?",
        "timeout": "What was it waiting for when it gave up?",
    }.get(top.kind, "What else does the trace show about it?")


def _baseline_step(ctx: RcaContext, top: Finding,
                   rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    row = next((r for r in rows if (r["service"], r["operation"]) ==
                (top.service, top.operation)), None)
    if row is None:
        return []
    answer = (f"Against {row['baseline_traces']} baseline traces, {row['metric']} of "
              f"{top.service} {top.operation} is {duration(row['value_us'])} vs a median of "
              f"{duration(row['baseline_median_us'])}: +{duration(row['added_us'])}, percentile "
              f"{row['percentile']:.3f}, robust z {row['robust_z']:.1f}.")
    return [why("Is this unusual for this hop?", answer,
                "baseline: percentile rank and robust z (0.6745 (x - median) / MAD)",
                top.span_ids[:10], added_us=row["added_us"], robust_z=row["robust_z"],
                percentile=row["percentile"])]


def _skew_step(ctx: RcaContext, top: Finding) -> list[dict[str, Any]]:
    """Clock skew under the evidence makes its numbers doubtful: say so, never hide it."""
    evidence = set(top.span_ids) | {ctx.spans[top.culprit].span_id}
    skewed = sorted({i for w in ctx.analysis.trace.warnings if w.code == "clock-skew"
                     for i in w.span_ids} & evidence)
    if not skewed:
        return []
    adjusted = any(w.code == "skew-adjusted" for w in ctx.analysis.trace.warnings)
    advice = "even after --adjust-skew" if adjusted else "rerun with --adjust-skew to compare"
    return [why("Can these timings be trusted?",
                f"Only in part: {len(skewed)} span(s) in this evidence start before their parent, "
                f"so the clocks of their hosts disagree and time between those hosts is uncertain "
                f"({advice}).", "data quality: clock skew under the evidence", skewed)]


def _context_step(ctx: RcaContext, top: Finding) -> list[dict[str, Any]]:
    facts: dict[str, Any] = {}
    for i in (top.culprit, ctx.ix.root):
        if i < 0:
            continue
        span = ctx.spans[i]
        for key in ML_KEYS:
            value = span.attributes.get(key, span.resource.get(key))
            if value is not None and key not in facts:
                facts[key] = value
    if not facts:
        return []
    listed = ", ".join(f"{k}={v}" for k, v in list(facts.items())[:6])
    return [why("What was this request?", f"It carried {listed}.",
                "context: request attributes (facts, not a diagnosis)",
                ctx.ids([top.culprit, ctx.ix.root]), **facts)]


def next_checks(ctx: RcaContext, top: Finding) -> list[str]:
    when = _when(ctx, top.culprit)
    service = top.service
    version = ctx.spans[top.culprit].resource.get("service.version")
    deploys = f"deploys and config changes of {service}" + (f" (running {version})"
                                                            if version else "")
    by_kind = {
        "n_plus_one": [f"the code in {service} {top.operation} that issues one call per item "
                       "(batching, pipelining, a bulk API)", deploys],
        "retry": [f"logs, saturation and error-rate metrics of {service}{when}",
                  f"the retry policy of {top.detail.get('retrier', 'the caller')} (attempts, "
                  "backoff, budget)", deploys],
        "wire_latency": [f"network metrics between {top.detail.get('caller')} and {service}"
                         f"{when} (RTT, retransmits, packet loss)",
                         "sidecar/mesh and node metrics on both ends", deploys],
        "error_origin": [f"logs of {service}{when} for '{brief(str(top.detail.get('reason')))}'",
                         f"resource metrics of {service} (memory, GPU, CPU)", deploys],
        "late_server": [f"queue depth, concurrency limits and load of {top.detail.get('server')}"
                        f"{when}: the call reached it late",
                        f"the network and sidecars between {service} and "
                        f"{top.detail.get('server')}",
                        f"the deadline {service} gives the call, and its retries"],
        "slow_hop": [f"CPU/GPU and memory metrics of {top.detail.get('host') or service}{when}",
                     f"logs and profiles of {service}", deploys],
        "slow_call": [f"{top.detail.get('peer')}'s own metrics and logs{when} (a database: its "
                      "slow-query log, locks and load)",
                      f"the network between {service} and {top.detail.get('peer')}", deploys],
        "regression": [f"what changed in {service} since the baseline window", deploys],
        "uninstrumented_gap": [f"GC pauses, CPU throttling and runtime profiles of "
                               f"{top.detail.get('host') or service}{when}",
                               f"code in {service} {top.operation} that runs between its child "
                               "calls without a span of its own (add spans there)", deploys],
        "timeout": [f"what {service} {top.operation} waited for, and its deadline settings",
                    deploys],
    }
    kind = "slow_call" if top.kind == "slow_hop" and top.detail.get("peer") else \
        "late_server" if top.kind == "error_origin" and top.detail.get("server_side") else top.kind
    return by_kind.get(kind, [f"logs and metrics of {service}{when}", deploys])


def _when(ctx: RcaContext, i: int) -> str:
    start = ctx.ix.start[i] if i >= 0 else 0
    moment = utc_datetime(start)
    if moment is None or start < YEAR_2000_S * 10**6:  # not an epoch time: hand-made trace
        return ""
    return f" around {moment:%Y-%m-%d %H:%M:%S} UTC"
