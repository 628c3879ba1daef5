"""Durations typed by users (``500ms``, ``1.5s``, ``250us``, ``2m``, ``1h``, ``3d``), and times
as calendar dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# The times a calendar date exists for, in µs since the epoch: years 1 to 9999 (Python's
# datetime).  Trace data can hold any integer; outside this range it is no time at all.
DATE_RANGE_US = (-62_135_596_800 * 10**6, 253_402_300_799 * 10**6)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# 2000-01-01 in seconds since the epoch: real traces start after it; smaller times count from
# some other zero (hand-made traces count from 0), and are neither unit-converted nor dated.
YEAR_2000_S = 946_684_800


def utc_datetime(time_us: int) -> datetime | None:
    """The UTC date and time ``time_us`` µs after the epoch; None when no date is that."""
    if not DATE_RANGE_US[0] <= time_us <= DATE_RANGE_US[1]:
        return None
    return _EPOCH + timedelta(microseconds=time_us)

_UNITS_US = {"us": 1, "µs": 1, "ms": 1_000, "s": 1_000_000, "m": 60_000_000,
             "h": 3_600_000_000, "d": 86_400_000_000}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h|d)\s*")


def parse_duration_us(text: str) -> int:
    """Microseconds in a duration string; raises ValueError with the accepted forms."""
    match = _DURATION.fullmatch(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 500ms, 1.5s, 250us, 2m, 1h or 3d")
    return round(float(match.group(1)) * _UNITS_US[match.group(2)])
