"""reports.runs: which roll-up runs stalled, re-requesting them, recording a failure. No worker:
the roll-up enqueued on commit runs in-process (the conftest forces eager Celery)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from reports.models import RollupRun
from reports.runs import (
    ORPHAN_GRACE,
    RECOVER_EVERY,
    UNSENT_GRACE,
    rollup_outlook,
    rollup_pending,
    rollup_rerun_orphaned,
    rollup_rerun_stale,
    rollup_resend_unsent,
    stale_rollup_runs,
)
from tests.factories import CycleFactory
from tests.machine_services import require_postgresql
from tests.reports.test_worker_integration import raw_connection

State = RollupRun.State
TEN_MINUTES = datetime.timedelta(minutes=10)


def make_run(cycle, state, *, requested_ago: int, started_ago: int | None = None, finished_ago: int | None = None):
    """A run of `cycle` in `state`, requested (and started, finished) that many minutes ago."""
    now = timezone.now()
    run = RollupRun.objects.create(cycle=cycle, state=state)
    # requested_at is auto_now_add: backdate it with an update.
    RollupRun.objects.filter(pk=run.pk).update(
        requested_at=now - datetime.timedelta(minutes=requested_ago),
        started_at=None if started_ago is None else now - datetime.timedelta(minutes=started_ago),
        finished_at=None if finished_ago is None else now - datetime.timedelta(minutes=finished_ago),
    )
    run.refresh_from_db()
    return run


@pytest.fixture
def cycle(db):
    return CycleFactory(name="2026-Q2", status="closed")


def stale_ids(**kwargs) -> set[int]:
    return set(stale_rollup_runs(stale_after=TEN_MINUTES, **kwargs).values_list("pk", flat=True))


@pytest.mark.parametrize("state", [State.REQUESTED, State.STARTED])
def test_run_requested_longer_ago_than_the_threshold_and_not_finished_is_stale(cycle, state):
    run = make_run(cycle, state, requested_ago=30, started_ago=20 if state == State.STARTED else None)

    assert stale_ids() == {run.pk}


def test_run_requested_within_the_threshold_is_not_stale_yet(cycle):
    make_run(cycle, State.REQUESTED, requested_ago=5)

    assert stale_ids() == set()


def test_started_run_counts_from_when_it_started_not_when_it_was_requested(cycle):
    # Queued behind other work for a while, then picked up a minute ago: still running, not stalled.
    make_run(cycle, State.STARTED, requested_ago=30, started_ago=1)

    assert stale_ids() == set()


@pytest.mark.parametrize("state", [State.DONE, State.FAILED])
def test_finished_run_is_never_stale(cycle, state):
    make_run(cycle, state, requested_ago=60, started_ago=59, finished_ago=58)

    assert stale_ids() == set()


def test_stalled_run_superseded_by_a_newer_request_is_left_to_the_newer_one(cycle):
    make_run(cycle, State.STARTED, requested_ago=60, started_ago=59)
    make_run(cycle, State.REQUESTED, requested_ago=2)

    assert stale_ids() == set()


def test_pending_run_is_not_stale_when_a_done_run_started_after_it_was_requested(cycle):
    # The done run read the answers after this request was made, so it already holds what was asked.
    make_run(cycle, State.DONE, requested_ago=40, started_ago=25, finished_ago=24)
    make_run(cycle, State.REQUESTED, requested_ago=30)

    assert stale_ids() == set()


def test_pending_run_is_stale_when_the_only_done_run_started_before_it_was_requested(cycle):
    make_run(cycle, State.DONE, requested_ago=40, started_ago=39, finished_ago=38)
    stalled = make_run(cycle, State.REQUESTED, requested_ago=30)

    assert stale_ids() == {stalled.pk}


def test_stale_runs_are_found_per_cycle(db):
    stalled = [make_run(CycleFactory(), State.REQUESTED, requested_ago=30) for _ in range(3)]
    make_run(CycleFactory(), State.REQUESTED, requested_ago=1)

    assert stale_ids() == {run.pk for run in stalled}


def test_threshold_defaults_to_the_setting(cycle, settings):
    run = make_run(cycle, State.REQUESTED, requested_ago=3)
    settings.CHAINSURVEY_ROLLUP_STALE_AFTER = 5 * 60
    assert set(stale_rollup_runs().values_list("pk", flat=True)) == set()

    settings.CHAINSURVEY_ROLLUP_STALE_AFTER = 2 * 60
    assert set(stale_rollup_runs().values_list("pk", flat=True)) == {run.pk}


@pytest.mark.parametrize("cycles", [1, 30])
def test_finding_stale_runs_takes_one_query_however_many_cycles(db, django_assert_num_queries, cycles):
    for _ in range(cycles):
        cycle = CycleFactory()
        make_run(cycle, State.DONE, requested_ago=90, started_ago=89, finished_ago=88)
        make_run(cycle, State.REQUESTED, requested_ago=30)

    with django_assert_num_queries(1):  # runs, with the latest-of-cycle and done-since subqueries
        assert len(stale_ids()) == cycles


def test_rerun_marks_the_stalled_run_failed_and_rolls_the_cycle_up_again(cycle, django_capture_on_commit_callbacks):
    stalled = make_run(cycle, State.STARTED, requested_ago=30, started_ago=29)

    with django_capture_on_commit_callbacks(execute=True):
        fresh = rollup_rerun_stale(stale_after=TEN_MINUTES)

    stalled.refresh_from_db()
    assert stalled.state == State.FAILED
    assert "re-requested" in stalled.error
    assert [run.cycle_id for run in fresh] == [cycle.pk]
    fresh[0].refresh_from_db()
    assert fresh[0].state == State.DONE
    assert fresh[0].answers_count == 0
    assert fresh[0].finished_at is not None


def test_rerun_requests_a_stalled_cycle_once_until_the_new_request_stalls_too(
    cycle, django_capture_on_commit_callbacks
):
    make_run(cycle, State.REQUESTED, requested_ago=30)

    # No worker takes the messages (say, none is running): the new request is pending, not stale.
    with django_capture_on_commit_callbacks(execute=False) as sent:
        first = rollup_rerun_stale(stale_after=TEN_MINUTES)
        second = rollup_rerun_stale(stale_after=TEN_MINUTES)

    assert len(first) == 1
    assert second == []
    assert len(sent) == 1
    assert RollupRun.objects.filter(cycle=cycle, state=State.REQUESTED).count() == 1


def test_rerun_with_nothing_stalled_writes_nothing(cycle, django_capture_on_commit_callbacks):
    make_run(cycle, State.DONE, requested_ago=30, started_ago=29, finished_ago=28)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert rollup_rerun_stale(stale_after=TEN_MINUTES) == []

    assert sent == []
    assert RollupRun.objects.count() == 1


def test_recording_a_failure_marks_a_pending_run_failed_with_the_error(cycle):
    run = make_run(cycle, State.STARTED, requested_ago=2, started_ago=1)

    assert RollupRun.objects.filter(pk=run.pk).mark_failed("ValueError: no such dimension") == 1

    run.refresh_from_db()
    assert (run.state, run.error) == (State.FAILED, "ValueError: no such dimension")
    assert run.finished_at is not None


def test_recording_a_late_failure_leaves_a_done_run_done(cycle):
    run = make_run(cycle, State.DONE, requested_ago=3, started_ago=2, finished_ago=1)

    assert RollupRun.objects.filter(pk=run.pk).mark_failed("late") == 0

    run.refresh_from_db()
    assert (run.state, run.error) == (State.DONE, "")


# --- quick recovery: unsent runs and orphaned runs ------------------------------------------------


def test_a_run_the_broker_never_got_is_sent_again_with_the_same_run(cycle, django_capture_on_commit_callbacks):
    unsent = make_run(cycle, State.REQUESTED, requested_ago=1)

    with django_capture_on_commit_callbacks(execute=True):
        resent = rollup_resend_unsent()

    assert resent == [unsent]
    unsent.refresh_from_db()
    assert unsent.state == State.DONE and unsent.sent_at is not None  # eager: sent and run at once
    assert RollupRun.objects.count() == 1  # the same run, not a new request


def test_a_run_the_broker_got_or_just_requested_is_not_sent_again(cycle, django_capture_on_commit_callbacks):
    sent = make_run(cycle, State.REQUESTED, requested_ago=5)
    RollupRun.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    other = make_run(CycleFactory(name="2026-Q1", status="closed"), State.REQUESTED, requested_ago=0)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert rollup_resend_unsent() == []

    assert callbacks == []
    assert {run.state for run in RollupRun.objects.filter(pk__in=[sent.pk, other.pk])} == {State.REQUESTED}


def test_a_late_message_of_a_finished_or_replaced_run_is_skipped(cycle):
    finished = RollupRun.objects.finished()
    for state in (State.DONE, State.FAILED):
        run = make_run(cycle, state, requested_ago=90, started_ago=89, finished_ago=88)
        assert finished.filter(pk=run.pk).exists()
    for state in (State.REQUESTED, State.STARTED):
        assert not finished.filter(pk=make_run(cycle, state, requested_ago=1).pk).exists()


def test_a_late_message_of_a_finished_run_does_not_run_it_again(cycle):
    from reports.tasks import rollup_cycle

    run = make_run(cycle, State.FAILED, requested_ago=90, started_ago=89, finished_ago=88)

    assert rollup_cycle.delay(cycle_id=cycle.pk, run_id=run.pk).get() is None
    run.refresh_from_db()
    assert run.state == State.FAILED and run.answers_count is None


@pytest.mark.parametrize(
    ("states", "pending"),
    [
        ((), False),
        ((State.DONE,), False),
        ((State.FAILED,), False),
        ((State.REQUESTED,), True),
        ((State.STARTED,), True),
        ((State.DONE, State.REQUESTED), True),
        ((State.STARTED, State.FAILED), False),  # only the latest run counts
    ],
)
def test_a_rollup_is_pending_while_the_cycles_latest_run_is_requested_or_started(
    cycle, django_assert_num_queries, states, pending
):
    for minutes_ago, state in zip(range(len(states), 0, -1), states, strict=True):
        make_run(cycle, state, requested_ago=minutes_ago)
    make_run(CycleFactory(name="2026-Q3", status="closed"), State.REQUESTED, requested_ago=0)  # another cycle's

    with django_assert_num_queries(1):
        assert rollup_pending(cycle=cycle) is pending


def test_outlook_says_truthfully_whether_the_rollup_reached_the_broker(cycle):
    run = make_run(cycle, State.REQUESTED, requested_ago=0)
    ok, text = rollup_outlook(cycle_id=cycle.pk)
    assert not ok and "cannot be reached" in text and "nothing else to do" in text

    RollupRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    assert rollup_outlook(cycle_id=cycle.pk) == (
        True,
        "its roll-up was sent to a Celery worker (see Roll-up runs in the admin).",
    )

    RollupRun.objects.filter(pk=run.pk).update(state=State.DONE, answers_count=12)
    assert rollup_outlook(cycle_id=cycle.pk) == (True, "its roll-up is done (12 answers).")


def test_recovery_is_bounded_well_under_two_minutes(settings):
    # A dead worker's run is found by the first check after the grace; a worker back then runs it.
    entry = settings.CELERY_BEAT_SCHEDULE["recover-rollups"]
    assert entry["task"] == "reports.tasks.recover_rollups"
    assert entry["schedule"] == RECOVER_EVERY
    assert RECOVER_EVERY + max(ORPHAN_GRACE, UNSENT_GRACE).total_seconds() <= 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_started_run_whose_worker_died_is_re_requested_but_a_running_one_is_not():
    require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")  # were the live run re-requested, it would wait on the lock
    dead_cycle = CycleFactory(name="2026-Q1", status="closed")
    live_cycle = CycleFactory(name="2026-Q2", status="closed")
    dead = make_run(dead_cycle, State.STARTED, requested_ago=2, started_ago=1)
    live = make_run(live_cycle, State.STARTED, requested_ago=2, started_ago=1)
    recent = make_run(CycleFactory(name="2026-Q3", status="closed"), State.STARTED, requested_ago=0, started_ago=0)

    # A live roll-up holds its cycle's row lock for its whole transaction: hold it as one would.
    with raw_connection() as worker:
        worker.execute("SELECT id FROM surveys_cycle WHERE id = %s FOR UPDATE", [live_cycle.pk])
        fresh = rollup_rerun_orphaned()  # sent on commit: eager here, so rolled up at once

    assert [run.cycle_id for run in fresh] == [dead_cycle.pk]
    fresh[0].refresh_from_db()
    assert fresh[0].state == State.DONE
    states = dict(RollupRun.objects.filter(pk__in=[dead.pk, live.pk, recent.pk]).values_list("pk", "state"))
    assert states == {dead.pk: State.FAILED, live.pk: State.STARTED, recent.pk: State.STARTED}
    assert "stopped mid-run" in RollupRun.objects.get(pk=dead.pk).error


def test_latest_for_is_the_last_requested_run_of_that_cycle_only(cycle):
    other = CycleFactory(name="2026-Q3", status="closed")
    make_run(cycle, State.DONE, requested_ago=30)
    latest = make_run(cycle, State.FAILED, requested_ago=5)
    make_run(cycle, State.DONE, requested_ago=20)
    make_run(other, State.REQUESTED, requested_ago=1)  # later, but of another cycle

    assert list(RollupRun.objects.latest_for(cycle)) == [latest]
    assert RollupRun.objects.latest_for(cycle.pk).first() == latest
    assert RollupRun.objects.latest_for(CycleFactory(name="2027-Q1")).first() is None


def test_latest_for_breaks_a_tie_of_request_times_by_the_higher_id(cycle):
    first, second = make_run(cycle, State.DONE, requested_ago=5), make_run(cycle, State.REQUESTED, requested_ago=9)
    RollupRun.objects.update(requested_at=first.requested_at)

    assert RollupRun.objects.latest_for(cycle).first() == second


def test_latest_for_reads_each_cycles_latest_run_in_a_subquery(cycle):
    from django.db.models import OuterRef, Subquery

    from surveys.models import Cycle

    other = CycleFactory(name="2026-Q3", status="closed")
    make_run(cycle, State.FAILED, requested_ago=30)
    make_run(cycle, State.DONE, requested_ago=10)
    make_run(other, State.DONE, requested_ago=30)
    make_run(other, State.STARTED, requested_ago=10)

    states = Cycle.objects.annotate(
        latest=Subquery(RollupRun.objects.latest_for(OuterRef("pk")).values("state"))
    ).values_list("name", "latest")
    assert dict(states) == {"2026-Q2": State.DONE, "2026-Q3": State.STARTED}
