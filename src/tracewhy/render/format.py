"""Human formatting of numbers shared by the text, Markdown and HTML renderers."""

from __future__ import annotations


def duration(us: int | float) -> str:
    """``1.23 s``, ``45.6 ms``, ``789 µs``: three significant digits, never scientific."""
    value = float(us)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}{_three(value / 1_000_000)} s"
    if value >= 1_000:
        return f"{sign}{_three(value / 1_000)} ms"
    return f"{sign}{value:.0f} µs"


def _three(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def brief(text: str, limit: int = 100) -> str:
    """The first sentence of a message (an exception's can run to a paragraph), cut at limit."""
    text = " ".join(text.split())
    for stop in (". ", "; "):
        cut = text.find(stop, 20)
        if 0 < cut < limit:
            return text[:cut + 1].rstrip(";")
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
