"""Deadlines on a monotonic clock, and urllib3 retries that respect them.

urllib3's ``Retry`` sleeps for whatever ``Retry-After`` says (capped only at six hours) and knows
nothing of our deadlines.  ``BoundedRetry`` keeps its backoff and status handling but refuses to
sleep past the cap or the deadline: it raises :class:`RetryStopped` instead, which the client
turns into "try again later" or "unavailable".
"""

from __future__ import annotations

import time
from typing import Any

from urllib3.exceptions import InvalidHeader
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class Deadline:
    """A point in time on the monotonic clock; ``None`` seconds means no deadline."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        return float("inf") if self._at is None else self._at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def sooner(self, other: Deadline) -> Deadline:
        return self if self.remaining() <= other.remaining() else other


class RetryStopped(Exception):
    """A retry would have to wait longer than allowed."""

    def __init__(self, wait: float, status: int | None, retry_after: bool, reason: str) -> None:
        super().__init__(reason)
        self.wait = wait
        self.status = status
        self.retry_after = retry_after  # the wait was the server's Retry-After
        self.reason = reason  # "cap" or "deadline"


class BoundedRetry(Retry):
    def __init__(self, *args: Any, deadline: Deadline | None = None,
                 retry_after_cap: float = 60.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline or Deadline(None)
        self.retry_after_cap = retry_after_cap

    def new(self, **kwargs: Any) -> BoundedRetry:
        fresh = super().new(**kwargs)
        fresh.deadline, fresh.retry_after_cap = self.deadline, self.retry_after_cap
        return fresh

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        retry_after = self._retry_after(response)
        wait = retry_after if retry_after is not None else self.get_backoff_time()
        status = response.status if response is not None else None
        if retry_after is not None and wait > self.retry_after_cap:
            raise RetryStopped(wait, status, True, "cap")
        if wait >= self.deadline.remaining():
            raise RetryStopped(wait, status, retry_after is not None, "deadline")
        if wait > 0:
            time.sleep(wait)

    def _retry_after(self, response: BaseHTTPResponse | None) -> float | None:
        """The server's Retry-After in seconds; None when absent or unreadable (then back off)."""
        if response is None or not self.respect_retry_after_header:
            return None
        header = response.headers.get("Retry-After")
        if header is None:
            return None
        try:
            return self.parse_retry_after(header)
        except (InvalidHeader, OverflowError, ValueError):
            return None

    @property
    def retries_done(self) -> int:
        return len(self.history)


def make_retry(retries: int, deadline: Deadline, retry_after_cap: float) -> BoundedRetry:
    """Retry connection failures and 429/502/503/504 on GETs, with exponential backoff."""
    return BoundedRetry(
        # A refused connection rarely heals within seconds: two quick retries, not four slow ones.
        total=retries, connect=min(retries, 2), read=min(retries, 1), status=retries, other=0,
        redirect=0,
        backoff_factor=0.5, backoff_jitter=0.3, backoff_max=10.0,
        status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
        retry_after_max=10**12,  # our own cap applies in sleep(); never clamp silently
        deadline=deadline, retry_after_cap=retry_after_cap)
