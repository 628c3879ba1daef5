"""The statistics behind baseline comparison, checked against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from tracewhy.rca.stats import (
    Reference,
    benjamini_hochberg,
    fisher_exact,
    percentile_rank,
    quantile,
    robust_z,
)


def test_percentile_rank_counts_ties_as_half() -> None:
    sample = [1.0, 2.0, 2.0, 3.0]
    assert percentile_rank(2.0, sample) == pytest.approx((1 + 0.5 * 2) / 4)
    assert percentile_rank(10.0, sample) == 1.0
    assert percentile_rank(0.0, sample) == 0.0


def test_robust_z_is_the_modified_z_score() -> None:
    sample = [10.0, 12.0, 11.0, 13.0, 9.0]  # median 11, |dev| = 1,1,0,2,2 -> MAD 1
    assert robust_z(16.0, sample) == pytest.approx(0.6745 * 5 / 1)


def test_robust_z_falls_back_when_mad_is_zero() -> None:
    sample = [100.0] * 9 + [200.0]  # MAD 0; mean absolute deviation 10
    expected = (130.0 - 100.0) / (1.253314 * 10.0)  # (x - median) / (1.253314 meanAD)
    assert robust_z(130.0, sample) == pytest.approx(expected, rel=1e-6)
    # identical values: the floor (1% of the median) keeps the score finite
    assert robust_z(107.0, [100.0] * 5) == pytest.approx(0.6745 * 7 / 1.0)


def test_quantile_interpolates() -> None:
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([4.0, 1.0, 3.0, 2.0], 0.95) == pytest.approx(3.85)
    assert Reference.of([3.0, 1.0, 2.0]).median == 2.0


def test_fisher_exact_two_sided() -> None:
    # The lady tasting tea: [[3, 1], [1, 3]] has two-sided p = 34/70 ~ 0.4857.
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70)
    assert fisher_exact(10, 0, 0, 10) == pytest.approx(2 / math.comb(20, 10))
    assert fisher_exact(5, 5, 5, 5) == pytest.approx(1.0)


def test_benjamini_hochberg_adjusts_in_input_order() -> None:
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.2])
    # sorted p: .01 .03 .04 .2 -> raw p*m/rank: .04 .06 .0533 .2 -> running min from the top
    assert adjusted == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert all(a >= p for a, p in zip(adjusted, [0.01, 0.04, 0.03, 0.2], strict=True))
