"""The HTML report: one self-contained file rendered from ``templates/report.html``.

The jinja Environment is built once: autoescape forced on for every template (not
``select_autoescape``, which keys off file names), ``StrictUndefined``, sorted-keys ``tojson``,
and ``include_file`` to inline CSS/JS verbatim (not templated).  The page's Content-Security-
Policy allows exactly one script, ours, by its SHA-256, and nothing from the network.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from tracewhy import __version__
from tracewhy.render.context import ReportContext, build_report_context

if TYPE_CHECKING:
    from tracewhy.analysis.analyze import Analysis

SCRIPT = "report.js"
STYLE = "report.css"


def templates_dir() -> Path:
    """The templates: packaged in the wheel (tracewhy/templates), else the source tree's."""
    packaged = Path(str(resources.files("tracewhy"))) / "templates"
    if (packaged / "report.html").is_file():
        return packaged
    source_tree = Path(__file__).resolve().parents[3] / "templates"
    if (source_tree / "report.html").is_file():
        return source_tree
    raise FileNotFoundError(f"report templates not found in {packaged} nor {source_tree}")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    folder = templates_dir()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": True}
    env.globals["include_file"] = include_file
    env.globals["csp"] = content_security_policy()
    return env


@lru_cache(maxsize=8)
def include_file(name: str) -> Markup:
    """A file of ours from templates/, inlined as-is (never trace data)."""
    if name not in (SCRIPT, STYLE):
        raise ValueError(f"include_file: {name!r} is not an inlinable asset")
    return Markup((templates_dir() / name).read_text(encoding="utf-8"))


def content_security_policy() -> str:
    digest = hashlib.sha256(str(include_file(SCRIPT)).encode("utf-8")).digest()
    script_hash = base64.b64encode(digest).decode("ascii")
    return ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'")


def render_context(context: ReportContext) -> str:
    return environment().get_template("report.html").render(ctx=context)


def render_html(analysis: Analysis, *, command: Sequence[str] = ("tracewhy",),
                generated_at: datetime | str | None = None, redact: bool = True,
                version: str = __version__) -> str:
    context = build_report_context(analysis, command=command,
                                   generated_at=generated_at or datetime.now(UTC),
                                   redact=redact, version=version)
    return render_context(context)


__all__ = ["content_security_policy", "environment", "render_context",
           "render_html", "templates_dir"]
