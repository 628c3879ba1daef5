"""Fetching traces by id from a real Jaeger v2 and a real Zipkin: what comes back is what the
OpenTelemetry SDK sent, through the same reader and normaliser as a file."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tests.live.cli_runner import run_cli, run_process
from tests.live.servers import JaegerServer, ZipkinServer
from tests.live.workload import EmittedTrace, by_label
from tracewhy.backends import Backend, FetchedTrace, make_config
from tracewhy.errors import TraceNotFound
from tracewhy.model import STATUS_ERROR

pytestmark = pytest.mark.live


@pytest.fixture(params=["jaeger", "zipkin"])
def backend(request: pytest.FixtureRequest, jaeger_backend: JaegerServer,
            zipkin_backend: ZipkinServer) -> tuple[str, str]:
    """(kind, query URL) of each real backend in turn."""
    kind = str(request.param)
    return kind, (jaeger_backend if kind == "jaeger" else zipkin_backend).query_url


def expected_span(span_kind: str, name: str, backend_kind: str) -> tuple[str, str]:
    """Zipkin stores span names in lower case and has no "internal" kind (it omits the kind)."""
    if backend_kind == "zipkin":
        return name.lower(), "unspecified" if span_kind == "internal" else span_kind
    return name, span_kind


def assert_same_trace(fetched: FetchedTrace, emitted: EmittedTrace, kind: str) -> None:
    trace = fetched.trace
    assert int(trace.trace_id, 16) == int(emitted.trace_id, 16)
    got = {s.span_id: (s.parent_id, s.service, s.name, s.kind, s.start_us, s.duration_us,
                       s.status == STATUS_ERROR) for s in trace.spans}
    want = {s.span_id: (s.parent_id, s.service, *expected_span(s.kind, s.name, kind),
                        s.start_us, s.duration_us, s.error) for s in emitted.spans}
    assert got == want
    assert trace.root_id == emitted.root.span_id
    assert [w.code for w in trace.warnings if w.severity == "warning"] == []
    assert trace.accounting() == {"input": len(want), "analysed": len(want), "merged": 0,
                                  "rejected": 0, "left_out": 0}


def test_fetched_traces_equal_what_the_sdk_sent(backend: tuple[str, str],
                                                emitted: list[EmittedTrace]) -> None:
    kind, url = backend
    with Backend(make_config(kind, url)) as live:
        for emitted_trace in emitted:
            fetched = live.fetch(emitted_trace.trace_id)
            assert_same_trace(fetched, emitted_trace, kind)
            assert fetched.trace.source is not None
            assert fetched.trace.source.backend == kind
            assert fetched.url.startswith(url) and emitted_trace.trace_id[-16:] in fetched.url
            assert fetched.trace.source.ui_url == live.api.ui_url(fetched.trace.trace_id)


def test_jaeger_answers_api_v3(jaeger_backend: JaegerServer,
                               emitted: list[EmittedTrace]) -> None:
    with Backend(make_config("jaeger", jaeger_backend.query_url)) as live:
        fetched = live.fetch(emitted[-1].trace_id)
    assert "/api/v3/traces/" in fetched.url
    assert fetched.trace.source is not None and fetched.trace.source.format == "otlp"
    assert json.loads(fetched.raw)["result"]["resourceSpans"]


@pytest.mark.parametrize(("label", "typed"), [
    ("old-fast", lambda tid: tid[16:]),  # 64-bit id, stored as 128-bit by Jaeger
    ("old-fast", lambda tid: tid.upper()),
    ("old-slow", lambda tid: tid.lstrip("0")),  # leading zeros dropped
    ("old-slow", lambda tid: tid[16:].upper()),
    ("v2-fast", lambda tid: "0x" + tid),
])
def test_any_id_form_finds_the_trace(backend: tuple[str, str], emitted: list[EmittedTrace],
                                     label: str, typed: object) -> None:
    kind, url = backend
    emitted_trace = by_label(emitted)[label]
    text = typed(emitted_trace.trace_id)  # type: ignore[operator]
    with Backend(make_config(kind, url)) as live:
        fetched = live.fetch(text)
    assert_same_trace(fetched, emitted_trace, kind)
    assert fetched.tried[-1] == fetched.matched_id


def test_not_found_names_every_form_tried(backend: tuple[str, str], tmp_path: Path) -> None:
    kind, url = backend
    missing = "0000000000000000" + secrets.token_hex(8)
    with Backend(make_config(kind, url)) as live, pytest.raises(TraceNotFound) as caught:
        live.fetch(missing)
    message = caught.value.one_line()
    for form in (missing, missing[16:], missing.lstrip("0")):
        assert form in message
    ran = run_cli(["analyze", f"--{kind}", url, missing], tmp_path)
    assert ran.code == 66
    assert ran.stderr.startswith(f"tracewhy: {kind} {url}: trace {missing} not found")
    assert "Traceback" not in ran.everything


def test_analyze_by_id_equals_analyze_of_the_saved_payload(
        backend: tuple[str, str], emitted: list[EmittedTrace], tmp_path: Path) -> None:
    kind, url = backend
    trace_id = by_label(emitted)["slow-error"].trace_id
    raw = tmp_path / "raw.json"
    live = run_cli(["analyze", f"--{kind}", url, trace_id, "--format", "json",
                    "--save-raw", str(raw)], tmp_path)
    assert live.code == 0, live.stderr
    from_file = run_cli(["analyze", str(raw), "--format", "json"], tmp_path)
    assert from_file.code == 0, from_file.stderr
    live_doc, file_doc = json.loads(live.stdout), json.loads(from_file.stdout)
    assert live_doc["source"]["backend"] == kind and live_doc["source"]["ui_url"]
    assert file_doc["source"]["backend"] is None
    for doc in (live_doc, file_doc):
        doc.pop("source")
    assert live_doc == file_doc
    assert live_doc["root"]["error"] and live_doc["span_count"] == 7


def test_save_raw_never_overwrites_without_force(jaeger_backend: JaegerServer,
                                                 emitted: list[EmittedTrace],
                                                 tmp_path: Path) -> None:
    raw = tmp_path / "raw.json"
    raw.write_text("keep me", encoding="utf-8")
    args = ["analyze", "--jaeger", jaeger_backend.query_url, emitted[0].trace_id,
            "--save-raw", str(raw)]
    refused = run_cli(args, tmp_path)
    assert refused.code == 73 and "already exists" in refused.stderr
    assert raw.read_text(encoding="utf-8") == "keep me"
    forced = run_cli([*args, "--force"], tmp_path)
    assert forced.code == 0, forced.stderr
    assert json.loads(raw.read_bytes())["result"]["resourceSpans"]


def test_backend_from_environment_and_config_file(
        jaeger_backend: JaegerServer, zipkin_backend: ZipkinServer,
        emitted: list[EmittedTrace], tmp_path: Path) -> None:
    trace_id = emitted[2].trace_id
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    config = tmp_path / "tracewhy" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[zipkin]\nurl = "{zipkin_backend.query_url}"\n', encoding="utf-8")

    from_file = run_cli(["analyze", trace_id], tmp_path)
    assert from_file.code == 0, from_file.stderr
    assert f"(zipkin, {zipkin_backend.query_url}/api/v2/trace/" in from_file.stdout

    env_wins = run_cli(["analyze", trace_id], tmp_path,
                       {"TRACEWHY_ZIPKIN_URL": dead})
    assert env_wins.code == 69 and "127.0.0.1:9" in env_wins.stderr

    flag_wins = run_cli(["analyze", "--jaeger", jaeger_backend.query_url, trace_id], tmp_path,
                        {"TRACEWHY_JAEGER_URL": dead})
    assert flag_wins.code == 0, flag_wins.stderr
    assert f"(otlp, {jaeger_backend.query_url}/api/v3/traces/" in flag_wins.stdout


def test_a_file_named_like_an_id_is_still_a_file(zipkin_backend: ZipkinServer,
                                                  tmp_path: Path, external: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    local = tmp_path / "1e223ff1f80f1c69"
    local.write_bytes((external / "zipkin-lens" / "skew.json").read_bytes())
    monkeypatch.chdir(tmp_path)
    ran = run_cli(["analyze", "1e223ff1f80f1c69"], tmp_path,
                  {"TRACEWHY_ZIPKIN_URL": "http://127.0.0.1:9"})
    assert ran.code == 0, ran.stderr
    assert "(zipkin, 1e223ff1f80f1c69)" in ran.stdout


def test_fetch_in_a_real_process(jaeger_backend: JaegerServer, emitted: list[EmittedTrace],
                                 tmp_path: Path) -> None:
    trace_id = by_label(emitted)["old-slow"].trace_id
    ran = run_process(["analyze", trace_id.lstrip("0")], tmp_path,
                      {"TRACEWHY_JAEGER_URL": jaeger_backend.query_url})
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"trace  {trace_id}  (otlp, {jaeger_backend.query_url}")
    assert ran.stderr == ""


def test_choosing_between_two_configured_backends(
        jaeger_backend: JaegerServer, zipkin_backend: ZipkinServer,
        emitted: list[EmittedTrace], tmp_path: Path) -> None:
    trace_id = emitted[3].trace_id
    config = tmp_path / "tracewhy" / "config.toml"
    config.parent.mkdir()
    both = (f'[jaeger]\nurl = "{jaeger_backend.query_url}"\n'
            f'[zipkin]\nurl = "{zipkin_backend.query_url}"\n')
    config.write_text(both, encoding="utf-8")
    ambiguous = run_cli(["analyze", trace_id], tmp_path)
    assert ambiguous.code == 78 and "--backend jaeger|zipkin" in ambiguous.stderr

    picked = run_cli(["analyze", "--backend", "jaeger", trace_id], tmp_path)
    assert picked.code == 0 and "(otlp, " in picked.stdout

    config.write_text('default = "zipkin"\n' + both, encoding="utf-8")
    by_default = run_cli(["analyze", trace_id], tmp_path)
    assert by_default.code == 0 and "(zipkin, " in by_default.stdout


def test_no_env_proxy_connects_directly(backend: tuple[str, str], emitted: list[EmittedTrace],
                                        tmp_path: Path) -> None:
    """The environment names a proxy that is not there: the request fails and says so, naming
    the way out; --no-env-proxy reaches the real server."""
    kind, url = backend
    dead = "http://proxy-user:proxy-secret@127.0.0.1:9"  # the discard port: nothing listens
    env = dict.fromkeys(("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                         "all_proxy"), dead)
    env.update({"NO_PROXY": "", "no_proxy": ""})
    trace_id = emitted[0].trace_id
    args = ["analyze", f"--{kind}", url, trace_id, "--retries", "0"]
    proxied = run_cli(args, tmp_path, env)
    assert proxied.code == 69, proxied.stderr
    assert "through the proxy 127.0.0.1:9" in proxied.stderr
    assert "--no-env-proxy" in proxied.stderr and "proxy-secret" not in proxied.everything
    direct = run_cli([*args, "--no-env-proxy"], tmp_path, env)
    assert direct.code == 0, direct.stderr
    assert trace_id in direct.stdout.splitlines()[0]
