"""The roll-up's t distribution (computed in numpy, without SciPy at run time) gives SciPy's figures."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from reports import stats


def test_t_survival_matches_scipy_to_1e9_from_one_to_a_million_degrees_of_freedom():
    rng = np.random.default_rng(7)
    t = np.concatenate([rng.normal(0, 3, 3000), rng.exponential(20, 1000), [0, 1e-9, -5, 40, np.inf, -np.inf]])
    dof = np.concatenate([rng.uniform(0.5, 40, 2000), rng.uniform(40, 1e6, 1500), rng.integers(1, 100, 506)])
    ours, theirs = stats.t_sf(t, dof), scipy_stats.t.sf(t, dof)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-300)


def test_t_survival_is_nan_where_scipy_gives_nan():
    assert np.isnan(stats.t_sf([np.nan, 1.0, 1.0], [3.0, np.nan, 0.0])).all()


@pytest.mark.parametrize("p", [0.975, 0.95, 0.995])
def test_t_quantile_matches_scipy_for_every_sample_size_a_rollup_meets(p):
    dof = np.concatenate([[np.nan, 0.0], np.arange(1, 2000), [5000, 20_000, 10**6]]).astype("float64")
    ours, theirs = stats.t_ppf(p, dof), scipy_stats.t.ppf(p, dof)
    assert np.isnan(ours[:2]).all()
    np.testing.assert_allclose(ours[2:], theirs[2:], rtol=1e-12)


def test_welch_p_value_and_mean_ci_match_scipy_from_sufficient_statistics():
    rng = np.random.default_rng(3)
    now, before = rng.integers(1, 6, 40), rng.integers(1, 6, 9)
    p = stats.welch_p_value(len(now), now.mean(), now.var(ddof=1), len(before), before.mean(), before.var(ddof=1))
    expected = scipy_stats.ttest_ind(now, before, equal_var=False).pvalue
    assert p == pytest.approx(expected, rel=1e-9)
    low, high = stats.mean_ci(np.array([40]), np.array([now.mean()]), np.array([now.var(ddof=1)]))
    scipy_low, scipy_high = scipy_stats.t.interval(0.95, 39, loc=now.mean(), scale=scipy_stats.sem(now))
    assert (low[0], high[0]) == (pytest.approx(scipy_low, rel=1e-12), pytest.approx(scipy_high, rel=1e-12))
