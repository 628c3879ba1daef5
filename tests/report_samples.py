"""Analyses for the report tests: a fully explained inference request, and an injection trace.

The root-cause fields are filled by hand in the shapes of docs/analysis-contract.md, so the
report tests do not depend on the engine's current rules.  Times are fixed; so are the report's
``generated_at`` and ``version`` (``PINNED``), which keeps golden files byte-stable.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import make_trace, span
from tracewhy.analysis.analyze import Analysis, analyze
from tracewhy.model import STATUS_ERROR, DataWarning, Event, SourceInfo

PINNED: dict[str, Any] = {"generated_at": "2026-01-01 00:00:00 UTC", "version": "0.0.0-test",
                          "command": ["tracewhy", "analyze", "checkout.json", "-o",
                                      "report.html"]}
T0 = 1_700_000_000_000_000
SECRET_BEARER = "Bearer abcDEF123456.secret-value"
SECRET_COOKIE = "session=s3cr3t-cookie-value"
SECRET_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl"
SECRET_CARD = "4111 1111 1111 1111"
SECRET_QUERY = "api_token=tok-XYZ-987"
SECRETS = (SECRET_BEARER, "abcDEF123456", "s3cr3t-cookie-value", SECRET_JWT, SECRET_CARD,
           "tok-XYZ-987", "hunter2")


def full_analysis() -> Analysis:
    """gateway -> mesh -> inference -> feature store (slow, retried) -> database, explained."""
    t = T0
    spans = [
        span("a1", None, t, t + 480_000, service="api-gateway", name="POST /v1/predict",
             kind="server", **{"http.request.header.authorization": SECRET_BEARER,
                               "http.url": f"https://user:hunter2@api.example.com/v1/predict?"
                                           f"{SECRET_QUERY}&model=m1",
                               "http.status_code": 200}),
        span("b1", "a1", t + 5_000, t + 470_000, service="istio-proxy", name="outbound",
             kind="client", **{"component": "proxy", "http.request.header.cookie":
                               SECRET_COOKIE}),
        span("c1", "b1", t + 9_000, t + 465_000, service="inference", name="Predict",
             kind="server", **{"gen_ai.usage.input_tokens": 512, "model": "m1"}),
        span("d1", "c1", t + 12_000, t + 212_000, service="feature-store", name="GetFeatures",
             kind="client", **{"card": SECRET_CARD}),
        span("d2", "c1", t + 215_000, t + 415_000, service="feature-store", name="GetFeatures",
             kind="client"),
        span("e1", "d2", t + 220_000, t + 410_000, service="postgres", name="SELECT features",
             kind="client", **{"db.statement": "SELECT * FROM features WHERE id = $1"}),
        span("f1", "c1", t + 420_000, t + 460_000, service="inference", name="model.run",
             kind="internal"),
    ]
    spans[3].status = STATUS_ERROR
    spans[3].status_message = "deadline exceeded after 200ms"
    spans[3].events = (Event(t + 211_000, "exception", {"exception.type": "TimeoutError",
                                                        "auth.jwt": SECRET_JWT}),)
    trace = make_trace(*spans, trace_id="4bf92f3577b34da6a3ce929d0e0e4736")
    trace.source = SourceInfo("jaeger", "http://jaeger.internal:16686/api/traces/4bf92f35",
                              backend="jaeger",
                              ui_url="http://jaeger.internal:16686/trace/4bf92f3577b34da6")
    analysis = analyze(trace)
    _explain(analysis)
    return analysis


def _explain(a: Analysis) -> None:
    ids = [s.span_id for s in a.trace.spans]
    d1 = next(i for i in ids if i.endswith("d1"))
    d2 = next(i for i in ids if i.endswith("d2"))
    e1 = next(i for i in ids if i.endswith("e1"))
    a.symptom = {"kind": "latency", "duration_us": 480_000, "slo_us": 300_000,
                 "baseline_p50_us": 150_000, "baseline_p95_us": 260_000, "excess_us": 180_000,
                 "error": False, "status_message": "",
                 "summary": "POST /v1/predict took 480 ms, 1.6× its 300 ms SLO"}
    a.layers = [{"layer": "feature_store", "critical_us": 250_000, "share": 0.52,
                 "self_us": 10_000, "hops": 1},
                {"layer": "database", "critical_us": 190_000, "share": 0.40, "self_us": 1,
                 "hops": 1},
                {"layer": "api", "critical_us": 40_000, "share": 0.08, "self_us": 1, "hops": 1}]
    a.by_service = [{"service": "feature-store", "layer": "feature_store",
                     "critical_us": 250_000, "share": 0.52},
                    {"service": "postgres", "layer": "database", "critical_us": 190_000,
                     "share": 0.40},
                    {"service": "api-gateway", "layer": "api", "critical_us": 40_000,
                     "share": 0.08}]
    a.errors = {"count": 1, "origin": {"span_id": d1, "service": "feature-store",
                                       "operation": "GetFeatures", "layer": "feature_store",
                                       "message": "deadline exceeded after 200ms",
                                       "exception_type": "TimeoutError"},
                "chain": [{"span_id": d1, "service": "feature-store", "operation": "GetFeatures",
                           "layer": "feature_store", "message": "deadline exceeded"}],
                "recovered": [{"span_ids": [d1, d2], "service": "feature-store",
                               "operation": "GetFeatures", "attempts": 2, "added_us": 203_000}]}
    a.findings = [
        {"id": "F1", "kind": "retry", "title": "GetFeatures timed out once and was retried",
         "service": "feature-store", "operation": "GetFeatures", "layer": "feature_store",
         "span_ids": [d1, d2], "impact_us": 203_000, "share": 0.42,
         "evidence": [{"text": "first attempt hit the 200 ms deadline", "span_ids": [d1],
                       "values": {"timeout_ms": 200, "authorization": SECRET_BEARER}}],
         "rule": "retry.same-operation"},
        {"id": "F2", "kind": "slow_hop", "title": "SELECT features is slow",
         "service": "postgres", "operation": "SELECT features", "layer": "database",
         "span_ids": [e1], "impact_us": 190_000, "share": 0.40,
         "evidence": [{"text": "p95 of this query is 20 ms", "span_ids": [e1], "values": {}}],
         "rule": "slow-hop.baseline"}]
    a.root_cause = {"finding_id": "F1", "service": "feature-store", "operation": "GetFeatures",
                    "layer": "feature_store", "kind": "retry", "span_ids": [d1, d2],
                    "impact_us": 203_000, "confidence": 0.82,
                    "summary": "A feature-store timeout and its retry added 203 ms to "
                               "POST /v1/predict."}
    a.whys = [
        {"step": 1, "question": "Why was POST /v1/predict slow?",
         "answer": "It took 480 ms against a 300 ms SLO.", "rule": "symptom.slo",
         "evidence": {"span_ids": [ids[0]], "values": {"duration_ms": 480}}},
        {"step": 2, "question": "Why did it take 480 ms?",
         "answer": "GetFeatures ran twice on the critical path.", "rule": "critical-path.top",
         "evidence": {"span_ids": [d1, d2], "values": {"share": "94%"}}},
        {"step": 3, "question": "Why did GetFeatures run twice?",
         "answer": "The first call hit its 200 ms deadline and was retried.",
         "rule": "retry.same-operation", "evidence": {"span_ids": [d1], "values": {}}},
        {"step": 4, "question": "Why did the first call hit its deadline?",
         "answer": "Its database query (SELECT features) took 190 ms.", "rule": "slow-hop",
         "evidence": {"span_ids": [e1], "values": {"query_ms": 190}}},
    ]
    a.next_checks = ["Check postgres slow-query log for SELECT features around the trace time."]
    a.baseline = {"traces": 40, "source": "jaeger search service=api-gateway",
                  "hops": [{"service": "postgres", "operation": "SELECT features",
                            "critical_us": 190_000, "baseline_median_us": 12_000,
                            "baseline_p95_us": 20_000, "percentile": 99, "robust_z": 14.2,
                            "added_us": 178_000, "regressed": True}],
                  "attributes": [{"key": "model", "value": "m1", "selection_share": 0.9,
                                  "baseline_share": 0.2, "delta": 0.7, "support": 36,
                                  "p_value": 0.0004}]}


PAYLOADS = (
    "<script>window.__pwned=1</script>",
    "</script><script>window.__pwned=2</script>",
    "\"><img src=x onerror=\"window.__pwned=3\">",
    "javascript:window.__pwned=4",
    "'\"`</title><svg/onload=window.__pwned=5>",
    "{{ 7*7 }}{% raw %}\u2028\u2029",
    "</textarea><iframe src=javascript:alert(6)>",
)


def payload(k: int) -> str:
    return f"x{k}-{PAYLOADS[k % len(PAYLOADS)]}"


def injection_analysis() -> Analysis:
    """Every text field of a trace (and of the engine's output) holds a payload."""
    p = payload
    spans = [span(p(0), None, T0, T0 + 100_000, service=p(1), name=p(2), kind="server",
                  **{p(3): p(4), "http.url": "javascript:window.__pwned=7",
                     p(5): "javascript:alert(8)"}),
             span(p(6), p(0), T0 + 1_000, T0 + 90_000, service=p(7), name=p(8), kind="client",
                  **{"peer.service": p(9), p(10): p(11)}),
             span(p(12), p(6), T0 + 2_000, T0 + 80_000, service=p(13), name=p(14))]
    spans[2].status = STATUS_ERROR
    spans[2].status_message = p(15)
    spans[2].events = (Event(T0 + 3_000, p(16), {p(17): p(18)}),)
    spans[1].resource = {p(19): p(20)}
    trace = make_trace(*spans, trace_id=p(21))
    trace.source = SourceInfo(p(22), p(23), other_trace_ids=(p(24),), backend=p(25),
                              ui_url="javascript:window.__pwned=9")
    trace.warnings.append(DataWarning(p(26), p(27), (p(28), p(0))))
    a = analyze(trace)
    ids = [s.span_id for s in a.trace.spans]
    step = {"span_id": ids[2], "service": p(29), "operation": p(30), "layer": p(31),
            "message": p(32), "exception_type": p(33)}
    a.symptom = {"kind": p(34), "summary": p(35), "slo_us": 50_000}
    a.layers = [{"layer": p(36), "critical_us": 100_000, "share": 1.0}]
    a.by_service = [{"service": p(37), "layer": p(38), "critical_us": 100_000, "share": 1.0}]
    a.errors = {"count": 1, "origin": step, "chain": [step],
                "recovered": [{"span_ids": [ids[2], p(39)], "service": p(40),
                               "operation": p(41), "attempts": 2, "added_us": 5}]}
    a.findings = [{"id": p(42), "kind": p(43), "title": p(44), "service": p(45),
                   "operation": p(46), "layer": p(47), "span_ids": [ids[2]], "impact_us": 1,
                   "evidence": [{"text": p(48), "span_ids": [ids[2], p(49)],
                                 "values": {p(50): p(51)}}], "rule": p(52)}]
    a.root_cause = {"finding_id": p(42), "service": p(53), "operation": p(54), "layer": p(55),
                    "kind": p(56), "span_ids": [ids[2]], "impact_us": 1, "confidence": 0.5,
                    "summary": p(57)}
    a.whys = [{"step": 1, "question": p(58), "answer": p(59), "rule": p(60),
               "evidence": {"span_ids": [ids[2], p(61)], "values": {p(62): p(63)}}}]
    a.next_checks = [p(64)]
    a.baseline = {"traces": 3, "source": p(65),
                  "hops": [{"service": p(66), "operation": p(67), "critical_us": 1}],
                  "attributes": [{"key": p(68), "value": p(69)}]}
    return a
