"""``tracewhy analyze -o report.html|md``: format from the extension, --format, --no-redact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from tracewhy.cli import cli

CRISP16 = str(FIXTURES / "crisp-16.json")


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["analyze", CRISP16, *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("name", "marker"), [("report.html", "<!DOCTYPE html>"),
                                              ("report.htm", "<!DOCTYPE html>"),
                                              ("report.md", "# tracewhy report: ")])
def test_format_follows_the_extension(tmp_path: Path, name: str, marker: str) -> None:
    out = tmp_path / name
    _run("-o", str(out))
    assert out.read_text(encoding="utf-8").startswith(marker)


@pytest.mark.parametrize(("fmt", "marker"), [("html", "<!DOCTYPE html>"),
                                             ("md", "# tracewhy report: ")])
def test_format_option_to_stdout(fmt: str, marker: str) -> None:
    assert _run("--format", fmt).startswith(marker)


def test_report_is_stamped_in_utc_and_redacted_by_default(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("-o", str(out))
    html = out.read_text(encoding="utf-8")
    summary = json.loads(re.search(r'id="tracewhy-summary">(.*?)</script>', html, re.S)[1])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", summary["generated_at"])
    assert summary["redacted"] is True
    assert "Secrets NOT redacted" not in html


def test_no_redact_is_stated_in_the_header(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("-o", str(out), "--no-redact")
    html = out.read_text(encoding="utf-8")
    assert "Secrets NOT redacted" in html
    assert '"redacted": false' in html


def test_existing_report_is_not_replaced_without_force(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("keep")
    result = CliRunner().invoke(cli, ["analyze", CRISP16, "-o", str(out)])
    assert result.exit_code == 73 and out.read_text() == "keep"
