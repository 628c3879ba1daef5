"""Trace text on its way into the report context: redacted, cleaned, shortened; span links.

Every string the context builders take from a trace or from the root-cause engine goes through
:meth:`Texts.text` or :meth:`Texts.attr`, so no section can show an unredacted value.
"""

from __future__ import annotations

import re

from tracewhy.render.context_types import SpanRef
from tracewhy.render.redact import Redactor
from tracewhy.render.safe_text import clean

LAYERS = ("api", "mesh", "inference", "feature_store", "database", "cache", "messaging",
          "external", "service", "unknown")
_CSS_SAFE = re.compile(r"[^a-z0-9_-]")


class Texts:
    """Redaction plus display rules, and links from span ids to their details."""

    def __init__(self, redactor: Redactor, position: dict[str, int]) -> None:
        self.redactor = redactor
        self.position = position  # span id -> span index
        self.detailed: set[int] = set()  # span indexes listed in full

    def text(self, value: object, max_len: int = 300) -> str:
        return clean(self.redactor.text(_str(value)), max_len)

    def attr(self, key: str, value: object, max_len: int = 500) -> str:
        return clean(self.redactor.attribute(key, value), max_len)

    def ref(self, span_id: object) -> SpanRef:
        sid = _str(span_id)
        index = self.position.get(sid)
        return SpanRef(clean(sid, 80), anchor(index) if index in self.detailed else "")

    def refs(self, span_ids: object, limit: int = 20) -> list[SpanRef]:
        if not isinstance(span_ids, list | tuple):
            return []
        return [self.ref(sid) for sid in span_ids[:limit]]

    def index_anchor(self, index: int) -> str:
        return anchor(index) if index in self.detailed else ""


def anchor(index: int | None) -> str:
    return "" if index is None else f"span-{index}"


def css_layer(layer: object) -> str:
    """A layer name usable as a CSS class: one of LAYERS, else ``unknown``."""
    name = _CSS_SAFE.sub("", _str(layer).lower())
    return name if name in LAYERS else "unknown"


def shorten(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[:max(max_chars - 1, 1)] + "…"


def _str(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def plural(count: int, noun: str) -> str:
    """``1 span``, ``2 spans``, ``12,345 spans``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
