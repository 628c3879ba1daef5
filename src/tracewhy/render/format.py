"""Human formatting of numbers shared by the text, Markdown and HTML renderers."""

from __future__ import annotations

# From this many seconds on, durations read in the unit: (at least, unit in seconds, name).
_LONG = ((2 * 86_400, 86_400, "d"), (6_000, 3_600, "h"), (999.5, 60, "min"))


def duration(us: int | float) -> str:
    """``1.23 s``, ``45.6 ms``, ``789 µs``: three significant digits, never scientific; from
    1000 s on in minutes, hours or days (``16.7 min``, ``30.5 h``, ``11.6 d``)."""
    value = float(us)
    sign = "-" if value < 0 else ""
    value = abs(value)
    seconds = value / 1_000_000
    for at_least, unit_s, unit in _LONG:
        if seconds >= at_least:
            return f"{sign}{_three(seconds / unit_s)} {unit}"
    if value >= 999_500:  # what rounds to 1000 ms reads as 1.00 s
        return f"{sign}{_three(seconds)} s"
    if value >= 999.5:
        return f"{sign}{_three(value / 1_000)} ms"
    return f"{sign}{value:.0f} µs"


def _three(value: float) -> str:
    """Three significant digits, judged after rounding (99.97 reads as 100, not 100.0)."""
    if value >= 99.95:
        return f"{value:.0f}"
    if value >= 9.995:
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


def share(part: int, whole: int) -> float:
    """``part`` as a fraction of ``whole``, to 6 places (0 for nothing), as the outputs carry it."""
    return round(part / whole, 6) if whole else 0.0
