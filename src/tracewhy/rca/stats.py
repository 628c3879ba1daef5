"""Small, dependable statistics for comparing one value or two samples.

Formulas from ALGORITHMS.md §4: percentile rank with ties counted half, the modified z-score
0.6745 (x - median) / MAD (Iglewicz & Hoaglin) with a floor when MAD is 0, Fisher's exact test
for a 2x2 table, and Benjamini-Hochberg for many tests at once.
"""

from __future__ import annotations

from math import exp, lgamma
from statistics import median

Z_THRESHOLD = 3.5
PERCENTILE_THRESHOLD = 0.99


def percentile_rank(value: float, sample: list[float]) -> float:
    if not sample:
        return 0.0
    below = sum(1 for b in sample if b < value)
    equal = sum(1 for b in sample if b == value)
    return (below + 0.5 * equal) / len(sample)


def robust_z(value: float, sample: list[float]) -> float:
    if not sample:
        return 0.0
    mid = median(sample)
    deviations = [abs(b - mid) for b in sample]
    mad = median(deviations)
    if mad == 0:  # identical baseline values: fall back to the mean absolute deviation
        mad = 1.253314 * sum(deviations) / len(deviations) / 0.6745
    scale = max(mad, abs(mid) * 0.01, 1.0)
    return 0.6745 * (value - mid) / scale


def quantile(sample: list[float], q: float) -> float:
    ordered = sorted(sample)
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
