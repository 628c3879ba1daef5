"""Searching a real Jaeger v2 and a real Zipkin: each filter selects exactly the right traces.

The standard workload (``workload.standard_plans``) has seven requests with known times,
durations, operations and failures, under service names unique to this run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.live.cli_runner import run_cli
from tests.live.servers import JaegerServer, ZipkinServer
from tests.live.workload import MINUTE_US, EmittedTrace, Workload, by_label
from tracewhy.backends import Backend, SearchQuery, SearchResult, make_config, search_traces

pytestmark = pytest.mark.live

ALL = {"old-fast", "old-slow", "fast", "slow", "v2-error", "slow-error", "v2-fast"}
RECENT = {"fast", "slow", "v2-error", "slow-error", "v2-fast"}


@pytest.fixture(params=["jaeger", "zipkin"])
def backend(request: pytest.FixtureRequest, jaeger_backend: JaegerServer,
            zipkin_backend: ZipkinServer) -> tuple[str, str]:
    kind = str(request.param)
    return kind, (jaeger_backend if kind == "jaeger" else zipkin_backend).query_url


def found(result: SearchResult, emitted: list[EmittedTrace]) -> list[str]:
    """The labels of the traces found, in the order found; an unknown trace fails the test."""
    labels = {int(t.trace_id, 16): t.label for t in emitted}
    return [labels[int(s.trace_id, 16)] for s in result.traces]


def search(backend: tuple[str, str], workload: Workload, now_us: int, *, service: str = "gateway",
           hours: float = 4, **filters: object) -> SearchResult:
    kind, url = backend
    query = SearchQuery(service=workload.service(service), start_us=now_us - int(hours * 60)
                        * MINUTE_US, end_us=now_us + MINUTE_US, **filters)  # type: ignore[arg-type]
    return search_traces(make_config(kind, url), query)


def test_service_finds_every_trace_newest_first(backend: tuple[str, str], workload: Workload,
                                                emitted: list[EmittedTrace],
                                                now_us: int) -> None:
    result = search(backend, workload, now_us)
    assert found(result, emitted) == [t.label for t in reversed(emitted)]


def test_window_selects_by_time(backend: tuple[str, str], workload: Workload,
                               emitted: list[EmittedTrace], now_us: int) -> None:
    assert set(found(search(backend, workload, now_us, hours=1), emitted)) == RECENT
    old_start = by_label(emitted)["old-fast"].plan.at_us
    kind, url = backend
    query = SearchQuery(workload.service("gateway"), old_start - MINUTE_US,
                        old_start + 10 * MINUTE_US)
    assert set(found(search_traces(make_config(kind, url), query), emitted)) == {
        "old-fast", "old-slow"}


def test_operation_selects_the_model_version(backend: tuple[str, str], workload: Workload,
                                             emitted: list[EmittedTrace], now_us: int) -> None:
    result = search(backend, workload, now_us, service="model-server", operation="predict-v2")
    assert set(found(result, emitted)) == {"v2-error", "v2-fast"}


def test_min_duration_selects_slow_requests(backend: tuple[str, str], workload: Workload,
                                            emitted: list[EmittedTrace], now_us: int) -> None:
    result = search(backend, workload, now_us, min_duration_us=500_000)
    assert set(found(result, emitted)) == {"old-slow", "slow", "slow-error"}
    assert all(s.duration_us >= 500_000 for s in result.traces)


def test_errors_select_failed_requests(backend: tuple[str, str], workload: Workload,
                                       emitted: list[EmittedTrace], now_us: int) -> None:
    result = search(backend, workload, now_us, errors_only=True)
    assert set(found(result, emitted)) == {"v2-error", "slow-error"}
    slow_and_failed = search(backend, workload, now_us, errors_only=True,
                             min_duration_us=500_000)
    assert found(slow_and_failed, emitted) == ["slow-error"]


def test_limit_keeps_the_newest(backend: tuple[str, str], workload: Workload,
                                emitted: list[EmittedTrace], now_us: int) -> None:
    result = search(backend, workload, now_us, limit=2)
    assert found(result, emitted) == ["v2-fast", "slow-error"]


def test_summaries_match_the_requests(backend: tuple[str, str], workload: Workload,
                                      emitted: list[EmittedTrace], now_us: int) -> None:
    result = search(backend, workload, now_us)
    emitted_by_id = {int(t.trace_id, 16): t for t in emitted}
    for summary in result.traces:
        sent = emitted_by_id[int(summary.trace_id, 16)]
        root = sent.root
        assert summary.start_us == root.start_us
        assert summary.duration_us == root.duration_us
        assert summary.span_count == len(sent.spans)
        assert summary.error_count == sum(s.error for s in sent.spans)
        assert summary.root_service == workload.service("gateway")
        assert summary.root_operation.lower() == root.name.lower()
        assert summary.services == tuple(sorted({s.service for s in sent.spans}))
        assert summary.ui_url and summary.ui_url.startswith(backend[1])


def test_services_and_operations(backend: tuple[str, str], workload: Workload,
                                 emitted: list[EmittedTrace]) -> None:
    kind, url = backend
    with Backend(make_config(kind, url)) as live:
        services = live.services()
        operations = {op.lower() for op in live.operations(workload.service("model-server"))}
    assert {workload.service(name) for name in ("gateway", "feature-store",
                                                 "model-server")} <= set(services)
    assert operations == {"predict", "predict-v2", "model.forward"}


def test_dependencies_include_the_workload_calls(backend: tuple[str, str], workload: Workload,
                                                 emitted: list[EmittedTrace],
                                                 now_us: int) -> None:
    kind, url = backend
    with Backend(make_config(kind, url)) as live:
        links = live.dependencies(now_us - 4 * 60 * MINUTE_US, now_us + MINUTE_US)
    pairs = {(link["parent"], link["child"]) for link in links}
    gateway = workload.service("gateway")
    assert (gateway, workload.service("model-server")) in pairs
    assert (gateway, workload.service("feature-store")) in pairs


def test_search_command_table_json_and_ids(backend: tuple[str, str], workload: Workload,
                                           emitted: list[EmittedTrace],
                                           tmp_path: Path) -> None:
    kind, url = backend
    base = ["search", f"--{kind}", url, "--service", workload.service("gateway"),
            "--since", "4h", "--errors"]
    table = run_cli(base, tmp_path)
    assert table.code == 0, table.stderr
    failed = {t.trace_id[-16:] for t in emitted if t.has_error}
    rows = table.stdout.splitlines()
    assert rows[0].startswith("TRACE ID") and len(rows) == 3
    assert {row.split()[0][-16:] for row in rows[1:]} == failed

    as_json = json.loads(run_cli([*base, "--format", "json"], tmp_path).stdout)
    assert as_json["schema"] == "tracewhy.search/1" and as_json["count"] == 2
    assert as_json["query"]["errors_only"] is True
    assert [t["errors"] for t in as_json["traces"]] == [4, 4]

    ids = run_cli([*base, "--format", "ids"], tmp_path).stdout.split()
    analysed = run_cli(["analyze", f"--{kind}", url, ids[0]], tmp_path)
    assert analysed.code == 0, analysed.stderr
    assert analysed.stdout.split()[1] == ids[0]


@pytest.mark.parametrize(("extra", "code"), [((), 0), (("--fail-if-empty",), 66)])
def test_no_match_is_not_an_error_unless_asked(backend: tuple[str, str], tmp_path: Path,
                                               extra: tuple[str, ...], code: int) -> None:
    kind, url = backend
    ran = run_cli(["search", f"--{kind}", url, "--service", "no-such-service-anywhere",
                   "--since", "5m", *extra], tmp_path)
    assert ran.code == code, ran.everything
    assert ran.stdout.splitlines() == [ran.stdout.splitlines()[0]]  # the header only
    assert "0 traces matched" in ran.stderr


def test_search_needs_a_backend(tmp_path: Path) -> None:
    ran = run_cli(["search", "--service", "x"], tmp_path)
    assert ran.code == 78 and "no backend given" in ran.stderr


@pytest.mark.parametrize("start", ["inf", "nan", "1e30", "-1e20"])
def test_a_window_beyond_the_calendar_is_refused_with_one_line(
        backend: tuple[str, str], tmp_path: Path, start: str) -> None:
    kind, url = backend
    ran = run_cli(["search", f"--{kind}", url, "--service", "gateway", "--start", start],
                  tmp_path)
    assert ran.code == 78, ran.everything
    assert ran.stderr.strip() == \
        f"tracewhy: --start: '{start}' is not a time between the years 1 and 9999"
