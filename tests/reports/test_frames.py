"""Hand-computed cases for every definition of the roll-up, on the pure-pandas layer."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from reports import frames
from reports.columns import PACK_BASE
from surveys.dimensions import ALL_DIMENSIONS, ROW_DIMENSIONS, SERVICE_DIMENSIONS
from tests.reports import tables
from tests.reports.builders import aggregate, company_respondents

SALES, IT, HR, OPS = 1, 2, 3, 4


def run(answers, *, min_group_size=1, previous=None):
    cells, respondents = aggregate(answers)
    return tables.rollup(cells, respondents, min_group_size=min_group_size, previous=previous)


def row(frame, **keys):
    selected = frame
    for key, value in keys.items():
        selected = selected[selected[key] == value]
    assert len(selected) == 1, keys
    return selected.iloc[0]


def survey(respondent, rater, provider, score, expectation=None, dimensions=SERVICE_DIMENSIONS):
    rows = [(respondent, rater, provider, slug, score) for slug in dimensions]
    if expectation is not None:
        rows.append((respondent, rater, provider, "expectation", expectation))
    return rows


def test_department_pools_its_raters_and_counts_distinct_respondents_per_dimension_and_overall():
    answers = [
        (1, SALES, IT, "willingness", 5),
        (2, SALES, IT, "willingness", 4),
        (3, SALES, IT, "willingness", 3),
        (4, HR, IT, "willingness", 2),
        (5, HR, IT, "willingness", 1),
        # Respondent 1 also rates ownership: still one respondent overall.
        (1, SALES, IT, "ownership", 4),
    ]
    result = run(answers)
    willingness = row(result.departments, department=IT, scope="supplier", dimension="willingness")
    assert (willingness["respondents"], willingness["ratings"]) == (5, 5)
    assert willingness["mean"] == 3.0
    assert willingness["favorable_pct"] == 40.0
    ownership = row(result.departments, department=IT, scope="supplier", dimension="ownership")
    assert (ownership["respondents"], ownership["ratings"], ownership["mean"]) == (1, 1, 4.0)
    overall = row(result.departments, department=IT, scope="supplier", dimension="overall")
    assert (overall["respondents"], overall["ratings"]) == (5, 6)
    assert overall["mean"] == pytest.approx(19 / 6)
    assert overall["favorable_pct"] == pytest.approx(100 * 3 / 6)


def test_group_of_exactly_the_minimum_size_is_shown_and_one_below_is_suppressed_without_numbers():
    answers = [row for respondent in range(1, 6) for row in survey(respondent, SALES, IT, 4)]
    shown = run(answers, min_group_size=5)
    at_threshold = row(shown.departments, department=IT, dimension="overall")
    assert not at_threshold["suppressed"] and at_threshold["respondents"] == 5 and at_threshold["mean"] == 4.0

    hidden = run(answers, min_group_size=6)
    for frame in (hidden.departments, hidden.links):
        assert frame["suppressed"].all()
        for column in ("respondents", "ratings", "mean", "favorable_pct", "ci_low", "ci_high", "gap", "rank"):
            assert frame[column].isna().all(), column
    assert hidden.summary["weakest_department_id"] is None


def test_suppression_counts_respondents_not_ratings():
    # Two people rating all six dimensions give 12 ratings but are a group of two.
    answers = survey(1, SALES, IT, 5) + survey(2, SALES, IT, 5)
    overall = row(run(answers, min_group_size=3).departments, department=IT, dimension="overall")
    assert overall["suppressed"]


def test_rank_ties_share_the_smaller_rank_and_suppressed_departments_take_no_rank():
    answers = (
        survey(1, SALES, IT, 4)
        + survey(2, SALES, IT, 4)
        + survey(3, SALES, HR, 4)
        + survey(4, SALES, HR, 4)
        + survey(5, SALES, OPS, 3)
        + survey(6, HR, OPS, 3)
        # A one-person group with the worst score: suppressed, so it is neither ranked nor weakest.
        + survey(7, IT, SALES, 1)
    )
    result = run(answers, min_group_size=2)
    ranks = {
        department: row(result.departments, department=department, scope="supplier", dimension="overall")["rank"]
        for department in (IT, HR, OPS)
    }
    assert ranks == {IT: 1, HR: 1, OPS: 3}
    assert pd.isna(row(result.departments, department=SALES, dimension="overall")["rank"])
    assert result.summary["weakest_department_id"] == OPS
    assert result.summary["weakest_department_mean"] == 3.0


def test_expectation_mean_and_gap_are_per_department_and_scope_and_never_count_as_ratings():
    answers = survey(1, SALES, IT, 4, expectation=5) + survey(2, HR, IT, 3, expectation=4)
    result = run(answers)
    for dimension in ROW_DIMENSIONS:
        figures = row(result.departments, department=IT, dimension=dimension)
        assert figures["expectation_mean"] == 4.5
        assert figures["mean"] == 3.5
        assert figures["gap"] == pytest.approx(-1.0)
    assert row(result.departments, department=IT, dimension="overall")["ratings"] == 12
    # No page or file shows a link's expectation (the links export has no such column): a link
    # keeps none, so nothing unchecked is stored.
    link = row(result.links, rater=SALES, provider=IT, dimension="overall")
    assert math.isnan(link["expectation_mean"]) and math.isnan(link["gap"])


def test_expectation_is_a_group_of_its_own_hidden_below_the_minimum_of_expectation_raters():
    # Six people rate IT, one of them gives an expectation answer: the scorecard shows the six
    # people's figures and no expectation mean or gap (it would be that one person's answer).
    answers = survey(1, SALES, IT, 4, expectation=2)
    answers += [a for r in range(2, 7) for a in survey(r, SALES if r < 4 else HR, IT, 3)]
    result = run(answers, min_group_size=5)
    for dimension in ROW_DIMENSIONS:
        figures = row(result.departments, department=IT, scope="supplier", dimension=dimension)
        assert not figures["suppressed"] and figures["respondents"] == 6
        assert math.isnan(figures["expectation_mean"]) and math.isnan(figures["gap"])
    assert math.isnan(row(result.company, scope="supplier", dimension="overall")["expectation_mean"])
    # Five of the six give one: shown (mean of the five), the gap against the six people's mean.
    answers = [
        a for r in range(1, 7) for a in survey(r, SALES if r < 4 else HR, IT, 3, expectation=4 if r < 6 else None)
    ]
    figures = row(run(answers, min_group_size=5).departments, department=IT, scope="supplier", dimension="overall")
    assert (figures["expectation_mean"], figures["gap"]) == (4.0, -1.0)


def test_expectation_groups_are_hidden_one_by_one_and_the_company_line_shows_none():
    # IT gets 5 expectation answers, HR 2: IT's mean shows, HR's does not. No page shows a company
    # expectation mean, so the company line keeps none: a company figure (7 people) beside IT's
    # would otherwise give HR's two people away, and hiding IT's to keep it would trade a shown
    # figure for one nobody reads.
    answers = [a for r in range(1, 6) for a in survey(r, SALES, IT, 4, expectation=5)]
    answers += [a for r in range(6, 11) for a in survey(r, SALES, HR, 4, expectation=3 if r < 8 else None)]
    result = run(answers, min_group_size=5)
    assert row(result.departments, department=IT, scope="supplier", dimension="overall")["expectation_mean"] == 5.0
    assert math.isnan(row(result.departments, department=HR, scope="supplier", dimension="overall")["expectation_mean"])
    company = row(result.company, scope="supplier", dimension="overall")
    assert not company["suppressed"] and math.isnan(company["expectation_mean"])


def test_missing_expectation_leaves_expectation_and_gap_empty():
    figures = row(run(survey(1, SALES, IT, 4)).departments, department=IT, dimension="overall")
    assert math.isnan(figures["expectation_mean"]) and math.isnan(figures["gap"])
    assert figures["mean"] == 4.0


def test_provider_with_only_expectation_answers_gets_no_rows():
    result = run([(1, SALES, IT, "expectation", 3), *survey(2, SALES, HR, 4)])
    assert IT not in set(result.departments["department"])
    assert not (result.links["provider"] == IT).any()


def test_diagonal_is_the_management_scope_and_never_the_supplier_scope():
    answers = survey(1, SALES, SALES, 2) + survey(2, SALES, SALES, 4) + survey(3, IT, SALES, 5)
    result = run(answers)
    management = row(result.departments, department=SALES, scope="management", dimension="overall")
    supplier = row(result.departments, department=SALES, scope="supplier", dimension="overall")
    assert (management["respondents"], management["mean"]) == (2, 3.0)
    assert (supplier["respondents"], supplier["mean"]) == (1, 5.0)
    assert row(result.links, rater=SALES, provider=SALES, dimension="overall")["scope"] == "management"
    assert row(result.links, rater=IT, provider=SALES, dimension="overall")["scope"] == "supplier"
    assert result.summary["weakest_management_link_id"] == SALES
    assert result.summary["weakest_management_link_mean"] == 3.0
    assert (result.summary["weakest_supplier_link_rater_id"], result.summary["weakest_supplier_link_provider_id"]) == (
        IT,
        SALES,
    )
    # The company mean is over supplier-scope ratings only: own management is not a supplier.
    assert result.summary["company_mean"] == 5.0


def test_delta_is_against_the_previous_cycle_and_empty_without_one_or_when_either_side_is_suppressed():
    before = run(survey(1, SALES, IT, 3) + survey(2, SALES, IT, 4) + survey(3, SALES, HR, 5), min_group_size=2)
    answers = (
        survey(11, SALES, IT, 4)
        + survey(12, SALES, IT, 4)
        + survey(13, SALES, HR, 4)
        + survey(14, SALES, HR, 4)
        + survey(15, SALES, OPS, 2)
        + survey(16, SALES, OPS, 2)
    )
    now = run(answers, min_group_size=2, previous=before)
    assert row(now.departments, department=IT, dimension="overall")["delta"] == pytest.approx(0.5)
    # HR was a group of one before: suppressed there, so no delta now.
    assert math.isnan(row(now.departments, department=HR, dimension="overall")["delta"])
    # OPS had no ratings in the previous cycle.
    assert math.isnan(row(now.departments, department=OPS, dimension="overall")["delta"])
    assert pd.isna(row(now.departments, department=OPS, dimension="overall")["delta_significant"])
    assert row(now.links, rater=SALES, provider=IT, dimension="willingness")["delta"] == pytest.approx(0.5)
    assert run(answers, min_group_size=2).departments["delta"].isna().all()


def test_confidence_interval_is_the_student_t_interval_of_the_mean():
    answers = [(i, SALES, IT, "willingness", score) for i, score in enumerate([1, 2, 3, 4, 5], start=1)]
    figures = row(run(answers).departments, department=IT, dimension="willingness")
    half = scipy_stats.t.ppf(0.975, 4) * math.sqrt(2.5 / 5)
    assert figures["ci_low"] == pytest.approx(3 - half)
    assert figures["ci_high"] == pytest.approx(3 + half)
    single = row(run(answers[:1]).departments, department=IT, dimension="willingness")
    assert math.isnan(single["ci_low"])


def test_delta_significance_matches_welchs_t_test_on_the_raw_scores():
    before_scores = [3, 3, 4, 2, 3, 3, 4, 3]
    now_scores = [4, 5, 4, 5, 4, 4, 5, 3, 5, 4]
    before = run([(i, SALES, IT, "courtesy", s) for i, s in enumerate(before_scores)])
    now = run([(100 + i, SALES, IT, "courtesy", s) for i, s in enumerate(now_scores)], previous=before)
    figures = row(now.departments, department=IT, dimension="courtesy")
    expected = scipy_stats.ttest_ind(now_scores, before_scores, equal_var=False)
    assert figures["delta_p_value"] == pytest.approx(expected.pvalue)
    assert bool(figures["delta_significant"]) is True

    same = run([(200 + i, SALES, IT, "courtesy", s) for i, s in enumerate(before_scores)], previous=before)
    figures = row(same.departments, department=IT, dimension="courtesy")
    assert figures["delta"] == 0 and figures["delta_p_value"] == pytest.approx(1.0)
    assert bool(figures["delta_significant"]) is False


def test_response_rates_per_department_and_overall_and_unknown_without_headcount():
    participants = pd.DataFrame({"department": [SALES, IT], "participants": [8, 3]})
    headcounts = pd.DataFrame({"department": [SALES, IT, HR], "eligible": [10, 4, 6]})
    per_department, overall = frames.response_rates(participants, headcounts)
    rates = dict(zip(per_department["department"], per_department["response_rate"], strict=True))
    assert rates == {SALES: 0.8, IT: 0.75, HR: 0.0}
    assert overall == {"participants": 11, "eligible": 20, "response_rate": 0.55}

    _, unknown = frames.response_rates(participants, pd.DataFrame(columns=["department", "eligible"]))
    assert unknown == {"participants": 11, "eligible": None, "response_rate": None}


def test_empty_cycle_gives_no_rows_and_no_weakest():
    cells, respondents = tables.empty_cells()
    result = tables.rollup(cells, respondents, min_group_size=5)
    assert result.departments.empty and result.links.empty
    assert result.summary["weakest_department_id"] is None and result.summary["company_mean"] is None


answer_sets = st.lists(
    st.tuples(
        st.integers(1, 4),  # rater department
        st.dictionaries(
            st.tuples(st.integers(1, 4), st.sampled_from(ALL_DIMENSIONS)), st.integers(1, 5), min_size=1, max_size=12
        ),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(people=answer_sets)
def test_answer_sets_give_the_cells_masks_and_company_raters_of_the_answers(people):
    """The one scan's rows (a respondent's scores for one provider packed into one integer, as
    reports.services sums them in SQL) decode to what per-answer GROUP BYs give."""
    answers = [
        (respondent, rater, provider, dimension, score)
        for respondent, (rater, given_answers) in enumerate(people, start=10**12)
        for (provider, dimension), score in given_answers.items()
    ]
    packed = {}
    for respondent, rater, provider, dimension, score in answers:
        key = (rater, provider, respondent)
        packed[key] = packed.get(key, 0) + score * PACK_BASE ** ALL_DIMENSIONS.index(dimension)
    cells, masks, people_counts = frames.from_answer_sets([(*key, total) for key, total in packed.items()])

    expected_cells, expected_masks = aggregate(answers) if answers else tables.empty_cells()
    assert _sorted(cells, frames.CELL_COLUMNS) == _sorted(expected_cells, frames.CELL_COLUMNS)
    assert _sorted(masks, frames.MASK_COLUMNS) == _sorted(expected_masks, frames.MASK_COLUMNS)
    expected_people = company_respondents(answers) if answers else None
    if expected_people is not None:
        counted = dict(zip(people_counts["dimension"], people_counts["respondents"].tolist(), strict=True))
        assert counted == dict(zip(expected_people["dimension"], expected_people["respondents"], strict=True))


def _sorted(table, columns) -> list[tuple]:
    return sorted(zip(*(list(table[column]) for column in columns), strict=True))


def test_a_roll_up_needs_no_pandas():
    """A fresh process that rolls up (the `rollup` command, a new worker) loads numpy, not pandas:
    pandas would take longer to import than the roll-up's arithmetic."""
    script = (
        "import django, sys; django.setup()\n"
        "from reports import frames, services\n"
        "packed = sum(4 * 8 ** k for k in range(6))\n"
        "cells, masks, people = frames.from_answer_sets([(1, 2, 10, packed), (1, 2, 11, packed), (2, 2, 12, 3)])\n"
        "result = frames.compute(cells, masks, min_group_size=2, company_respondents=people)\n"
        "assert result.summary['weakest_department_id'] == 2, result.summary\n"
        "print(sorted(name for name in ('pandas', 'numpy') if name in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chainsurvey.settings"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=99)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['numpy']"


def test_the_differencing_rule_runs_without_the_cycle_collector_which_resumes_after(monkeypatch):
    import gc

    seen = []
    for name in ("_decide", "_expectation_hidden"):
        real = getattr(frames, name)
        monkeypatch.setattr(frames, name, lambda *a, real=real: (seen.append(gc.isenabled()), real(*a))[1])
    answers = [row for respondent in range(1, 4) for row in survey(respondent, SALES, IT, 4, expectation=3)]
    assert gc.isenabled()
    run(answers, min_group_size=5)
    assert seen == [False, False]
    assert gc.isenabled()

    def failing(*args):
        raise RuntimeError("in the rule")

    monkeypatch.setattr(frames, "_decide", failing)
    with pytest.raises(RuntimeError, match="in the rule"):
        run(answers, min_group_size=5)
    assert gc.isenabled()  # resumed after a failure too
