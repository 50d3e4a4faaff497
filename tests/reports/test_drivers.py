"""reports.drivers: Spearman correlations, general dominance weights from the correlation matrix,
the respondent bootstrap, tiers and the groups' rows (pure numpy, no database)."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import drivers
from reports.columns import PACK_BASE
from surveys.dimensions import ALL_DIMENSIONS, MANAGEMENT, OUTCOME, SERVICE_DIMENSIONS, SUPPLIER

P = len(SERVICE_DIMENSIONS)


def embedded(predictors: np.ndarray, with_outcome: np.ndarray) -> np.ndarray:
    """A 7 × 7 correlation matrix: the given predictors first, the others uncorrelated with anything."""
    k = len(with_outcome)
    matrix = np.eye(P + 1)
    matrix[:k, :k] = predictors
    matrix[:k, P] = matrix[P, :k] = with_outcome
    return matrix


def test_dominance_weights_of_a_hand_worked_three_predictor_case():
    # x1, x2 correlated (0.5), x3 orthogonal to both; correlations with y 0.6, 0.5, 0.3. By hand:
    # R²(1) = .36, R²(2) = .25, R²(3) = .09, R²(12) = (.36 + .25 - 2·.6·.5·.5)/(1 - .25) = .41333…,
    # R²(13) = .45, R²(23) = .34, R²(123) = .50333…; then
    # GD1 = (.36 + ((.41333 - .25) + (.45 - .09))/2 + (.50333 - .34))/3 = .26167,
    # GD2 = (.25 + ((.41333 - .36) + (.34 - .09))/2 + (.50333 - .45))/3 = .15167, GD3 = .09.
    # The three other dimensions are uncorrelated with everything: they add nothing, and change
    # nothing of the others' weights (general dominance is the Shapley value of R²).
    correlation = embedded(np.array([[1, 0.5, 0], [0.5, 1, 0], [0, 0, 1]]), np.array([0.6, 0.5, 0.3]))
    weights, r2 = drivers.dominance_weights(correlation[None])
    assert r2[0] == pytest.approx(0.31 / 0.75 + 0.09)
    assert weights[0] == pytest.approx([0.785 / 3, 0.455 / 3, 0.09, 0, 0, 0], abs=1e-12)
    assert weights[0].sum() == pytest.approx(r2[0])
    shares = 100 * weights[0] / r2[0]
    assert [round(s, 1) for s in shares[:3]] == [52.0, 30.1, 17.9]


def _brute_force(scores: np.ndarray) -> tuple[np.ndarray, float]:
    """General dominance by its definition, each subset's R² from a least-squares regression of the
    standardized outcome ranks on the standardized dimension ranks (numpy lstsq)."""
    ranks = drivers.average_ranks(scores)
    std = ranks.std(axis=0)
    z = np.where(std > 0, (ranks - ranks.mean(axis=0)) / np.where(std > 0, std, 1), 0.0)
    y = z[:, P]

    def r2(subset):
        if not subset:
            return 0.0
        x = z[:, list(subset)]
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        residual = y - x @ beta
        return 1.0 - residual @ residual / (y @ y)

    weights = np.zeros(P)
    for j in range(P):
        others = [i for i in range(P) if i != j]
        per_size = []
        for size in range(P):
            gains = [r2((*s, j)) - r2(s) for s in itertools.combinations(others, size)]
            per_size.append(np.mean(gains))
        weights[j] = np.mean(per_size)
    return weights, r2(tuple(range(P)))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 150),
    drive=st.lists(st.floats(-1, 1), min_size=P, max_size=P),
    levels=st.integers(2, 5),
)
def test_dominance_weights_equal_brute_force_regressions_on_the_ranks(seed, n, drive, levels):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, levels + 1, size=(n, P))
    x[:, 1] = np.where(rng.random(n) < 0.5, x[:, 0], x[:, 1])  # correlated dimensions, and ties
    y = np.clip(np.round(3 + (x - 3) @ np.array(drive) + rng.normal(0, 1, n)), 1, 5).astype(int)
    scores = np.column_stack([x, y])
    if len(np.unique(y)) < 2:
        y[0] = 1 if y[0] != 1 else 5
        scores[:, P] = y
    expected_weights, expected_r2 = _brute_force(scores)

    correlation, _ = drivers._correlations(drivers._moments(drivers.average_ranks(scores)).sum(axis=0, keepdims=True))
    weights, r2 = drivers.dominance_weights(correlation)

    assert r2[0] == pytest.approx(expected_r2, abs=1e-7)
    assert weights[0] == pytest.approx(expected_weights, abs=1e-7)


def test_the_correlations_are_spearmans_with_average_ranks():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    scores = rng.integers(1, 6, size=(120, P + 1))
    figures = drivers.group_figures(scores, np.arange(120), np.zeros(120, int), label="t", resamples=10)
    expected = [round(scipy_stats.spearmanr(scores[:, i], scores[:, P]).statistic, 2) for i in range(P)]
    assert figures["correlation"] == expected


def _driven(n: int, seed: int = 3) -> np.ndarray:
    """n observations whose outcome follows ownership and responsiveness."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, P))
    y = np.clip(np.round(0.6 * x[:, 1] + 0.4 * x[:, 2] + rng.normal(0, 0.7, n)), 1, 5).astype(int)
    return np.column_stack([x, y])


