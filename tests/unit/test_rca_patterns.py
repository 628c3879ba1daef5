"""Each pattern detector on a trace built with the real OpenTelemetry SDK whose cause we know,
and the verdict and 5 Whys it leads to."""

from __future__ import annotations

from typing import Any

from tests.support.sdk import SdkTraceBuilder
from tracewhy.analysis.analyze import Analysis
from tracewhy.pipeline import analyze_trace


def kinds(analysis: Analysis) -> list[str]:
    return [f["kind"] for f in analysis.findings]


def finding(analysis: Analysis, kind: str) -> dict[str, Any]:
    return next(f for f in analysis.findings if f["kind"] == kind)


def sequential_lookups(calls: int, *, step_ms: float, length_ms: float) -> SdkTraceBuilder:
    """A request whose feature lookup makes ``calls`` Redis GETs one after another."""
    b = SdkTraceBuilder()
    root = b.span("gateway", "GET /recs", 0, 1000, kind="server")
    fs = b.span("features", "get_online_features", 10, 950, parent=root)
    for k in range(calls):
        b.span("features", "GET", 20 + step_ms * k, 20 + length_ms + step_ms * k, parent=fs,
               kind="client", db__system="redis")
    return b


def test_n_plus_one_names_the_caller_and_counts_the_calls() -> None:
    b = SdkTraceBuilder()
    root = b.span("gateway", "GET /recs", 0, 1000, kind="server", url__path="/recs")
    fs = b.span("features", "get_online_features", 10, 950, parent=root)
    for k in range(12):
        b.span("features", "GET", 20 + 75 * k, 90 + 75 * k, parent=fs, kind="client",
               db__system="redis", db__statement=f"GET user:{k}")
    analysis = analyze_trace(b.trace())
    n1 = finding(analysis, "n_plus_one")
    assert (n1["service"], n1["operation"]) == ("features", "get_online_features")
    assert n1["evidence"][0]["values"]["calls"] == 12
    assert n1["impact_us"] == 12 * 70_000  # every call is on the critical path
    assert analysis.root_cause is not None
    assert analysis.root_cause["kind"] == "n_plus_one"
    assert "batch" in analysis.root_cause["summary"]
    assert "db.statement" in n1["evidence"][1]["text"]
    assert not any("each call is followed" in e["text"] for e in n1["evidence"])  # no partner


def test_a_loop_calling_two_operations_per_item_names_both() -> None:
    """Per item: fetch its features, then score it.  Each N+1 finding names the other call of
    the loop; a plain N+1 (test above) names none."""
    b = SdkTraceBuilder()
    root = b.span("api", "POST /rank", 0, 1000, kind="server")
    for k in range(8):
        b.span("api", "features.get", 10 + 120 * k, 60 + 120 * k, parent=root, kind="client")
        b.span("api", "model.score", 60 + 120 * k, 125 + 120 * k, parent=root, kind="client")
    analysis = analyze_trace(b.trace())
    loops = {f["title"].rsplit(" to ", 1)[1]: f for f in analysis.findings
             if f["kind"] == "n_plus_one"}
    assert set(loops) == {"api features.get", "api model.score"}
    for callee, other in (("api features.get", "api model.score"),
                          ("api model.score", "api features.get")):
        pair = loops[callee]["evidence"][-1]
        assert pair["text"].startswith(f"each call is followed by one to {other} (8 calls")
        assert pair["values"]["paired_calls"] == 8
    assert analysis.root_cause is not None
    assert "each followed by one to api" in analysis.root_cause["summary"]


def test_a_loop_over_many_operations_lists_the_costliest_and_counts_the_rest() -> None:
    """A batch calling 30 operations four times each, the later ones for longer: one N+1
    finding for each of the 10 costliest, and the costliest one counts the other 20."""
    from tracewhy.rca.patterns.siblings import MAX_LOOPS_LISTED

    b = SdkTraceBuilder()
    root = b.span("api", "POST /batch", 0, 416, kind="server")
    start = 1.0
    for op in range(30):
        for _ in range(4):
            b.span("api", f"op-{op:02d}", start, start + 1 + op / 10, parent=root, kind="client")
            start += 2 + op / 10
    analysis = analyze_trace(b.trace())
    loops = [f for f in analysis.findings if f["kind"] == "n_plus_one"]
    assert len(loops) == MAX_LOOPS_LISTED == 10
    assert {f["title"].rsplit(" ", 1)[1] for f in loops} == {f"op-{op:02d}" for op in range(20, 30)}
    rest = loops[0]["evidence"][-1]
    assert loops[0]["title"].endswith("op-29")
    assert rest["values"]["more_operations"] == 20 and rest["values"]["calls"] == 80
    # what the 20 hold on the critical path: 4 calls of (1 + op/10) ms each, in µs
    assert rest["values"]["critical_us"] == sum(4 * (1000 + 100 * op) for op in range(20))


