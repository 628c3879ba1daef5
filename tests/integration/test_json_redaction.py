"""Secrets that reach the engine's explanations (error messages, evidence values) are masked in
JSON and text output by default, and kept with --no-redact."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.support.sdk import SdkTraceBuilder
from tracewhy.cli import cli

TOKEN = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZw"


def leaky_trace(path: Path) -> Path:
    b = SdkTraceBuilder()
    root = b.span("gateway", "POST /predict", 0, 300, kind="server", error="upstream failed",
                  http__response__status_code=500)
    b.span("scorer", "model.forward", 10, 290, parent=root,
           error=f"auth failed for header {TOKEN}", **{"model.name": "ctr"})
    path.write_bytes(b.otlp_bytes())
    return path


def test_json_masks_secrets_in_explanations(tmp_path: Path) -> None:
    source = leaky_trace(tmp_path / "trace.json")
    result = CliRunner().invoke(cli, ["analyze", str(source), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "eyJhbGciOiJIUzI1NiJ9" not in result.output
    document = json.loads(result.output)
    assert document["redaction"]["enabled"] is True
    assert document["redaction"]["masked"]
    assert "[REDACTED]" in document["root_cause"]["summary"]


def test_text_masks_and_no_redact_keeps(tmp_path: Path) -> None:
    source = leaky_trace(tmp_path / "trace.json")
    text = CliRunner().invoke(cli, ["analyze", str(source)])
    assert text.exit_code == 0 and "eyJhbGciOiJIUzI1NiJ9" not in text.output
    kept = CliRunner().invoke(cli, ["analyze", str(source), "--format", "json", "--no-redact"])
    assert kept.exit_code == 0
    assert TOKEN in json.loads(kept.output)["root_cause"]["summary"]
    assert json.loads(kept.output)["redaction"] == {"enabled": False, "masked": []}


def test_report_masks_statement_literals(tmp_path: Path) -> None:
    b = SdkTraceBuilder()
    root = b.span("checkout", "POST /pay", 0, 900, kind="server")
    b.span("checkout", "SELECT payments", 20, 880, parent=root, kind="client", **{
        "db.system": "postgresql",
        "db.statement": "SELECT * FROM cards WHERE email = 'ann@example.com' AND pin = 4921"})
    source = tmp_path / "trace.json"
    source.write_bytes(b.otlp_bytes())
    for fmt in ("html", "md"):
        report = CliRunner().invoke(cli, ["analyze", str(source), "--format", fmt])
        assert report.exit_code == 0, report.output
        assert "ann@example.com" not in report.output and "4921" not in report.output
        if fmt == "html":  # the span details (Markdown has no per-span attributes)
            assert "email = ? AND pin = ?" in report.output
            assert "database statement literal" in report.output  # the header says what
    kept = CliRunner().invoke(cli, ["analyze", str(source), "--format", "html", "--no-redact"])
    assert "ann@example.com" in kept.output
