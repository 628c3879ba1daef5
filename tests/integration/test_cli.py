"""``tracewhy analyze`` end to end: in-process with click's CliRunner, and as the real console
script in a subprocess (argv, stdin, exit status and stderr as a user's shell sees them).

Every bad input must give one line on stderr, ``tracewhy: <input>: <problem>``, the exit code
README documents, and no traceback unless --debug.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.conftest import EXTERNAL, REPO
from tracewhy.cli import cli

SCHEMA = json.loads((REPO / "src" / "tracewhy" / "schemas" / "analysis.schema.json").read_text())
CATALOGUE = REPO / "tests" / "fixtures" / "catalogue"
BUNDLED = REPO / "fixtures" / "crisp-16.json"
TRACEWHY = Path(sys.executable).with_name("tracewhy")
SPAN = ('{"traceId": "0af7651916cd43dd8448eb211c80319c", "id": "0000000000000001", "name": "x", '
        '"timestamp": 1700000000000000, "duration": 5}')


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["analyze", *args], input=stdin)


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> \
        subprocess.CompletedProcess[str]:
    """The installed console script, as a shell would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEWHY_")}
    return subprocess.run([str(TRACEWHY), *args], input=stdin.decode() if stdin else None,
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
                          check=False)


def one_error_line(stderr: str, name: str, *words: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith(f"tracewhy: {name}"), line
    for word in words:
        assert word in line, (word, line)
    assert "Traceback" not in stderr
    return line


def analysis_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# -- good inputs --------------------------------------------------------------------------

def test_text_summary_of_the_bundled_fixture() -> None:
    result = invoke(str(BUNDLED))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("trace  ") and "(jaeger, " in lines[0]
    assert lines[1].startswith("root   ")
    assert "critical path (where the time went):" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("path", [
    BUNDLED, CATALOGUE / "a4-duplicates.json", CATALOGUE / "a5-shared.json",
    CATALOGUE / "a7-skew.json", CATALOGUE / "a1-orphan.json", CATALOGUE / "a10-lone-surrogate.json",
    CATALOGUE / "a2-no-root.otlp.json"], ids=lambda p: p.name)
def test_json_output_follows_the_schema_and_its_promises(path: Path) -> None:
    data = analysis_json(invoke(str(path), "--format", "json"))
    jsonschema.validate(data, SCHEMA)
    counts = data["accounting"]
    assert counts["analysed"] + counts["merged"] + counts["rejected"] == counts["input"]
    assert data["span_count"] == counts["analysed"]
    root, path_ = data["root"], data["critical_path"]
    assert sum(s["end_us"] - s["start_us"] for s in path_) == root["duration_us"]
    if path_:
        assert path_[0]["start_us"] == root["start_us"]
        assert all(a["end_us"] == b["start_us"] for a, b in zip(path_, path_[1:], strict=False))
    critical = [h["critical_us"] for h in data["hops"]]
    assert critical == sorted(critical, reverse=True)


def test_json_for_every_real_zipkin_file_validates(external: Path) -> None:
    for path in sorted((EXTERNAL / "zipkin-lens").glob("*.json")):
        jsonschema.validate(analysis_json(invoke(str(path), "--format", "json")), SCHEMA)


def test_stdin_and_gzip(external: Path) -> None:
    data = gzip.compress((EXTERNAL / "zipkin-lens" / "skew.json").read_bytes())
    result = invoke("-", "--format", "json", stdin=data)
    parsed = analysis_json(result)
    assert parsed["trace_id"] == "1e223ff1f80f1c69" and parsed["source"]["name"] == "<stdin>"


def test_several_traces_a_note_on_stderr_and_trace_id(tmp_path: Path, external: Path) -> None:
    yelp = json.loads((EXTERNAL / "zipkin-lens" / "yelp.json").read_text())
    skew = json.loads((EXTERNAL / "zipkin-lens" / "skew.json").read_text())
    both = tmp_path / "two.json"
    both.write_text(json.dumps([yelp, skew]))
    first = invoke(str(both), "--format", "json")
    assert analysis_json(first)["source"]["other_trace_ids"] == ["1e223ff1f80f1c69"]
    assert "1 other trace(s)" in first.stderr and "--trace-id" in first.stderr
    second = analysis_json(invoke(str(both), "--format", "json", "--trace-id", "1e223ff1f80f1c69"))
    assert second["trace_id"] == "1e223ff1f80f1c69" and second["accounting"]["input"] == 4
    missing = invoke(str(both), "--trace-id", "00000000000000ab")
    assert missing.exit_code == 66
    one_error_line(missing.stderr, str(both), "not in the input", "a03ee8fff1dcd9b9")


def test_adjust_skew_on_the_real_skewed_trace(external: Path) -> None:
    path = str(EXTERNAL / "zipkin-lens" / "skew.json")
    plain = analysis_json(invoke(path, "--format", "json"))
    assert {w["code"] for w in plain["warnings"]} >= {"clock-skew"}
    moved = analysis_json(invoke(path, "--format", "json", "--adjust-skew"))
    codes = {w["code"]: w["span_ids"] for w in moved["warnings"]}
    assert "clock-skew" not in codes
    # The server half (new id, shared with its client in the file) and its async child.
    assert len(codes["skew-adjusted"]) == 2 and "43210ae0c10d1234" in codes["skew-adjusted"]
    limited = analysis_json(invoke(path, "--format", "json", "--adjust-skew", "--max-skew", "1ms"))
    assert "skew-not-adjusted" in {w["code"] for w in limited["warnings"]}


def test_strict_exits_1_only_when_the_trace_needed_repairs() -> None:
    assert invoke(str(CATALOGUE / "a6-times.json"), "--strict").exit_code == 1
    assert invoke(str(CATALOGUE / "a10-bom.json"), "--strict").exit_code == 0


# -- bad inputs ------------------------------------------------------------------------------

BAD_INPUTS = [
    ("empty.json", b"", "empty input"),
    ("blank.json", b"  \n\t\n", "empty input"),
    ("notes.txt", b"this is not json", "not valid JSON"),
    ("login.json", b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>",
     "HTML page"),
    ("cut.json", ("[" + SPAN)[:-30].encode(), "truncated"),
    ("shape.json", b'{"hello": "world", "n": 1}', "unrecognised trace JSON"),
    ("list.json", b"[1, 2, 3]", "unrecognised trace JSON"),
    ("nothing.json", b"[]", "no spans or traces"),
    ("jaeger-error.json", b'{"data": null, "total": 0, "errors": [{"code": 500, '
     b'"msg": "storage backend unavailable"}]}', "storage backend unavailable"),
    ("v3-error.json", b'{"error": {"httpCode": 404, "message": "trace not found"}}',
     "trace not found"),
    ("v1.json", b'[{"traceId": "1", "id": "1", "name": "x", "annotations": [{"timestamp": 1, '
     b'"value": "cs", "endpoint": {"serviceName": "a"}}]}]', "Zipkin v1"),
    ("bad.json.gz", b"\x1f\x8b\x08\x00garbage", "gzip data"),
    ("deep.json", b"[" * 5000 + b"]" * 5000, "nested"),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_line_naming_the_file_exit_65(tmp_path: Path, name: str, content: bytes,
                                                       words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke(str(path))
    assert result.exit_code == 65, result.output
    one_error_line(result.stderr, str(path), words)
    assert result.stdout == ""


def test_missing_file_is_66_and_directory_65(tmp_path: Path) -> None:
    missing = invoke(str(tmp_path / "nope.json"))
    assert missing.exit_code == 66
    one_error_line(missing.stderr, str(tmp_path / "nope.json"), "no such file")
    folder = invoke(str(tmp_path))
    assert folder.exit_code == 65
    one_error_line(folder.stderr, str(tmp_path), "is a directory")


def test_input_larger_than_max_input_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + ", ".join([SPAN] * 100) + "]")
    result = invoke(str(path), "--max-input-bytes", "1000")
    assert result.exit_code == 65
    one_error_line(result.stderr, str(path), "larger than 1000 bytes", "--max-input-bytes")
    assert invoke(str(path), "--max-input-bytes", str(10**6)).exit_code == 0


def test_piped_input_is_read_in_chunks_and_capped() -> None:
    # A pipe has no length: it is read piece by piece (never one read of the whole cap) and
    # refused once it passes --max-input-bytes.
    text = "[" + ", ".join([SPAN] * 20_000) + "]"  # several MB: more than one chunk
    command = [sys.executable, "-m", "tracewhy", "analyze", "-", "--format", "json"]
    whole = subprocess.run(command, input=text.encode(), capture_output=True, check=False)
    assert whole.returncode == 0, whole.stderr
    assert json.loads(whole.stdout)["accounting"]["input"] == 20_000  # (copies of one span)
    capped = subprocess.run([*command, "--max-input-bytes", str(len(text) - 1)],
                            input=text.encode(), capture_output=True, check=False)
    assert capped.returncode == 65
    assert f"larger than {len(text) - 1} bytes" in capped.stderr.decode()


def test_bad_options_are_usage_or_config_errors(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["analyze"]).exit_code == 2
    assert invoke(str(BUNDLED), "--format", "pdf").exit_code == 2
    result = invoke(str(BUNDLED), "--adjust-skew", "--max-skew", "soon")
    assert result.exit_code == 78
    one_error_line(result.stderr, "--max-skew", "not a duration")


# -- writing files ----------------------------------------------------------------------------

def test_output_file_never_replaced_without_force(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    first = invoke(str(BUNDLED), "-o", str(out))
    assert first.exit_code == 0 and first.stdout == ""
    assert json.loads(out.read_text())["schema"] == "tracewhy.analysis/1"  # format from .json
    out.write_text("keep me")
    refused = invoke(str(BUNDLED), "-o", str(out))
    assert refused.exit_code == 73
    one_error_line(refused.stderr, str(out), "already exists", "--force")
    assert out.read_text() == "keep me"
    forced = invoke(str(BUNDLED), "-o", str(out), "--force")
    assert forced.exit_code == 0 and json.loads(out.read_text())["trace_id"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temp files


def test_output_never_replaces_its_own_input(tmp_path: Path) -> None:
    trace = tmp_path / "trace.json"
    trace.write_bytes(BUNDLED.read_bytes())
    for extra in ([], ["--force"]):
        result = invoke(str(trace), "-o", str(trace), *extra)
        assert result.exit_code == 73
        one_error_line(result.stderr, str(trace), "is the input file")
    assert trace.read_bytes() == BUNDLED.read_bytes()
    link = tmp_path / "alias.json"
    link.symlink_to(trace)
    assert invoke(str(trace), "-o", str(link), "--force").exit_code == 73
    assert trace.read_bytes() == BUNDLED.read_bytes()


def test_output_into_a_missing_directory_is_73(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.json"
    result = invoke(str(BUNDLED), "-o", str(target))
    assert result.exit_code == 73
    one_error_line(result.stderr, str(target), "does not exist")


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.txt"
    out.write_text("previous report")

    def no_space(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tracewhy.cli.output.os.replace", no_space)
    result = invoke(str(BUNDLED), "-o", str(out), "--force")
    assert result.exit_code == 73
    one_error_line(result.stderr, str(out), "No space left on device")
    assert out.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_output_file_permissions_follow_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    old = os.umask(0o022)
    try:
        assert invoke(str(BUNDLED), "-o", str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not mkstemp's private 0600


def test_graph_as_dot_and_as_json(tmp_path: Path) -> None:
    dot, node_link = tmp_path / "g.dot", tmp_path / "g.json"
    source = str(CATALOGUE / "a5-shared.json")
    assert invoke(source, "--graph", str(dot)).exit_code == 0
    text = dot.read_text()
    assert text.startswith("digraph tracewhy {") and text.rstrip().endswith("}")
    assert '"svc:gateway" -> "svc:orders"' in text and '"svc:gateway" -> "svc:billing"' in text
    assert invoke(source, "--graph", str(node_link)).exit_code == 0
    graph = json.loads(node_link.read_text())
    services = {n["id"] for n in graph["nodes"] if n["type"] == "service"}
    assert services == {"svc:gateway", "svc:orders", "svc:billing"}
    calls = {(e["source"], e["target"]): e for e in graph["edges"] if e["type"] == "calls"}
    assert calls[("svc:gateway", "svc:orders")]["calls"] == 1
    again = invoke(source, "--graph", str(dot))
    assert again.exit_code == 73 and "already exists" in again.stderr


# -- the real console script ------------------------------------------------------------------

def test_console_script_text_json_and_stdin(external: Path, tmp_path: Path) -> None:
    text = run("analyze", str(BUNDLED))
    assert text.returncode == 0 and text.stdout.startswith("trace  ") and text.stderr == ""
    out = tmp_path / "a.json"
    written = run("analyze", str(EXTERNAL / "zipkin-lens" / "yelp.json"), "-o", str(out))
    assert written.returncode == 0 and written.stderr.strip() == f"wrote {out}"
    jsonschema.validate(json.loads(out.read_text()), SCHEMA)
    piped = run("analyze", "-", "--format", "json",
                stdin=(EXTERNAL / "zipkin-lens" / "skew.json").read_bytes())
    assert piped.returncode == 0
    assert json.loads(piped.stdout)["source"]["name"] == "<stdin>"


@pytest.mark.parametrize(("args", "code", "words"), [
    (["nope.json"], 66, "no such file"),
    (["page.html"], 65, "HTML page"),
    (["error.json"], 65, "storage backend unavailable"),
])
def test_console_script_errors_are_one_line(tmp_path: Path, args: list[str], code: int,
                                            words: str) -> None:
    (tmp_path / "page.html").write_text("<html><body>Please log in</body></html>")
    (tmp_path / "error.json").write_text('{"data":null,"errors":[{"code":503,'
                                         '"msg":"storage backend unavailable"}]}')
    result = run("analyze", *args, cwd=tmp_path)
    assert result.returncode == code
    one_error_line(result.stderr, args[0], words)
    assert result.stdout == ""


def test_console_script_debug_shows_the_traceback(tmp_path: Path) -> None:
    for argv in (["--debug", "analyze", "nope.json"], ["analyze", "nope.json", "--debug"]):
        result = run(*argv, cwd=tmp_path)
        assert result.returncode == 66
        assert "Traceback (most recent call last)" in result.stderr
        assert "InputNotFound" in result.stderr and "nope.json: no such file" in result.stderr


def test_debug_flag_after_the_command_works_in_process_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "nope.json"), "--debug"])
    assert result.exit_code != 0 and result.exception is not None
    assert type(result.exception).__name__ == "InputNotFound"


def test_the_console_script_ends_without_freeing_yet_loses_no_output(tmp_path: Path) -> None:
    """``main`` ends an analyze run with os._exit, after flushing: every byte of stdout, the
    -o file, the stderr notes and the exit code (also --strict's 1) must still arrive."""
    base = [sys.executable, "-m", "tracewhy", "analyze"]
    text = subprocess.run([*base, str(BUNDLED), "--format", "text"], capture_output=True,
                          check=False)
    assert text.returncode == 0, text.stderr
    assert text.stdout.decode() == invoke(str(BUNDLED), "--format", "text").output
    out = tmp_path / "a.json"
    written = subprocess.run([*base, str(BUNDLED), "-o", str(out)], capture_output=True,
                             check=False)
    assert written.returncode == 0 and f"wrote {out}" in written.stderr.decode()
    assert json.loads(out.read_text())["schema"] == "tracewhy.analysis/1"
    strict = subprocess.run([*base, str(CATALOGUE / "a6-times.json"), "--strict", "--format",
                             "json"], capture_output=True, check=False)
    assert strict.returncode == 1 and json.loads(strict.stdout)["warnings"]