def test_n_plus_one_names_the_attributes_that_vary_by_value_and_by_type() -> None:
    """1, 1.0, True and "1" are different values; an attribute equal on every call is not
    named (SDK attributes keep their types)."""
    b = SdkTraceBuilder()
    root = b.span("gateway", "GET /recs", 0, 1000, kind="server")
    fs = b.span("features", "get_online_features", 10, 950, parent=root)
    numbers: list[object] = [1, 1.0, True]  # equal in Python, one set element if unwrapped
    texts: list[object] = ["1", 1]
    for k in range(6):
        b.span("features", "GET", 20 + 75 * k, 90 + 75 * k, parent=fs, kind="client",
               db__system="redis", app__number=numbers[k % 3], app__text=texts[k % 2],
               app__same="x")
    varying = finding(analyze_trace(b.trace()), "n_plus_one")["evidence"][1]["values"]["varying"]
    assert varying == ["app.number", "app.text"]


def test_parallel_calls_are_not_n_plus_one() -> None:
    b = SdkTraceBuilder()
    root = b.span("gateway", "GET /recs", 0, 200, kind="server")
    fs = b.span("features", "get_online_features", 10, 190, parent=root)
    for k in range(12):
        b.span("features", "GET", 20 + k, 150 + k, parent=fs, kind="client", db__system="redis")
    assert "n_plus_one" not in kinds(analyze_trace(b.trace()))


def test_retries_after_503_point_at_the_failing_server() -> None:
    b = SdkTraceBuilder()
    root = b.span("gateway", "POST /predict", 0, 1000, kind="server", error="504",
                  http__response__status_code=504)
    sidecar = b.span("app", "outbound|8000||triton", 5, 995, parent=root, kind="client",
                     component="proxy", upstream_cluster="triton", error="503")
    for attempt in range(3):
        start = 10 + attempt * 300
        call = b.span("app", "POST /v2/models/m/infer", start, start + 250, parent=sidecar,
                      kind="client", error="503", http__response__status_code=503)
        b.span("triton", "POST /v2/models/m/infer", start + 5, start + 245, parent=call,
               kind="server", error="overloaded", http__response__status_code=503)
    analysis = analyze_trace(b.trace())
    retry = finding(analysis, "retry")
    assert (retry["service"], retry["operation"]) == ("triton", "POST /v2/models/m/infer")
    assert retry["evidence"][0]["values"] == {"attempts": 3, "failed": 2}
    assert analysis.root_cause is not None
    assert analysis.root_cause["service"] == "triton"
    assert analysis.root_cause["layer"] == "inference"
    assert analysis.errors is not None and analysis.errors["origin"]["service"] == "triton"
    assert analysis.errors["chain"][-1]["service"] == "gateway"


def test_wire_time_is_the_client_minus_the_server() -> None:
    b = SdkTraceBuilder()
    root = b.span("frontend", "GET /", 0, 700, kind="server")
    call = b.span("frontend", "Currency/Convert", 50, 650, parent=root, kind="client",
                  rpc__system="grpc")
    b.span("currency", "Currency/Convert", 340, 350, parent=call, kind="server",
           rpc__system="grpc")
    analysis = analyze_trace(b.trace())
    wire = finding(analysis, "wire_latency")
    assert (wire["service"], wire["operation"]) == ("currency", "Currency/Convert")
    assert wire["evidence"][0]["values"]["wire_us"] == 590_000
    hop = next(h for h in analysis.hops if h.service == "currency")
    assert hop.wire_us == 590_000
    assert analysis.root_cause is not None and analysis.root_cause["kind"] == "wire_latency"


