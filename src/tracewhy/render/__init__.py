"""Renderers: an Analysis in, a string out.  Writing files is the CLI's job.

``RENDERERS`` maps a format name to its renderer; ``EXTENSIONS`` maps an output file's
extension to a format, so ``-o report.json`` needs no ``--format``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tracewhy.render.json import render_json
from tracewhy.render.text import render_text

if TYPE_CHECKING:
    from tracewhy.analysis.analyze import Analysis

RENDERERS: dict[str, Callable[[Analysis], str]] = {"text": render_text, "json": render_json}
EXTENSIONS: dict[str, str] = {".json": "json", ".txt": "text"}


def format_for(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output and output != "-":
        return EXTENSIONS.get(Path(output).suffix.lower(), "text")
    return "text"
