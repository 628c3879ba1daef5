"""The report context: documented, plain, redacted, and read whole by the templates."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_trace, span
from tests.report_samples import PINNED, SECRETS, full_analysis, injection_analysis
from tracewhy.analysis.analyze import analyze
from tracewhy.render import context_types
from tracewhy.render.context import ReportContext, build_report_context, safe_link
from tracewhy.render.html import environment

CONTEXT = {k: PINNED[k] for k in ("generated_at", "version", "command")}


def _context_classes() -> list[type]:
    return [obj for obj in vars(context_types).values()
            if isinstance(obj, type) and dataclasses.is_dataclass(obj)
            and obj.__module__ == context_types.__name__]


@pytest.mark.parametrize("cls", _context_classes(), ids=lambda c: c.__name__)
def test_every_class_and_field_is_documented(cls: type) -> None:
    assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "(")
    for f in dataclasses.fields(cls):
        assert f.metadata.get("doc"), f"{cls.__name__}.{f.name} has no doc"


def test_context_is_plain_values_only() -> None:
    ctx = build_report_context(full_analysis(), **CONTEXT)
    for path, value in _walk(ctx, "ctx"):
        assert value is None or isinstance(value, str | int | float | bool), (path, value)


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _walk(item, f"{path}[{k}]")
    elif isinstance(value, dict):
        for k, item in value.items():
            assert isinstance(k, str), path
            yield from _walk(item, f"{path}.{k}")
    else:
        yield path, value


class _Tracker:
    """Wraps a context dataclass and records which of its fields a template reads."""

    def __init__(self, obj: Any, seen: dict[str, set[str]]) -> None:
        self._obj, self._seen = obj, seen

    def __getattr__(self, name: str) -> Any:
        cls = type(self._obj)
        if name not in {f.name for f in dataclasses.fields(self._obj)}:
            raise AttributeError(name)  # StrictUndefined turns this into an error
        self._seen[cls.__name__].add(name)
        return _track(getattr(self._obj, name), self._seen)

    def __bool__(self) -> bool:
        return True


def _track(value: Any, seen: dict[str, set[str]]) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _Tracker(value, seen)
    if isinstance(value, list):
        return [_track(v, seen) for v in value]
    return value


def test_templates_read_every_field_and_nothing_else() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    template = environment().get_template("report.html")
    for analysis in (full_analysis(), injection_analysis(), analyze(make_trace())):
        template.render(ctx=_track(build_report_context(analysis, **CONTEXT), seen))
    for cls in _context_classes():
        fields = {f.name for f in dataclasses.fields(cls)}
        assert seen[cls.__name__] == fields, f"{cls.__name__}: unread {fields - seen[cls.__name__]}"


def test_first_screen_of_an_explained_trace() -> None:
    ctx = build_report_context(full_analysis(), **CONTEXT)
    h = ctx.header
    assert h.title == "api-gateway POST /v1/predict"
    assert h.duration == "480 ms" and h.over_target
    assert "1.6× the 300 ms SLO" in h.duration_note and "p95 260 ms" in h.duration_note
    assert h.status == "ok" and h.status_note == "1 failed span below the root"
    assert h.source_link == "http://jaeger.internal:16686/trace/4bf92f3577b34da6"
    assert ctx.verdict.found and ctx.verdict.sentence.startswith("A feature-store timeout")
    assert ctx.verdict.confidence == "82%"
    assert [w.step for w in ctx.whys] == [1, 2, 3, 4]
    assert (h.generated_at, h.version) == ("2026-01-01 00:00:00 UTC", "0.0.0-test")


def test_evidence_links_point_at_listed_spans() -> None:
    ctx = build_report_context(full_analysis(), **CONTEXT)
    listed = {s.anchor for s in ctx.spans}
    refs = [r for w in ctx.whys for r in w.evidence] + ctx.verdict.evidence
    refs += [r for f in ctx.findings for ev in f.evidence for r in ev.spans]
    assert refs and all(r.anchor in listed for r in refs)


def test_fallback_verdict_names_the_dominant_hop() -> None:
    trace = make_trace(span("r", None, 0, 100, service="web", name="GET /"),
                       span("c", "r", 10, 90, service="db", name="query"))
    ctx = build_report_context(analyze(trace), **CONTEXT)
    assert not ctx.verdict.found
    assert ctx.verdict.sentence == ("No root cause found: the critical path is dominated by "
                                    "db: query (80.0% of 100 µs).")
    assert ctx.whys == [] and ctx.findings == [] and ctx.baseline is None
    assert ctx.header.duration_note == "no SLO or baseline given"


def test_empty_trace() -> None:
    ctx = build_report_context(analyze(make_trace()), **CONTEXT)
    assert ctx.verdict.sentence == "No root cause found: the trace has no spans."
    assert ctx.waterfall.rows == [] and ctx.graph.nodes == []


def test_secrets_are_redacted_in_the_context() -> None:
    ctx = build_report_context(full_analysis(), **CONTEXT)
    text = repr(ctx)
    for secret in SECRETS:
        assert secret not in text, secret
    assert ctx.header.redacted
    notes = " ".join(ctx.header.redaction_notes)
    assert "secret attribute key" in notes and "card number" in notes


def test_no_redact_keeps_secrets_and_says_so() -> None:
    ctx = build_report_context(full_analysis(), redact=False, **CONTEXT)
    text = repr(ctx)
    assert SECRETS[0] in text and SECRETS[2] in text
    assert not ctx.header.redacted and ctx.header.redaction_notes == []


def test_reproduce_command_is_stripped_of_secrets() -> None:
    ctx = build_report_context(full_analysis(), command=["tracewhy", "analyze", "x",
                                                         "--token", "s3cr3t"],
                               generated_at="now", version="v")
    assert ctx.command == "tracewhy analyze x --token '[REDACTED]'"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://jaeger.example.com/trace/abc", True),
    ("http://localhost:9411/zipkin/traces/abc", True),
    ("javascript:alert(1)", False),
    ("JAVASCRIPT:alert(1)", False),
    ("data:text/html,<script>", False),
    ("https://user:pw@host/x", False),
    ("https://host/x\"onmouseover=alert(1)", False),
    ("https:///nohost", False),
    ("//host/x", False),
    ("", False),
])
def test_safe_link(url: str, ok: bool) -> None:
    assert safe_link(url) == (url if ok else "")


def test_report_context_type_is_exported() -> None:
    assert ReportContext is context_types.ReportContext


def test_a_report_shows_the_first_findings_and_a_line_on_the_rest() -> None:
    """Two batches, each calling 12 operations four times: an N+1 finding per operation (the
    10 costliest of each batch).  The reports show the first MAX_FINDINGS_SHOWN in rank order,
    the root cause first, and say what the rest are; the JSON keeps every one."""
    import json

    from tests.support.sdk import SdkTraceBuilder
    from tracewhy.pipeline import analyze_trace
    from tracewhy.render import render
    from tracewhy.render.sections import MAX_FINDINGS_SHOWN

    b = SdkTraceBuilder()
    root = b.span("api", "GET /all", 0, 2000, kind="server")
    for w in range(2):
        batch = b.span("api", f"batch-{w}", 1000 * w, 1000 * w + 999, parent=root)
        for k in range(48):
            start = 1000 * w + 10 + 20 * k
            b.span("api", f"call-{k % 12:02d}", start, start + 15, parent=batch, kind="client")
    analysis = analyze_trace(b.trace())
    total = len(analysis.findings)
    assert total > MAX_FINDINGS_SHOWN
    ctx = build_report_context(analysis, **CONTEXT)
    assert [f.id for f in ctx.findings] == [f["id"] for f in analysis.findings][:MAX_FINDINGS_SHOWN]
    assert ctx.findings[0].is_root_cause
    assert ctx.findings_note.startswith(f"{total - MAX_FINDINGS_SHOWN} more findings not shown "
                                        "here (n_plus_one ×")
    html = render("html", analysis, command=["tracewhy"], generated_at=PINNED["generated_at"])
    md = render("md", analysis, command=["tracewhy"], generated_at=PINNED["generated_at"])
    assert "more findings not shown here" in html and "more findings not shown here" in md
    assert len(json.loads(render("json", analysis, command=["tracewhy"],
                                 generated_at=PINNED["generated_at"]))["findings"]) == total
