"""Renderers: an Analysis in, a string out.  Writing files is the CLI's job.

``RENDERERS`` maps a format name to its renderer; ``EXTENSIONS`` maps an output file's
extension to a format, so ``-o report.json`` needs no ``--format``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracewhy.render.csv_hops import render_csv
from tracewhy.render.json import render_json
from tracewhy.render.text import render_text

if TYPE_CHECKING:
    from tracewhy.analysis.analyze import Analysis


# The reports load jinja2 and the report context (~0.1 s) on first use: most runs print text or
# JSON, and start-up time is what a user waits for on every small trace.
def render_html(analysis: Analysis, **options: Any) -> str:
    from tracewhy.render.html import render_html as html

    return html(analysis, **options)


def render_markdown(analysis: Analysis, **options: Any) -> str:
    from tracewhy.render.markdown import render_markdown as markdown

    return markdown(analysis, **options)


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text, "json": render_json, "html": render_html, "md": render_markdown,
    "csv": render_csv}
EXTENSIONS: dict[str, str] = {".json": "json", ".txt": "text", ".html": "html", ".htm": "html",
                              ".md": "md", ".csv": "csv"}
REPORTS = {"html": render_html, "md": render_markdown}  # these also take the options below


def render(fmt: str, analysis: Analysis, *, command: Sequence[str], generated_at: datetime,
           redact: bool = True) -> str:
    """Render in ``fmt``; reports get the reproduce command, time stamp and redaction flag,
    JSON, CSV and text the redaction flag."""
    report = REPORTS.get(fmt)
    if report is not None:
        return report(analysis, command=command, generated_at=generated_at, redact=redact)
    return RENDERERS.get(fmt, render_text)(analysis, redact=redact)


def format_for(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output and output != "-":
        return EXTENSIONS.get(Path(output).suffix.lower(), "text")
    return "text"
