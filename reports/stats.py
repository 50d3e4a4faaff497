"""Confidence intervals and Welch's t-test from sufficient statistics (n, mean, variance), vectorised.

The roll-up never holds individual scores, only per-group counts, sums and sums of squares, so the
tests here work from those: scipy's t distribution, no raw samples.

Welch's test treats each rating as one observation. Ratings of one respondent are correlated, so
p-values lean optimistic for `overall` rows (six ratings per respondent); per-dimension rows hold
one rating per respondent and are exact in that respect. It is the standard choice for two groups
of unequal size and variance, which consecutive cycles are.
"""

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05


def sample_variance(n: np.ndarray, total: np.ndarray, total_sq: np.ndarray) -> np.ndarray:
    """Unbiased variance from count, sum and sum of squares; NaN where n < 2."""
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = (np.asarray(total_sq, dtype="float64") - np.asarray(total, dtype="float64") ** 2 / n) / (n - 1)
    # Sums of small integers are exact in float64; clip only rounding noise below zero.
    return np.where(n >= 2, np.clip(variance, 0.0, None), np.nan)


def mean_ci(n: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95 % Student-t confidence interval of each mean; NaN where n < 2."""
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * np.sqrt(variance / n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def welch_p_value(n1, mean1, var1, n2, mean2, var2) -> np.ndarray:
    """Two-sided p-value of Welch's t-test; NaN where either side has fewer than two ratings.

    Two samples without any spread (every score equal on both sides) give p = 0 when the means
    differ (the difference is certain) and p = 1 when they are equal.
    """
    n1, n2 = np.asarray(n1, dtype="float64"), np.asarray(n2, dtype="float64")
    mean1, mean2 = np.asarray(mean1, dtype="float64"), np.asarray(mean2, dtype="float64")
    se1, se2 = np.asarray(var1, dtype="float64") / n1, np.asarray(var2, dtype="float64") / n2
    se = se1 + se2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (mean1 - mean2) / np.sqrt(se)
        dof = se**2 / (se1**2 / (n1 - 1) + se2**2 / (n2 - 1))
        p = 2 * stats.t.sf(np.abs(t), dof)
    p = np.where(se == 0, np.where(mean1 == mean2, 1.0, 0.0), p)
    return np.where((n1 >= 2) & (n2 >= 2), p, np.nan)