def test_wire_time_split_out_as_mesh_time_inside_sidecars() -> None:
    b = SdkTraceBuilder()
    root = b.span("frontend", "GET /", 0, 700, kind="server")
    call = b.span("frontend", "POST /score", 10, 690, parent=root, kind="client")
    out = b.span("frontend", "outbound", 15, 685, parent=call, kind="client", component="proxy")
    inbound = b.span("scorer", "inbound", 20, 680, parent=out, kind="server", component="proxy")
    b.span("scorer", "POST /score", 600, 620, parent=inbound, kind="server")
    analysis = analyze_trace(b.trace())
    hop = next(h for h in analysis.hops if h.key == ("scorer", "POST /score"))
    assert hop.wire_us == 660_000  # 680 ms client - 20 ms server
    assert hop.mesh_us == 650_000  # 670 ms of outbound sidecar span - 20 ms server
    assert finding(analysis, "wire_latency")["layer"] == "mesh"


def _mesh_call(inbound_start: float, inbound_end: float) -> Analysis:
    """frontend -> its outbound sidecar -> scorer's inbound sidecar -> scorer (20 ms of work)."""
    b = SdkTraceBuilder()
    root = b.span("frontend", "GET /", 0, 700, kind="server")
    call = b.span("frontend", "POST /score", 10, 690, parent=root, kind="client")
    out = b.span("frontend", "outbound", 15, 685, parent=call, kind="client", component="proxy")
    inbound = b.span("scorer", "inbound", inbound_start, inbound_end, parent=out, kind="server",
                     component="proxy")
    b.span("scorer", "POST /score", 600, 620, parent=inbound, kind="server")
    return analyze_trace(b.trace())


def test_mesh_heavy_wire_time_names_the_sidecar_the_time_went_into() -> None:
    # Span ids are random: the choice must follow the time, not the ids.
    slow_outbound = finding(_mesh_call(590, 630), "wire_latency")  # outbound: 630 ms its own
    assert (slow_outbound["service"], slow_outbound["operation"]) == ("frontend", "outbound")
    slow_inbound = finding(_mesh_call(20, 680), "wire_latency")  # inbound: 640 ms its own
    assert (slow_inbound["service"], slow_inbound["operation"]) == ("scorer", "inbound")


def test_serialized_fanout_counts_what_parallel_calls_would_save() -> None:
    b = SdkTraceBuilder()
    root = b.span("checkout", "POST /order", 0, 620, kind="server")
    for k, name in enumerate(["cart", "payment", "shipping"]):
        call = b.span("checkout", f"{name}.Get", 10 + 200 * k, 200 + 200 * k, parent=root,
                      kind="client")
        b.span(name, f"{name}.Get", 12 + 200 * k, 198 + 200 * k, parent=call, kind="server")
    fanout = finding(analyze_trace(b.trace()), "serialized_fanout")
    assert fanout["service"] == "checkout"
    assert fanout["impact_us"] == 2 * 190_000  # three 190 ms calls could take 190 ms


def test_serialized_fanout_also_says_what_all_its_calls_hold() -> None:
    """A parent calling three services three times each, one call after another: all nine are
    on the critical path, so parallel calls or batched repeats would save all but one."""
    b = SdkTraceBuilder()
    root = b.span("checkout", "POST /order", 0, 910, kind="server")
    for k in range(9):
        name = ["cart", "payment", "shipping"][k % 3]
        call = b.span("checkout", f"{name}.Get", 10 + 100 * k, 100 + 100 * k, parent=root,
                      kind="client")
        b.span(name, f"{name}.Get", 11 + 100 * k, 99 + 100 * k, parent=call, kind="server")
    analysis = analyze_trace(b.trace())
    fanout = finding(analysis, "serialized_fanout")
    assert fanout["title"] == "checkout POST /order calls 3 downstream operations one after another"
    assert fanout["impact_us"] == 8 * 90_000
    every = fanout["evidence"][-1]
    assert every["text"].startswith("in all, 9 downstream calls run one after another and hold "
                                    "810 ms of the critical path")
    assert every["values"] == {"calls": 9, "critical_us": 810_000}
    assert analysis.root_cause is not None and analysis.root_cause["summary"] == (
        "checkout POST /order calls 3 downstream operations one after another, 9 calls in all "
        "holding 810 ms: running them in parallel or batching the repeated ones would save "
        "720 ms (79% of the request).")


