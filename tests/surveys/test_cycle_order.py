"""Cycles in YYYY-Qn order: the previous cycle holding answers (what deltas compare with), the next
one (whose deltas follow a cycle's answers) and the next cycle with results (what a verdict on a
cycle's results reads)."""

import pytest
from django.utils import timezone

from reports.models import CycleSummary
from surveys.models import Cycle
from surveys.selectors import next_cycle_with_answers, next_cycle_with_results, previous_cycle
from tests.factories import CycleFactory
from tests.reports.builders import add_uniform_answers

Status = Cycle.Status


def rolled_up(cycle: Cycle) -> Cycle:
    CycleSummary.objects.create(cycle=cycle, computed_at=timezone.now(), answers_count=0)
    return cycle


def test_previous_cycle_is_the_latest_earlier_one_holding_answers(db, django_assert_num_queries):
    older, previous = CycleFactory(name="2025-Q3"), CycleFactory(name="2025-Q4")
    CycleFactory(name="2026-Q1")  # earlier, but without answers
    current, later = CycleFactory(name="2026-Q2"), CycleFactory(name="2026-Q3")
    for cycle in (older, previous, current, later):
        add_uniform_answers(cycle, 1)

    with django_assert_num_queries(1):
        assert previous_cycle(cycle=current) == previous
    assert previous_cycle(cycle=previous) == older
    assert previous_cycle(cycle=older) is None


def test_next_cycle_with_results_is_the_earliest_later_one_shown_and_rolled_up(db, django_assert_num_queries):
    current = rolled_up(CycleFactory(name="2026-Q1", status=Status.PUBLISHED))
    rolled_up(CycleFactory(name="2025-Q4", status=Status.PUBLISHED))  # earlier
    CycleFactory(name="2026-Q2", status=Status.PUBLISHED)  # shown, but not rolled up
    rolled_up(CycleFactory(name="2026-Q3", status=Status.CLOSED))  # rolled up, not published yet
    following = rolled_up(CycleFactory(name="2027-Q1", status=Status.CLOSED, is_historical=True))
    rolled_up(CycleFactory(name="2027-Q2", status=Status.PUBLISHED))  # later still

    with django_assert_num_queries(1):
        assert next_cycle_with_results(cycle=current) == following


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED])
def test_next_cycle_with_results_is_none_until_a_later_cycle_is_shown(db, status):
    current = rolled_up(CycleFactory(name="2026-Q1", status=Status.PUBLISHED))
    CycleFactory(name="2026-Q2", status=status)

    assert next_cycle_with_results(cycle=current) is None


def test_next_cycle_with_answers_is_the_earliest_later_one_holding_answers(db, django_assert_num_queries):
    current, following, later = CycleFactory(name="2025-Q3"), CycleFactory(name="2026-Q1"), CycleFactory(name="2026-Q2")
    CycleFactory(name="2025-Q4")  # later, but without answers
    for cycle in (CycleFactory(name="2025-Q2"), current, following, later):
        add_uniform_answers(cycle, 1)

    with django_assert_num_queries(1):
        assert next_cycle_with_answers(cycle=current) == following
    assert previous_cycle(cycle=following) == current  # the one whose deltas follow it
    assert next_cycle_with_answers(cycle=later) is None
