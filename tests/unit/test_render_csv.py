"""``--format csv``: the hop table for spreadsheets, the same rows as the JSON's ``hops``, and
names from trace data that a spreadsheet can neither evaluate nor use to leak a secret."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import EXTERNAL, FIXTURES
from tests.support.sdk import SdkTraceBuilder
from tracewhy.cli import cli
from tracewhy.pipeline import analyze_trace
from tracewhy.render.csv_hops import COLUMNS, render_csv
from tracewhy.render.json import render_json
from tracewhy.sources import load_trace


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


@pytest.mark.parametrize("path", [FIXTURES / "demo" / "feature-store-latency" / "worst.json",
                                  EXTERNAL / "zipkin-lens" / "yelp.json",
                                  EXTERNAL / "crisp" / "16.json"], ids=lambda p: p.name)
def test_the_rows_are_the_json_hops(path: Path, external: Path) -> None:
    analysis = analyze_trace(load_trace(str(path)))
    hops = json.loads(render_json(analysis))["hops"]
    table = rows(render_csv(analysis))
    assert len(table) == len(hops) > 0
    for row, hop in zip(table, hops, strict=True):
        assert row == {column: str(hop[column]) for column in COLUMNS}


def test_names_can_neither_become_formulas_nor_drive_a_terminal() -> None:
    b = SdkTraceBuilder()
    root = b.span("=HYPERLINK(\"http://evil\",\"x\")", "GET /", 0, 100, kind="server")
    b.span("shop", "+cmd|' /C calc'!A0", 10, 40, parent=root)
    b.span("shop", "-2+3", 40, 60, parent=root)
    b.span("@SUM(A1)", "load, then\nsave", 60, 90, parent=root)
    b.span("shop", "\x1b[2J\x1b[31mred", 90, 95, parent=root)
    table = rows(render_csv(analyze_trace(b.trace())))
    cells = {row["service"] for row in table} | {row["operation"] for row in table}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells
    assert {"'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "load, then\\nsave",
            "\\x1b[2J\\x1b[31mred"} <= cells
    assert not any(c[:1] in "=+-@" for c in cells)
    assert not any(ord(ch) < 32 for c in cells for ch in c)  # nothing a terminal acts on


def test_secrets_in_names_are_masked_unless_asked_not_to() -> None:
    b = SdkTraceBuilder()
    root = b.span("api", "GET /login", 0, 100, kind="server")
    b.span("auth", "verify Bearer abcdef123456789", 10, 90, parent=root)
    analysis = analyze_trace(b.trace())
    assert "abcdef123456789" not in render_csv(analysis)
    assert "[REDACTED]" in render_csv(analysis)
    assert "verify Bearer abcdef123456789" in render_csv(analysis, redact=False)


def test_the_cli_picks_csv_from_the_file_name(tmp_path: Path) -> None:
    out = tmp_path / "hops.csv"
    source = FIXTURES / "demo" / "feature-store-latency" / "worst.json"
    result = CliRunner().invoke(cli, ["analyze", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = rows(out.read_text(encoding="utf-8"))
    assert table[0]["operation"] == "get_online_features"  # the most critical hop first
    assert [int(r["critical_us"]) for r in table] == sorted(
        (int(r["critical_us"]) for r in table), reverse=True)
