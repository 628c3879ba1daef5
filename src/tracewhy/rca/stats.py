"""Small, dependable statistics for comparing one value or two samples.

Formulas from ALGORITHMS.md §4: percentile rank with ties counted half, the modified z-score
0.6745 (x - median) / MAD (Iglewicz & Hoaglin) with a floor when MAD is 0, Fisher's exact test
for a 2x2 table, and Benjamini-Hochberg for many tests at once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from math import exp, lgamma

Z_THRESHOLD = 3.5
PERCENTILE_THRESHOLD = 0.99


@dataclass(frozen=True)
class Reference:
    """A baseline sample prepared once, so scoring many values against it is cheap."""

    ordered: list[float]
    median: float
    scale: float  # the MAD, or its fallback; robust z = 0.6745 (x - median) / scale

    @classmethod
    def of(cls, sample: list[float]) -> Reference:
        ordered = sorted(sample)
        mid = quantile(ordered, 0.5)
        deviations = sorted(abs(b - mid) for b in ordered)
        mad = quantile(deviations, 0.5)
        if mad == 0 and deviations:  # identical values: fall back to the mean abs. deviation
            mad = 0.6745 * 1.253314 * sum(deviations) / len(deviations)  # sigma -> MAD
        return cls(ordered, mid, max(mad, abs(mid) * 0.01, 1.0))

    def percentile_rank(self, value: float) -> float:
        if not self.ordered:
            return 0.0
        below = bisect_left(self.ordered, value)
        equal = bisect_right(self.ordered, value) - below
        return (below + 0.5 * equal) / len(self.ordered)

    def robust_z(self, value: float) -> float:
        return 0.6745 * (value - self.median) / self.scale if self.ordered else 0.0

    def quantile(self, q: float) -> float:
        return quantile(self.ordered, q)


def percentile_rank(value: float, sample: list[float]) -> float:
    return Reference.of(sample).percentile_rank(value)


def robust_z(value: float, sample: list[float]) -> float:
    return Reference.of(sample).robust_z(value)


def quantile(sample: list[float], q: float) -> float:
    ordered = sample if all(a <= b for a, b in zip(sample, sample[1:], strict=False)) \
        else sorted(sample)
    if not ordered:
        return 0.0
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of the 2x2 table [[a, b], [c, d]]."""
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2

    def log_p(x: int) -> float:
        return (_log_comb(row1, x) + _log_comb(row2, col1 - x) - _log_comb(n, col1))

    observed = log_p(a)
    low, high = max(0, col1 - row2), min(row1, col1)
    total = sum(exp(log_p(x)) for x in range(low, high + 1) if log_p(x) <= observed + 1e-9)
    return min(1.0, total)


def _log_comb(n: int, k: int) -> float:
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Adjusted p-values (q-values), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted
