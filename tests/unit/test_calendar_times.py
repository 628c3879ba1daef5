"""Times shown as dates: any integer a trace or a backend holds is shown or clipped, never an
exception (datetime covers years 1 to 9999 only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracewhy.backends.query import rfc3339
from tracewhy.units import DATE_RANGE_US, utc_datetime

LO, HI = DATE_RANGE_US


def test_the_range_is_exactly_what_datetime_can_show() -> None:
    assert utc_datetime(LO) == datetime(1, 1, 1, tzinfo=UTC)
    assert utc_datetime(HI) == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert utc_datetime(LO - 1) is None and utc_datetime(HI + 1) is None


def test_dates_are_exact_to_the_microsecond() -> None:
    """A float of seconds (fromtimestamp(us / 1e6)) is off by up to a microsecond here."""
    assert utc_datetime(1_767_225_600_999_999) == \
        datetime(2026, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)


@pytest.mark.parametrize(("time_us", "text"), [
    (0, "1970-01-01T00:00:00.000000Z"),
    (-1, "1969-12-31T23:59:59.999999Z"),
    (1_700_000_000_123_456, "2023-11-14T22:13:20.123456Z"),
    (-(10**30), "0001-01-01T00:00:00.000000Z"),  # clipped: a window reaching back past year 1
    (10**30, "9999-12-31T23:59:59.000000Z"),
])
def test_rfc3339_shows_or_clips(time_us: int, text: str) -> None:
    assert rfc3339(time_us) == text
