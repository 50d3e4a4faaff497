"""Confidence intervals and Welch's t-test from sufficient statistics (n, mean, variance), vectorised.

The roll-up never holds individual scores, only per-group counts, sums and sums of squares, so the
tests here work from those, with Student's t distribution computed here in numpy (the regularised
incomplete beta function by its continued fraction): SciPy would do the same but takes ~0.2-1.5 s
to import, longer than the roll-up itself. `tests/reports/test_stats.py` checks every figure
against SciPy to 1e-9.

Welch's test treats each rating as one observation. Ratings of one respondent are correlated, so
p-values lean optimistic for `overall` rows (six ratings per respondent); per-dimension rows hold
one rating per respondent and are exact in that respect. It is the standard choice for two groups
of unequal size and variance, which consecutive cycles are.
"""

import math

import numpy as np

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
        half = t_ppf(0.5 + CONFIDENCE / 2, n - 1) * np.sqrt(variance / n)
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
        p = 2 * t_sf(np.abs(t), dof)
    p = np.where(se == 0, np.where(mean1 == mean2, 1.0, 0.0), p)
    return np.where((n1 >= 2) & (n2 >= 2), p, np.nan)


_TINY = 1e-300
_EPSILON = 1e-16
_MAX_TERMS = 10_000  # the fraction needs ~sqrt(a) terms: enough for a million degrees of freedom
_log_gamma = np.frompyfunc(math.lgamma, 1, 1)


def _beta_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of the regularised incomplete beta function (modified Lentz), vectorised.

    Converges fast for x < (a + 1) / (a + b + 2); callers use the symmetry I_x(a, b) = 1 - I_1-x(b, a)
    otherwise. Each step works on the elements not converged yet only (a few need many more terms
    than the rest); an element's arithmetic is the same whatever the others do.
    """

    def floor(value):
        return np.where(np.abs(value) < _TINY, _TINY, value)

    shape = np.shape(x)
    a, b, x = (np.broadcast_to(v, shape).ravel() for v in (a, b, x))
    d = 1 / floor(1 - (a + b) * x / (a + 1))
    h = d.copy()
    rows, c, part = np.arange(x.size), np.ones_like(x), h.copy()
    for m in range(1, _MAX_TERMS):
        step = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m))
        d = 1 / floor(1 + step * d)
        c = floor(1 + step / c)
        part = part * d * c
        step = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m))
        d = 1 / floor(1 + step * d)
        c = floor(1 + step / c)
        change = d * c
        part = part * change
        done = np.abs(change - 1) < _EPSILON
        if done.any():
            h[rows[done]] = part[done]
            going = ~done
            rows, a, b, x, c, d, part = (v[going] for v in (rows, a, b, x, c, d, part))
            if not rows.size:
                break
    h[rows] = part  # any element still short of convergence after _MAX_TERMS terms
    return h.reshape(shape)


def _log_gamma_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ln Γ(a + b) - ln Γ(a) for a >= b > 0, without the cancellation of two large log-gammas.

    Above a = 10, Stirling's series: the difference of its leading terms is written with log1p, and
    the remainders 1/(12z) - 1/(360z^3) + ... are small, so the result keeps full relative precision
    for the million degrees of freedom of a large company.
    """
    small = a < 10
    exact = (_log_gamma(np.where(small, a + b, 1.0)) - _log_gamma(np.where(small, a, 1.0))).astype("float64")
    big_a = np.where(small, 10.0, a)

    def remainder(z):
        inverse = 1 / (z * z)
        return (1 / 12 - inverse * (1 / 360 - inverse * (1 / 1260 - inverse / 1680))) / z

    stirling = (big_a - 0.5) * np.log1p(b / big_a) + b * np.log(big_a + b) - b + remainder(big_a + b) - remainder(big_a)
    return np.where(small, exact, stirling)