def test_uninstrumented_gap_and_slow_hop() -> None:
    b = SdkTraceBuilder()
    root = b.span("api", "GET /report", 0, 1000, kind="server")
    worker = b.span("reports", "build", 10, 990, parent=root)
    b.span("reports", "SELECT", 20, 60, parent=worker, kind="client", db__system="postgresql")
    b.span("reports", "SELECT", 900, 950, parent=worker, kind="client", db__system="postgresql")
    analysis = analyze_trace(b.trace())
    gap = finding(analysis, "uninstrumented_gap")
    assert gap["service"] == "reports" and gap["impact_us"] >= 840_000
    assert analysis.root_cause is not None
    assert (analysis.root_cause["service"], analysis.root_cause["operation"]) == \
        ("reports", "build")


def test_a_slow_call_to_a_peer_the_trace_does_not_show_is_named() -> None:
    """A database the trace has no spans of: its client span's time is the database's (and the
    network's).  That was no finding at all ("no single hop holds a large share")."""
    b = SdkTraceBuilder()
    root = b.span("api", "GET /orders", 0, 900, kind="server")
    b.span("api", "SELECT orders", 20, 880, parent=root, kind="client", db__system="postgresql",
           db__statement="SELECT * FROM orders WHERE user_id = ?")
    analysis = analyze_trace(b.trace())
    cause = analysis.root_cause
    assert cause is not None and cause["kind"] == "slow_hop"
    assert (cause["service"], cause["operation"], cause["layer"]) == \
        ("api", "SELECT orders", "database")
    assert cause["summary"] == ("api SELECT orders waited 860 ms on postgresql (96% of the "
                                "request); the trace does not show inside postgresql.")
    assert any("slow-query log" in check for check in analysis.next_checks)


def test_a_call_that_timed_out_on_a_server_that_answered_late_says_where_time_went() -> None:
    """The client gave up at its 5 s deadline; the server only started 4.96 s into the call
    and answered in 30 ms.  The chain says so, and the checks point at the server's queue."""
    b = SdkTraceBuilder()
    root = b.span("api", "POST /score", 0, 5010, kind="server", error="504")
    call = b.span("api", "POST model/predict", 5, 5005, parent=root, kind="client",
                  error="deadline exceeded")
    b.span("model", "POST /predict", 4960, 4990, parent=call, kind="server")
    analysis = analyze_trace(b.trace())
    answers = {w["question"]: w["answer"] for w in analysis.whys}
    assert answers["Did the server fail too?"] == (
        "No: model POST /predict started 4.96 s into the call and worked 30.0 ms; 4.97 s of the "
        "call went on the way there and back (queues, network, sidecars).")
    assert analysis.next_checks[0].startswith("queue depth, concurrency limits and load of model")


def test_timeout_at_a_round_deadline_is_seen() -> None:
    b = SdkTraceBuilder()
    root = b.span("gateway", "GET /x", 0, 5010, kind="server", error="504")
    call = b.span("gateway", "GET /upstream", 5, 5005, parent=root, kind="client", error="timeout")
    b.span("upstream", "GET /upstream", 10, 4999, parent=call, kind="server")
    timeout = finding(analyze_trace(b.trace()), "timeout")
    assert timeout["service"] == "gateway"
    assert timeout["evidence"][0]["values"]["deadline_ms"] == 5000


def test_lock_and_queue_waits() -> None:
    b = SdkTraceBuilder()
    root = b.span("api", "POST /job", 0, 1000, kind="server")
    b.span("api", "acquire db pool connection", 10, 400, parent=root)
    worker = b.span("api", "process", 400, 990, parent=root,
                    events=[("waiting for lock orders", 410, {}), ("lock acquired", 900, {})])
    b.span("api", "compute", 900, 980, parent=worker)
    found = kinds(analyze_trace(b.trace()))
    assert "queueing" in found and "lock_contention" in found