@pytest.mark.parametrize(
    ("n", "tier"),
    [(29, "company"), (30, "correlations"), (99, "correlations"), (100, "weights")],
)
def test_tiers_by_observations(n, tier):
    scores = _driven(n)
    figures = drivers.group_figures(scores, np.arange(n), np.zeros(n, int), label="t", resamples=50)
    assert figures["tier"] == tier == drivers.tier(n)
    correlations = figures["correlation"]
    if tier == "company":
        assert correlations == [None] * P
    else:
        assert all(isinstance(c, float) for c in correlations)
    for name in ("importance_pct", "importance_low", "importance_high"):
        if tier == "weights":
            assert all(isinstance(v, float) for v in figures[name])
        else:
            assert figures[name] == [None] * P
    assert (figures["r2"] is not None) == (tier == "weights")


def test_importance_sums_to_100_and_its_interval_holds_it():
    scores = _driven(400)
    figures = drivers.group_figures(scores, np.arange(400), np.zeros(400, int), label="t")
    assert sum(figures["importance_pct"]) == pytest.approx(100, abs=0.35)
    for low, pct, high in zip(
        figures["importance_low"], figures["importance_pct"], figures["importance_high"], strict=True
    ):
        assert 0 <= low <= pct <= high <= 100
    ownership, responsiveness = figures["importance_pct"][1:3]
    assert ownership > responsiveness > max(figures["importance_pct"][3:] + figures["importance_pct"][:1])


def test_the_same_answers_give_the_same_interval_whatever_the_respondent_keys_and_order():
    scores = _driven(300)
    first = drivers.group_figures(scores, np.arange(300), np.zeros(300, int), label="t")
    order = np.random.default_rng(1).permutation(300)
    keys = np.random.default_rng(2).integers(1, 2**62, size=300)
    again = drivers.group_figures(scores[order], keys, np.zeros(300, int), label="t")
    assert again == first
    other = scores.copy()
    other[0, P] = 1 if other[0, P] != 1 else 5
    changed = drivers.group_figures(other, np.arange(300), np.zeros(300, int), label="t")
    assert (changed["importance_low"], changed["importance_high"]) != (
        first["importance_low"],
        first["importance_high"],
    )


def test_the_bootstrap_resamples_respondents_not_answer_sets():
    # 100 people each rating several providers the same way: resampling respondents keeps each
    # person's sets together; the interval is that of 100 people, wider than 400 independent sets'.
    people = _driven(100, seed=9)
    scores = np.repeat(people, 4, axis=0)
    respondents = np.repeat(np.arange(100), 4)
    providers = np.tile(np.arange(4), 100)
    together = drivers.group_figures(scores, respondents, providers, label="t")
    apart = drivers.group_figures(scores, np.arange(400), providers, label="t")
    width = np.subtract(together["importance_high"], together["importance_low"])
    narrower = np.subtract(apart["importance_high"], apart["importance_low"])
    assert together["importance_pct"] == apart["importance_pct"]
    assert (width > narrower).sum() >= 5


@pytest.mark.parametrize("constant", ["all", "outcome", "one"])
def test_constant_groups_get_empty_figures_never_nan(constant):
    scores = _driven(150)
    if constant == "all":
        scores[:, :P] = 3
    elif constant == "outcome":
        scores[:, P] = 4
    else:
        scores[:, 4] = 2
    figures = drivers.group_figures(scores, np.arange(150), np.zeros(150, int), label="t", resamples=100)
    values = [
        v for name in ("correlation", "importance_pct", "importance_low", "importance_high") for v in figures[name]
    ]
    assert not any(isinstance(v, float) and math.isnan(v) for v in [*values, figures["r2"] or 0.0])
    if constant == "all":
        assert figures["correlation"] == [None] * P and figures["importance_pct"] == [None] * P
        assert figures["r2"] == 0.0
    elif constant == "outcome":
        assert figures["correlation"] == [None] * P and figures["r2"] is None
        assert figures["importance_pct"] == [None] * P
    else:
        assert figures["correlation"][4] is None and all(
            c is not None for i, c in enumerate(figures["correlation"]) if i != 4
        )
        assert figures["importance_pct"][4] == 0.0 and sum(figures["importance_pct"]) == pytest.approx(100, abs=0.35)


