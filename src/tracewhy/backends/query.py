"""What a trace search asks for, in our units (microseconds), whatever the backend."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tracewhy.errors import ConfigError

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
    seconds, micros = divmod(time_us, 1_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{micros:06d}Z"