def test_error_origin_is_the_deepest_unexplained_error() -> None:
    b = SdkTraceBuilder()
    root = b.span("gateway", "POST /predict", 0, 400, kind="server", error="500",
                  http__response__status_code=500)
    call = b.span("app", "predict", 10, 390, parent=root, error="upstream 500")
    triton = b.span("triton", "ModelInfer", 20, 380, parent=call, kind="server",
                    error="500", rpc__service="inference.GRPCInferenceService")
    b.span("triton", "preprocess", 25, 40, parent=triton)
    b.span("triton", "model.forward", 40, 370, parent=triton, error="CUDA out of memory",
           events=[("exception", 369, {"exception.type": "torch.cuda.OutOfMemoryError",
                                       "exception.message": "CUDA out of memory"})],
           **{"model.batch_size": 256})
    analysis = analyze_trace(b.trace())
    assert analysis.root_cause is not None
    assert (analysis.root_cause["service"], analysis.root_cause["operation"]) == \
        ("triton", "model.forward")
    assert analysis.root_cause["kind"] == "error_origin"
    assert analysis.root_cause["layer"] == "inference"
    assert analysis.errors is not None
    assert [c["service"] for c in analysis.errors["chain"]] == ["triton", "triton", "app",
                                                                 "gateway"]
    assert analysis.errors["origin"]["exception_type"] == "torch.cuda.OutOfMemoryError"
    answers = " ".join(w["answer"] for w in analysis.whys)
    assert "CUDA out of memory" in answers and "model.batch_size=256" in answers


def test_an_error_stops_at_the_span_that_handled_it() -> None:
    """worker fails on its own, cache (above it) handled the failure of load below it: the
    story of load's error ends at cache, and worker's error is not part of it."""
    b = SdkTraceBuilder()
    root = b.span("api", "GET /item", 0, 400, kind="server")
    worker = b.span("worker", "enrich", 10, 390, parent=root, error="bad input")
    cache = b.span("cache", "get_or_load", 20, 380, parent=worker)
    load = b.span("store", "load", 30, 370, parent=cache, error="upstream failed")
    b.span("db", "SELECT", 40, 360, parent=load, kind="client", error="deadlock detected")
    analysis = analyze_trace(b.trace())
    origin = finding(analysis, "error_origin")
    assert (origin["service"], origin["operation"]) == ("db", "SELECT")
    assert origin["evidence"][1]["text"].endswith(
        "it propagated up through 1 erroring span(s) (store load) and was handled by cache "
        "get_or_load, which did not fail")
    assert origin["evidence"][1]["values"]["erroring_spans"] == 2  # SELECT and load only


def test_an_error_under_another_root_is_not_the_requests() -> None:
    """A trace holding a second tree (its parent span was never exported): its failing root
    is not the request's, and the request, which succeeded, is not said to have failed."""
    import orjson

    from tracewhy.sources import parse_bytes, select_trace

    b = SdkTraceBuilder()
    root = b.span("api", "GET /page", 0, 100, kind="server")
    b.span("render", "template", 10, 90, parent=root)
    lost = b.span("jobs", "schedule", 200, 300)
    b.span("jobs", "send-mail", 210, 260, parent=lost, error="smtp refused")
    doc = orjson.loads(b.otlp_bytes())
    lost_id = format(lost.get_span_context().span_id, "016x")
    for block in doc["resourceSpans"]:
        for scope in block["scopeSpans"]:
            scope["spans"] = [s for s in scope["spans"] if s["spanId"] != lost_id]
    # the lost parent was in another trace: give its child this trace's id, as a broken
    # propagation would
    trace_id = format(root.get_span_context().trace_id, "032x")
    for block in doc["resourceSpans"]:
        for scope in block["scopeSpans"]:
            for span in scope["spans"]:
                span["traceId"] = trace_id
    analysis = analyze_trace(select_trace(parse_bytes(orjson.dumps(doc), "forest.json")))
    assert analysis.root is not None and analysis.root.name == "GET /page"
    origin = finding(analysis, "error_origin")
    assert origin["title"].endswith("outside the request's own tree")
    assert "it is a root of its own, beside the request's" in origin["evidence"][1]["text"]
    assert analysis.root_cause is not None and analysis.root_cause["kind"] != "error_origin"
    assert "failed" not in analysis.root_cause["summary"]


def test_a_handled_error_costs_the_failed_work_not_its_whole_branch() -> None:
    """worker handled a 5 ms failure of its cache lookup, then spent 300 ms on its own: the
    error's cost is the 5 ms, and the verdict is about the 300 ms."""
    b = SdkTraceBuilder()
    root = b.span("api", "GET /item", 0, 400, kind="server")
    worker = b.span("worker", "enrich", 10, 390, parent=root)
    b.span("cache", "GET", 20, 25, parent=worker, kind="client", error="connection reset")
    analysis = analyze_trace(b.trace())
    origin = finding(analysis, "error_origin")
    assert origin["impact_us"] == 5_000
    assert analysis.root_cause is not None
    assert (analysis.root_cause["service"], analysis.root_cause["operation"]) == \
        ("worker", "enrich")