# ---- The cycle's rows ----


def packed(scores) -> int:
    slugs = [*SERVICE_DIMENSIONS, OUTCOME]
    return sum(int(s) * PACK_BASE ** ALL_DIMENSIONS.index(slug) for slug, s in zip(slugs, scores, strict=True) if s)


def answer_sets(groups):
    """Answer-set rows (rater, provider, respondent, packed) from {(rater, provider): scores n × 7}."""
    rows, key = [], 1000
    for (rater, provider), scores in groups.items():
        for row in scores:
            key += 1
            rows.append((rater, provider, key, packed(row)))
    return rows


def test_observations_need_the_outcome_and_all_six_dimensions():
    complete = [4, 4, 3, 5, 2, 1, 3]
    rows = [(1, 2, 10, packed(complete)), (1, 2, 11, packed([4, 4, 3, 5, 2, 0, 3])), (1, 2, 12, packed([4] * 6 + [0]))]
    observed = drivers.observations(rows)
    assert observed.scores.tolist() == [complete] and observed.respondent.tolist() == [10]
    assert observed.outcome_answers_count == 2


def test_the_cycles_rows_six_per_supplier_department_then_the_companys():
    groups = {(1, 2): _driven(120, 1), (3, 2): _driven(20, 2), (1, 3): _driven(40, 3), (2, 2): _driven(35, 4)}
    rows = drivers.compute(drivers.observations(answer_sets(groups)), supplier_departments={2, 3}, min_group_size=5)
    assert [(r["department"], r["scope"]) for r in rows[::6]] == [
        (2, SUPPLIER),
        (3, SUPPLIER),
        (None, SUPPLIER),
        (None, MANAGEMENT),
    ]
    assert [r["dimension"] for r in rows[:6]] == list(SERVICE_DIMENSIONS)
    by_group = {(r["department"], r["scope"]): r for r in rows}
    assert by_group[2, SUPPLIER]["observations"] == 140 and by_group[2, SUPPLIER]["tier"] == "weights"
    assert by_group[3, SUPPLIER]["observations"] == 40 and by_group[3, SUPPLIER]["tier"] == "correlations"
    assert by_group[None, SUPPLIER]["observations"] == 180
    # The management company rows pool the diagonal links only.
    assert by_group[None, MANAGEMENT]["observations"] == 35 and by_group[None, MANAGEMENT]["tier"] == "correlations"
    floats = [v for r in rows for v in r.values() if isinstance(v, float)]
    assert floats and not any(math.isnan(v) for v in floats)


def test_a_group_below_the_minimum_group_size_shows_nothing_and_the_company_count_gives_none_away():
    groups = {(1, 2): _driven(3, 1), (1, 3): _driven(200, 2), (1, 4): _driven(150, 3), (1, 1): _driven(4, 4)}
    rows = drivers.compute(drivers.observations(answer_sets(groups)), supplier_departments={2, 3, 4}, min_group_size=5)
    by_group = {(r["department"], r["scope"]): r for r in rows if r["dimension"] == "ownership"}
    small = by_group[2, SUPPLIER]
    assert small["observations"] is None and small["tier"] == "company" and small["correlation"] is None
    # Department 2's 3 could be worked out as company − 3 − 4: the smallest shown count is blanked too.
    assert by_group[4, SUPPLIER]["observations"] is None and by_group[4, SUPPLIER]["tier"] == "weights"
    assert by_group[4, SUPPLIER]["importance_pct"] is not None  # only its count is left out
    assert by_group[3, SUPPLIER]["observations"] == 200 and by_group[None, SUPPLIER]["observations"] == 353
    management = by_group[None, MANAGEMENT]
    assert management["observations"] is None and management["tier"] == "company"


def test_moments_computed_a_few_people_at_a_time_give_the_same_figures(monkeypatch):
    """The group's moments are summed a piece of people at a time (memory at 100,000 people); the
    figures, intervals included, do not depend on the pieces, people with several observations
    (one per provider) falling on a piece's edge included."""
    rng = np.random.default_rng(7)
    n = 400
    scores = rng.integers(1, 6, size=(n, 7))
    scores[:, 6] = np.clip(scores[:, 1] + rng.integers(-1, 2, n), 1, 5)  # the outcome follows ownership
    respondent = rng.integers(0, 150, n)  # ~2.7 observations each
    provider = rng.integers(1, 4, n)

    def figures():
        return drivers.group_figures(scores, respondent, provider, label="pieces", resamples=200)

    whole = figures()
    assert whole["tier"] == "weights" and whole["importance_low"][1] is not None
    for piece in (1, 2, 7):
        monkeypatch.setattr(drivers, "_MOMENT_PIECE_PEOPLE", piece)
        assert figures() == whole
