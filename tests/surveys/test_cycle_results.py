"""Which cycles' results may be shown: `Cycle.results_visible` for one cycle, and
`Cycle.objects.with_results()` (shown and rolled up) for the queries, from one statement of the rule."""

import itertools

import pytest
from django.utils import timezone

from reports.models import CycleSummary
from surveys.models import Cycle
from tests.factories import CycleFactory

Status = Cycle.Status
SHOWN = {(Status.PUBLISHED, False), (Status.PUBLISHED, True), (Status.CLOSED, True)}


def rolled_up(cycle: Cycle) -> Cycle:
    CycleSummary.objects.create(cycle=cycle, computed_at=timezone.now(), answers_count=0)
    return cycle


@pytest.mark.parametrize(("status", "historical"), list(itertools.product(Status.values, [False, True])))
def test_results_are_shown_once_published_and_history_once_closed(db, status, historical):
    cycle = CycleFactory(name="2026-Q1", status=status, is_historical=historical)

    assert cycle.results_visible is ((status, historical) in SHOWN)
    assert Cycle.objects.filter(Cycle.results_visible_condition()).exists() is cycle.results_visible


def test_with_results_is_every_cycle_shown_and_rolled_up_and_nothing_else(db):
    cycles = {}
    for year, (status, historical) in enumerate(itertools.product(Status.values, [False, True]), start=2020):
        for quarter, summary in ((1, True), (2, False)):
            if status == Status.OPEN and (historical or not summary):
                continue  # one open cycle at a time (a database constraint)
            cycle = CycleFactory(name=f"{year}-Q{quarter}", status=status, is_historical=historical)
            cycles[cycle.name] = rolled_up(cycle) if summary else cycle

    shown = set(Cycle.objects.with_results().values_list("name", flat=True))

    expected = {
        name
        for name, cycle in cycles.items()
        if (cycle.status, cycle.is_historical) in SHOWN and CycleSummary.objects.filter(cycle=cycle).exists()
    }
    assert shown == expected
    assert len(shown) == 3 and all(name.endswith("-Q1") for name in shown)


def test_the_condition_reads_through_a_relation_with_a_prefix(db):
    shown = rolled_up(CycleFactory(name="2026-Q1", status=Status.PUBLISHED))
    rolled_up(CycleFactory(name="2026-Q2", status=Status.CLOSED))

    summaries = CycleSummary.objects.filter(Cycle.results_visible_condition(prefix="cycle__"))
    assert list(summaries.values_list("cycle", flat=True)) == [shown.pk]
