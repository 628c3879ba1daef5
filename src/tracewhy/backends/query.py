"""What a trace search asks for, in our units (microseconds), whatever the backend."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tracewhy.errors import ConfigError
from tracewhy.units import DATE_RANGE_US, utc_datetime

if TYPE_CHECKING:
    from tracewhy.backends.http import Response


@dataclass(frozen=True)
class SearchQuery:
    service: str
    start_us: int  # window start, µs since the epoch
    end_us: int  # window end
    operation: str | None = None
    min_duration_us: int | None = None  # some span of the service lasted at least this long
    max_duration_us: int | None = None
    errors_only: bool = False
    limit: int = 20

    def __post_init__(self) -> None:
        if not self.service:
            raise ConfigError("search needs a service name (--service)")
        if self.end_us <= self.start_us:
            raise ConfigError("search window: the end must be after the start")
        if self.limit < 1:
            raise ConfigError("--limit must be at least 1")
        if (self.min_duration_us is not None and self.max_duration_us is not None
                and self.max_duration_us < self.min_duration_us):
            raise ConfigError("--max-duration is below --min-duration")

    def describe(self) -> dict[str, Any]:
        """The query as recorded with results, so a run can be reproduced."""
        out = asdict(self)
        out["start"] = rfc3339(self.start_us)
        out["end"] = rfc3339(self.end_us)
        return out


@dataclass(frozen=True)
class SearchAnswer:
    """What a backend answered to a search, before it is read."""

    response: Response | None  # None: nothing matched
    notes: list[str] = field(default_factory=list)
    asked: int | None = None  # traces asked for, when the backend may not keep the newest


def rfc3339(time_us: int) -> str:
    """The time as RFC 3339 in UTC; a time beyond the calendar (a window reaching back past
    year 1, a backend's corrupt value) is clipped to its end."""
    moment = utc_datetime(min(max(time_us, DATE_RANGE_US[0]), DATE_RANGE_US[1]))
    assert moment is not None
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S.%f}Z"
