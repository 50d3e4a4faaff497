"""surveys.tasks: the schedule closes cycles whose closing day is over and so starts their roll-up."""

import datetime

import pytest
from django.utils import timezone

from reports.models import RollupRun
from surveys.models import Cycle
from surveys.services.cycles import cycles_close_due
from surveys.tasks import close_due_cycles
from tests.factories import CycleFactory, OpenCycleFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 10, 1)


def test_schedule_closes_a_cycle_after_its_closing_day_and_rolls_it_up(django_capture_on_commit_callbacks):
    cycle = OpenCycleFactory(name="2026-Q3", closes_on=timezone.localdate() - datetime.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        close_due_cycles.delay()

    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert cycle.closed_at is not None
    run = RollupRun.objects.get(cycle=cycle)
    assert (run.state, run.answers_count) == (RollupRun.State.DONE, 0)


def test_schedule_leaves_a_cycle_open_through_its_closing_day():
    cycle = OpenCycleFactory(name="2026-Q3", closes_on=TODAY)

    assert cycles_close_due(today=TODAY) == []

    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert not RollupRun.objects.exists()


def test_schedule_closes_on_the_first_day_after_the_closing_day():
    cycle = OpenCycleFactory(name="2026-Q3", closes_on=TODAY)

    assert cycles_close_due(today=TODAY + datetime.timedelta(days=1)) == [cycle]


def test_schedule_never_closes_a_cycle_without_a_closing_day():
    OpenCycleFactory(name="2026-Q3", closes_on=None)

    assert cycles_close_due(today=TODAY) == []


@pytest.mark.parametrize("status", [Cycle.Status.DRAFT, Cycle.Status.CLOSED, Cycle.Status.PUBLISHED])
def test_schedule_leaves_cycles_that_are_not_open_alone(status):
    CycleFactory(name="2026-Q2", status=status, closes_on=TODAY - datetime.timedelta(days=30))

    assert cycles_close_due(today=TODAY) == []
    assert not RollupRun.objects.exists()