def test_whys_are_deterministic_and_cite_real_spans() -> None:
    def build() -> Analysis:
        return analyze_trace(sequential_lookups(8, step_ms=110, length_ms=100).trace())

    first, second = build(), build()
    assert first.whys == second.whys and first.findings == second.findings
    assert 3 <= len(first.whys) <= 7
    ids = {span.span_id for span in first.index.spans}
    for step in first.whys:
        assert step["question"].endswith("?") and step["answer"] and step["rule"]
        assert set(step["evidence"]["span_ids"]) <= ids
    assert first.whys[-1]["rule"].startswith("stop")
    assert first.next_checks


def test_evidence_of_a_long_run_cites_its_earliest_spans_sorted_by_id() -> None:
    """A run longer than the evidence limit: the ids cited are those of its 200 earliest calls,
    sorted, whatever the order the spans came in."""
    import copy
    import random

    from tracewhy.normalise import normalise
    from tracewhy.rca.context import MAX_EVIDENCE_IDS

    normalised = sequential_lookups(300, step_ms=3, length_ms=2).trace()
    shuffled = list(normalised.spans)
    random.Random(7).shuffle(shuffled)
    again = normalise(copy.deepcopy(shuffled), normalised.trace_id)
    cited = []
    for trace in (normalised, again):
        n1 = finding(analyze_trace(trace), "n_plus_one")
        ids = n1["evidence"][0]["span_ids"]
        run = sorted((s.start_us or 0, s.span_id) for s in trace.spans if s.name == "GET")
        assert len(run) > MAX_EVIDENCE_IDS
        assert ids == sorted(span_id for _, span_id in run[:MAX_EVIDENCE_IDS])
        assert ids != sorted(span_id for _, span_id in run)[:MAX_EVIDENCE_IDS]  # not the smallest
        cited.append(ids)
    assert cited[0] == cited[1]


def test_errors_a_sidecar_retried_away_are_recovered_with_their_cost() -> None:
    """The app's call goes through its Envoy sidecar, which retries two 503s from the model
    server before the third attempt succeeds: the errors are recovered (non-fatal), found
    through the sidecar span, and cost the time of the failed attempts."""
    b = SdkTraceBuilder()
    root = b.span("predict-api", "POST /predict", 0, 400, kind="server")
    call = b.span("predict-api", "POST model", 10, 390, parent=root, kind="client")
    proxy = b.span("predict-api", "router outbound egress", 12, 388, parent=call,
                   kind="client", component="proxy")
    for attempt, (start, end) in enumerate([(15, 115), (120, 220), (225, 385)]):
        failed = attempt < 2
        b.span("model-server", "POST /v2/models/m/infer", start, end, parent=proxy,
               kind="server", error="upstream overloaded" if failed else None,
               http__response__status_code=503 if failed else 200)
    analysis = analyze_trace(b.trace())
    assert analysis.errors is not None and not analysis.error[analysis.index.root]
    (recovered,) = analysis.errors["recovered"]
    assert (recovered["service"], recovered["attempts"]) == ("model-server", 2)
    failed_ids = sorted(s.span_id for s in analysis.index.spans
                        if s.service == "model-server" and s.status == "error")
    assert recovered["span_ids"] == failed_ids and len(failed_ids) == 2
    assert recovered["added_us"] == 200_000  # two 100 ms attempts on the critical path


def test_whys_answers_read_as_sentences_but_names_keep_their_case() -> None:
    b = SdkTraceBuilder()
    root = b.span("api", "GET /report", 0, 1000, kind="server")
    worker = b.span("reports", "build", 10, 990, parent=root,
                    resource={"k8s.pod.name": "reports-7d9-x2"})
    b.span("reports", "SELECT", 20, 60, parent=worker, kind="client", db__system="postgresql")
    b.span("reports", "SELECT", 900, 950, parent=worker, kind="client", db__system="postgresql")
    whys = analyze_trace(b.trace()).whys
    answers = {w["question"]: w["answer"] for w in whys}
    assert answers["Where did it run?"] == "It ran on k8s.pod.name=reports-7d9-x2."
    assert answers["Why did reports build take so long?"].startswith("reports build has ")
