"""Durations typed by users: ``500ms``, ``1.5s``, ``250us``, ``2m``, ``1h``, ``3d``."""

from __future__ import annotations

import re

_UNITS_US = {"us": 1, "µs": 1, "ms": 1_000, "s": 1_000_000, "m": 60_000_000,
             "h": 3_600_000_000, "d": 86_400_000_000}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h|d)\s*")


def parse_duration_us(text: str) -> int:
    """Microseconds in a duration string; raises ValueError with the accepted forms."""
    match = _DURATION.fullmatch(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 500ms, 1.5s, 250us, 2m, 1h or 3d")
    return round(float(match.group(1)) * _UNITS_US[match.group(2)])
