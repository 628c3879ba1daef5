"""Golden HTML and Markdown reports (coverage.py style).

The report context pins ``generated_at`` and ``version``, so nothing needs scrubbing except the
absolute path of the repository and our inlined CSS/JS (and the script's hash in the CSP).
On a mismatch the actual output is written to ``tests/golden/actual/`` (git-ignored) and the
test fails with the first differing lines.
To accept a change on purpose: ``TRACEWHY_UPDATE_GOLDEN=1 python -m pytest
tests/integration/test_report_golden.py``, then review ``git diff tests/golden``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tests.report_samples import PINNED, full_analysis
from tracewhy.analysis.analyze import Analysis, analyze
from tracewhy.render.html import include_file, render_html
from tracewhy.render.markdown import render_markdown
from tracewhy.sources import load_trace

GOLDEN = REPO / "tests" / "golden"
ACTUAL = GOLDEN / "actual"


def _crisp16() -> Analysis:
    analysis = analyze(load_trace(str(FIXTURES / "crisp-16.json")))
    assert analysis.trace.source is not None
    analysis.trace.source.name = "fixtures/crisp-16.json"  # not the machine's absolute path
    return analysis


CASES: dict[str, Callable[[], Analysis]] = {"full": full_analysis, "crisp-16": _crisp16}
RENDER = {"html": render_html, "md": render_markdown}


def scrub(text: str) -> str:
    """The repository path, and our static assets (tested on their own, see
    test_report_html.py), so a CSS or JS tweak does not rewrite every golden file."""
    text = text.replace(str(REPO), "<repo>")
    text = text.replace(str(include_file("report.css")), "[report.css]")
    text = text.replace(str(include_file("report.js")), "[report.js]")
    return re.sub(r"'sha256-[A-Za-z0-9+/=]+'", "'sha256-[report.js]'", text)


def compare(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("TRACEWHY_UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8") if golden.exists() else ""
    if actual == expected:
        (ACTUAL / name).unlink(missing_ok=True)
        return
    ACTUAL.mkdir(exist_ok=True)
    (ACTUAL / name).write_text(actual, encoding="utf-8")
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), str(golden),
                                str(ACTUAL / name), lineterm="", n=1)
    pytest.fail(f"{name} differs from its golden file:\n" + "\n".join(list(diff)[:40]))


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize("case", sorted(CASES))
def test_report_matches_golden(case: str, fmt: str) -> None:
    compare(f"report-{case}.{fmt}", scrub(RENDER[fmt](CASES[case](), **PINNED)))


def test_a_mismatch_writes_the_actual_output(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.GOLDEN", tmp_path)
    monkeypatch.setattr(f"{__name__}.ACTUAL", tmp_path / "actual")
    monkeypatch.delenv("TRACEWHY_UPDATE_GOLDEN", raising=False)
    (tmp_path / "x.md").write_text("old\n")
    with pytest.raises(pytest.fail.Exception, match="differs from its golden"):
        compare("x.md", "new\n")
    assert (tmp_path / "actual" / "x.md").read_text() == "new\n"
