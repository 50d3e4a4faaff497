"""The verdict rule (CONTRACT.md, Commitments) on hand-built rows, and against SciPy-free Welch
figures computed here independently from the raw ratings."""

import math
import statistics

import pytest

from actions import verdicts
from actions.verdicts import Row, judge
from reports import stats


def row_of(scores) -> Row:
    return Row(
        suppressed=False, ratings=len(scores), mean=statistics.fmean(scores), variance=statistics.variance(scores)
    )


def welch_by_hand(a, b) -> float:
    """Welch's two-sided p from raw ratings, by numerical integration of Student's t density."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    t = abs(statistics.fmean(a) - statistics.fmean(b)) / math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    density = lambda x: (1 + x * x / dof) ** (-(dof + 1) / 2)  # noqa: E731
    steps, upper = 200_000, t + 200.0
    h = (upper - t) / steps
    tail = sum(density(t + (i + 0.5) * h) for i in range(steps)) * h
    norm = math.gamma((dof + 1) / 2) / (math.sqrt(dof * math.pi) * math.gamma(dof / 2))
    return 2 * tail * norm


BEFORE = [2, 3, 3, 2, 3, 2, 3, 3, 2, 3]
AFTER_UP = [4, 4, 5, 4, 3, 4, 5, 4, 4, 4]


def test_a_clear_rise_is_improved_with_the_figures_of_both_rows():
    j = judge(row_of(BEFORE), row_of(AFTER_UP), follow_up_cycle="2026-Q2")
    assert j.verdict == verdicts.IMPROVED
    assert j.before_mean == pytest.approx(2.6) and j.after_mean == pytest.approx(4.1)
    assert j.delta == pytest.approx(1.5)
    assert j.p_value == pytest.approx(welch_by_hand(BEFORE, AFTER_UP), rel=1e-4)


def test_a_clear_fall_is_declined():
    j = judge(row_of(AFTER_UP), row_of(BEFORE), follow_up_cycle="2026-Q2")
    assert j.verdict == verdicts.DECLINED and j.delta < 0


def test_noise_is_no_clear_change_even_with_a_positive_delta():
    j = judge(row_of([3, 4, 3, 4, 3, 4]), row_of([4, 3, 4, 3, 4, 4]), follow_up_cycle="2026-Q2")
    assert j.delta > 0 and j.p_value > 0.05
    assert j.verdict == verdicts.NO_CLEAR_CHANGE


def test_the_edge_p_exactly_at_the_threshold_is_no_clear_change(monkeypatch):
    """p < 0.05 is significant; p = 0.05 is not."""
    monkeypatch.setattr(verdicts, "_p_value", lambda before, after: 0.05)
    assert judge(row_of(BEFORE), row_of(AFTER_UP), follow_up_cycle="Q").verdict == verdicts.NO_CLEAR_CHANGE
    monkeypatch.setattr(verdicts, "_p_value", lambda before, after: 0.0499999)
    assert judge(row_of(BEFORE), row_of(AFTER_UP), follow_up_cycle="Q").verdict == verdicts.IMPROVED


@pytest.mark.parametrize("side", ["before", "after"])
def test_a_suppressed_or_absent_row_is_not_measurable_and_shows_no_figure_of_it(side):
    hidden = Row(suppressed=True, ratings=None, mean=None, variance=None)
    before, after = (hidden, row_of(AFTER_UP)) if side == "before" else (row_of(BEFORE), hidden)
    j = judge(before, after, follow_up_cycle="2026-Q2")
    assert j.verdict == verdicts.NOT_MEASURABLE and j.delta is None and j.p_value is None
    assert (j.before_mean is None) == (side == "before") and (j.after_mean is None) == (side == "after")
    absent = judge(row_of(BEFORE), None, follow_up_cycle="2026-Q2")
    assert absent.verdict == verdicts.NOT_MEASURABLE


def test_without_a_follow_up_cycle_the_verdict_is_pending():
    j = judge(row_of(BEFORE), None, follow_up_cycle=None)
    assert j.verdict == verdicts.PENDING and j.after_mean is None and j.before_mean == pytest.approx(2.6)


def test_status_plays_no_part_and_tally_counts_in_the_contracts_order():
    found = [
        judge(row_of(BEFORE), row_of(AFTER_UP), follow_up_cycle="Q"),
        judge(row_of(BEFORE), row_of(AFTER_UP), follow_up_cycle="Q"),
        judge(row_of(AFTER_UP), row_of(BEFORE), follow_up_cycle="Q"),
        judge(row_of(BEFORE), None, follow_up_cycle=None),
    ]
    assert list(verdicts.tally(found).items()) == [("improved", 2), ("declined", 1), ("pending", 1)]


def test_the_significance_level_is_the_roll_ups():
    assert verdicts.SIGNIFICANCE == stats.SIGNIFICANCE
