"""The open_cycle and close_cycle management commands (CONTRACT.md, "Cycles")."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports.models import RollupRun
from surveys.models import Cycle
from tests.factories import CycleFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_open_cycle_opens_until_the_given_day_and_says_so(org):
    EmployeeFactory.create_batch(3, department=org["sales"])
    closes = timezone.localdate() + datetime.timedelta(days=10)
    out = run("open_cycle", "2026-Q4", "--closes", closes.isoformat())
    cycle = Cycle.objects.get(name="2026-Q4")
    assert cycle.status == Cycle.Status.OPEN and cycle.closes_on == closes
    assert closes.isoformat() in out and "3 active employees" in out


def test_open_cycle_defaults_to_21_days(db):
    run("open_cycle", "2026-Q4")
    assert Cycle.objects.get(name="2026-Q4").closes_on == timezone.localdate() + datetime.timedelta(days=21)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-Q9"], "YYYY-Qn"),
        (["2026-Q4", "--closes", "next week"], "not a date"),
        (["2026-Q4", "--closes", "2001-01-01"], "in the past"),
    ],
)
def test_open_cycle_rejects_bad_input_with_a_clear_message_and_writes_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("open_cycle", *args)
    assert not Cycle.objects.exists()


def test_open_cycle_refuses_a_second_open_cycle(open_cycle):
    with pytest.raises(CommandError, match=f"{open_cycle.name} is open"):
        run("open_cycle", "2027-Q1")
    assert not Cycle.objects.filter(name="2027-Q1").exists()


def test_open_cycle_refuses_to_reopen_a_closed_cycle(db):
    CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED)
    with pytest.raises(CommandError, match="never reopened"):
        run("open_cycle", "2026-Q1")
    assert Cycle.objects.get(name="2026-Q1").status == Cycle.Status.CLOSED


def test_close_cycle_closes_and_starts_the_rollup(open_cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run("close_cycle", open_cycle.name)
    assert Cycle.objects.get(pk=open_cycle.pk).status == Cycle.Status.CLOSED
    assert RollupRun.objects.get(cycle=open_cycle).state == RollupRun.State.DONE
    assert "closed" in out and "roll-up" in out


def test_close_cycle_with_the_broker_down_closes_and_says_the_rollup_waits_for_it(
    open_cycle, django_capture_on_commit_callbacks
):
    from unittest import mock

    import kombu.exceptions

    from reports import tasks

    outage = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(tasks.rollup_cycle, "delay", side_effect=outage),
        django_capture_on_commit_callbacks(execute=True),
    ):
        out = run("close_cycle", open_cycle.name)

    assert Cycle.objects.get(pk=open_cycle.pk).status == Cycle.Status.CLOSED
    run_ = RollupRun.objects.get(cycle=open_cycle)
    assert (run_.state, run_.sent_at) == (RollupRun.State.REQUESTED, None)
    assert "cannot be reached" in out and "sent by itself" in out
    assert "queued for" not in out and "was sent" not in out


def test_close_cycle_refuses_a_cycle_that_is_not_open(db):
    CycleFactory(name="2026-Q1", status=Cycle.Status.PUBLISHED)
    with pytest.raises(CommandError, match="not open"):
        run("close_cycle", "2026-Q1")
    assert Cycle.objects.get(name="2026-Q1").status == Cycle.Status.PUBLISHED
    assert not RollupRun.objects.exists()


def test_close_cycle_refuses_an_unknown_cycle(db):
    with pytest.raises(CommandError, match="no cycle named '2026-Q1'"):
        run("close_cycle", "2026-Q1")