def _incomplete_beta(a: np.ndarray, b: np.ndarray, x: np.ndarray, one_minus_x: np.ndarray) -> np.ndarray:
    """Regularised incomplete beta I_x(a, b) for finite a, b > 0 and 0 <= x <= 1 (1 - x given exactly)."""
    larger, smaller = np.maximum(a, b), np.minimum(a, b)
    with np.errstate(divide="ignore"):
        log_front = (
            _log_gamma_ratio(larger, smaller)
            - _log_gamma(smaller).astype("float64")
            + a * np.log(x)
            + b * np.log(one_minus_x)
        )
    front = np.exp(log_front)
    direct = x < (a + 1) / (a + b + 2)
    # The fraction converges on the side of the mean nearer 0: evaluate it there, swapping a and b.
    first, second = np.where(direct, a, b), np.where(direct, b, a)
    part = front * _beta_fraction(first, second, np.where(direct, x, one_minus_x)) / first
    return np.where(direct, part, 1 - part)


def t_sf(t, dof) -> np.ndarray:
    """Survival function P(T > t) of Student's t with `dof` (> 0, not necessarily whole) degrees of freedom.

    NaN in, NaN out; t = +inf gives 0.
    """
    t, dof = np.broadcast_arrays(np.asarray(t, dtype="float64"), np.asarray(dof, dtype="float64"))
    result = np.full(t.shape, np.nan)
    ok = np.isfinite(dof) & (dof > 0) & ~np.isnan(t)
    if ok.any():
        tt, nu = t[ok], dof[ok]
        square = np.where(np.isinf(tt), np.inf, tt * tt)
        with np.errstate(invalid="ignore"):
            x = np.where(np.isinf(square), 0.0, nu / (nu + square))
            one_minus_x = np.where(np.isinf(square), 1.0, square / (nu + square))
        tail = 0.5 * _incomplete_beta(nu / 2, np.full_like(nu, 0.5), x, one_minus_x)
        result[ok] = np.where(tt > 0, tail, 1 - tail)
    return result


def _t_pdf(t: np.ndarray, dof: np.ndarray) -> np.ndarray:
    log_norm = _log_gamma_ratio(dof / 2, np.full_like(dof, 0.5)) - 0.5 * np.log(dof * np.pi)
    return np.exp(log_norm - (dof + 1) / 2 * np.log1p(t * t / dof))


def t_ppf(p: float, dof) -> np.ndarray:
    """Quantile of Student's t for probability 0.5 < p < 1 and `dof` whole degrees of freedom; NaN where dof < 1.

    One and two degrees of freedom have closed forms; above, Newton's method on t_sf from the
    Cornish-Fisher expansion converges from below (the tail is convex) in a few steps. Computed once
    per distinct dof: a roll-up has few.
    """
    dof = np.asarray(dof, dtype="float64")
    result = np.full(dof.shape, np.nan)
    valid = np.isfinite(dof) & (dof >= 1)
    if not valid.any():
        return result
    nu, where = np.unique(dof[valid], return_inverse=True)
    z = math.sqrt(2) * _erfinv(2 * p - 1)
    # Cornish-Fisher (Abramowitz & Stegun 26.7.5): exact to double precision from ~1,000 dof.
    t = (
        z
        + (z**3 + z) / 4 / nu
        + (5 * z**5 + 16 * z**3 + 3 * z) / 96 / nu**2
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384 / nu**3
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160 / nu**4
    )
    refine = nu < 1000
    for _ in range(50):
        if not refine.any():
            break
        step = (t_sf(t[refine], nu[refine]) - (1 - p)) / _t_pdf(t[refine], nu[refine])
        t[refine] += step
        refine[refine] = np.abs(step) > 1e-13 * np.abs(t[refine])
    t = np.where(nu == 1, math.tan(math.pi * (p - 0.5)), t)
    t = np.where(nu == 2, (2 * p - 1) / math.sqrt(2 * p * (1 - p)), t)
    result[valid] = t[where.reshape(-1)]
    return result


def _erfinv(y: float) -> float:
    """Inverse error function of a scalar, by Newton's method on math.erf (only the start of t_ppf's search)."""
    x = 0.0
    for _ in range(100):
        step = (math.erf(x) - y) / (2 / math.sqrt(math.pi) * math.exp(-x * x))
        x -= step
        if abs(step) < 1e-15:
            break
    return x
