"""``tracewhy demo`` end to end: files written, user files protected, one-line errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from click.testing import CliRunner, Result

from tracewhy.cli import cli
from tracewhy.demo import SCENARIOS
from tracewhy.demo.output import FILES


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_list_names_every_scenario() -> None:
    result = _run("demo", "--list")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == list(SCENARIOS)


def test_writes_traces_truth_worst_trace_and_its_analysis(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _run("demo", "inference-oom", "--traces", "60", "--seed", "4", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    truth = json.loads((out / "truth.json").read_text())
    assert truth["scenario"] == "inference-oom" and truth["trace_count"] == 60
    assert truth["seed"] == 4 and truth["faulty_count"] >= 1
    lines = (out / "traces.otlp.jsonl").read_text().splitlines()
    assert len(lines) == 60 and all(json.loads(line)["resourceSpans"] for line in lines)
    assert len(json.loads((out / "traces.jaeger.json").read_text())["data"]) == 60
    analysis = json.loads((out / "worst.analysis.json").read_text())
    assert analysis["trace_id"] == truth["worst_trace_id"]
    assert "wrote 60 traces" in result.output and "model.forward" in result.output


def test_the_worst_trace_file_is_what_analyze_reads(tmp_path: Path) -> None:
    assert _run("demo", "mesh-retry-storm", "--traces", "80", "--out", str(tmp_path)).exit_code \
        == 0
    truth = json.loads((tmp_path / "truth.json").read_text())
    result = _run("analyze", str(tmp_path / "worst.json"), "--format", "json")
    assert result.exit_code == 0, result.output
    analysis = json.loads(result.output[result.output.index("{"):])
    assert analysis["trace_id"] == truth["worst_trace_id"]
    assert analysis["root"]["error"] is True


def test_refuses_to_replace_an_earlier_run_without_force(tmp_path: Path) -> None:
    assert _run("demo", "healthy", "--traces", "5", "--out", str(tmp_path)).exit_code == 0
    before = (tmp_path / "truth.json").read_bytes()
    result = _run("demo", "healthy", "--traces", "7", "--out", str(tmp_path))
    assert result.exit_code == 73
    assert result.output.strip().splitlines() == [
        f"tracewhy: {tmp_path}: already holds {', '.join(FILES)} (use --force to replace them)"]
    assert (tmp_path / "truth.json").read_bytes() == before
    assert _run("demo", "healthy", "--traces", "7", "--out", str(tmp_path),
                "--force").exit_code == 0
    assert json.loads((tmp_path / "truth.json").read_text())["trace_count"] == 7


def test_other_files_in_the_directory_are_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("keep me")
    assert _run("demo", "healthy", "--traces", "3", "--out", str(tmp_path)).exit_code == 0
    assert mine.read_text() == "keep me"


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = _run("demo", "healthy", "--out", str(target))
    assert result.exit_code == 73 and "is not a directory" in result.output
    assert target.read_text() == "x"


def test_usage_errors() -> None:
    assert _run("demo", "no-such-scenario", "--out", "x").exit_code == 2
    nothing = _run("demo", "healthy")
    assert nothing.exit_code == 2 and "nothing to do" in nothing.output
    missing = _run("demo", "--out", "x")
    assert missing.exit_code == 2 and "give a SCENARIO" in missing.output
    bad_start = _run("demo", "healthy", "--start", "yesterday", "--out", "x")
    assert bad_start.exit_code == 2 and "ISO 8601" in bad_start.output
    assert _run("demo", "healthy", "--traces", "0", "--out", "x").exit_code == 2


def test_start_sets_the_time_window(tmp_path: Path) -> None:
    result = _run("demo", "healthy", "--traces", "3", "--start", "2025-01-01T00:00:00Z",
                  "--out", str(tmp_path))
    assert result.exit_code == 0
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["window"]["start_us"] == 1_735_689_600_000_000
    assert all(row["start_us"] >= 1_735_689_600_000_000 for row in truth["traces"])


def test_sample_keeps_the_worst_and_both_kinds_of_trace(tmp_path: Path) -> None:
    result = _run("demo", "silent-schema-retry", "--traces", "100", "--sample", "4",
                  "--out", str(tmp_path))
    assert result.exit_code == 0
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["trace_count"] == 4 and truth["generated"] == 100
    assert [row["faulty"] for row in truth["traces"]].count(True) == 2
    assert truth["worst_trace_id"] in {row["trace_id"] for row in truth["traces"]}


def test_bad_export_urls_are_configuration_errors(tmp_path: Path) -> None:
    result = _run("demo", "healthy", "--traces", "2", "--export-otlp", "ftp://host/x")
    assert result.exit_code == 78
    assert result.output.strip() == ("tracewhy: --export-otlp ftp://host/x: expected an "
                                     "http:// or https:// URL")


def test_an_unreachable_backend_is_one_line_and_exit_69(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    result = _run("demo", "healthy", "--traces", "2", "--out", str(tmp_path),
                  "--export-zipkin", url)
    assert result.exit_code == 69, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"tracewhy: {url}/api/v2/spans: cannot connect")
    assert "Traceback" not in result.output
    assert (tmp_path / "truth.json").exists()  # the files were written before the export
