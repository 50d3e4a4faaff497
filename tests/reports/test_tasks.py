"""reports.tasks: the roll-up task retries transient errors, records real failures, and the stale
re-run task and the on-commit enqueue hand work to the workers. Celery runs eagerly here; the
real-worker behaviour is in test_worker_integration.py."""

import datetime
from unittest import mock

import kombu.exceptions
import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from reports import runs, services, tasks
from reports.models import RollupRun
from tests.factories import CycleFactory
from tests.reports.builders import add_uniform_answers

State = RollupRun.State


@pytest.fixture
def closed_cycle(db):
    cycle = CycleFactory(name="2026-Q3", status="closed")
    add_uniform_answers(cycle, 7)
    return cycle


@pytest.fixture
def eager_like_a_worker():
    """Eager tasks that retry and fail as on a worker: the conftest's eager mode re-raises the
    first exception instead (CELERY_TASK_EAGER_PROPAGATES), which skips the retries."""
    from chainsurvey.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def request_rollup(cycle, capture):
    """What closing a cycle does: request the roll-up inside the closing transaction."""
    with capture(execute=True), transaction.atomic():
        run = runs.rollup_request(cycle=cycle)
    run.refresh_from_db()
    return run


def failing_then_real(failures: list[Exception]):
    """A stand-in for the roll-up service that raises each of `failures` once, then works."""
    real = services.rollup_cycle

    def rollup_cycle(**kwargs):
        if failures:
            raise failures.pop(0)
        return real(**kwargs)

    return mock.Mock(side_effect=rollup_cycle)


def test_closing_rolls_the_cycle_up_over_its_answers_once_committed(closed_cycle, django_capture_on_commit_callbacks):
    run = request_rollup(closed_cycle, django_capture_on_commit_callbacks)

    assert run.state == State.DONE
    assert run.answers_count == 7
    assert run.started_at <= run.finished_at


def test_rollup_is_not_sent_when_the_closing_transaction_rolls_back(closed_cycle, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as sent,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        runs.rollup_request(cycle=closed_cycle)
        raise RuntimeError("closing failed")

    assert sent == []
    assert not RollupRun.objects.exists()


def test_rollup_task_retries_a_transient_database_error_and_finishes(
    closed_cycle, django_capture_on_commit_callbacks, eager_like_a_worker
):
    flaky = failing_then_real([OperationalError("server closed the connection unexpectedly")] * 2)

    with mock.patch.object(services, "rollup_cycle", flaky):
        run = request_rollup(closed_cycle, django_capture_on_commit_callbacks)

    assert flaky.call_count == 3
    assert (run.state, run.answers_count) == (State.DONE, 7)


def test_rollup_task_leaves_the_run_pending_for_the_stale_rerun_when_the_database_stays_down(
    closed_cycle, django_capture_on_commit_callbacks, eager_like_a_worker
):
    down = mock.Mock(side_effect=OperationalError("connection refused"))

    with mock.patch.object(services, "rollup_cycle", down):
        request_rollup(closed_cycle, django_capture_on_commit_callbacks)

    assert down.call_count == tasks.rollup_cycle.max_retries + 1
    run = RollupRun.objects.get()
    assert run.state == State.REQUESTED
    assert run.error == ""


def test_rollup_task_records_a_bug_as_failed_without_retrying(
    closed_cycle, django_capture_on_commit_callbacks, eager_like_a_worker
):
    broken = mock.Mock(side_effect=ValueError("unknown dimension 'speed'"))

    with mock.patch.object(services, "rollup_cycle", broken):
        request_rollup(closed_cycle, django_capture_on_commit_callbacks)

    assert broken.call_count == 1
    run = RollupRun.objects.get()
    assert run.state == State.FAILED
    assert run.error == "ValueError: unknown dimension 'speed'"


def test_rollup_task_run_twice_gives_the_same_result(closed_cycle):
    run = RollupRun.objects.create(cycle=closed_cycle)

    tasks.rollup_cycle.delay(cycle_id=closed_cycle.pk, run_id=run.pk)
    first = RollupRun.objects.get(pk=run.pk)
    tasks.rollup_cycle.delay(cycle_id=closed_cycle.pk, run_id=run.pk)
    second = RollupRun.objects.get(pk=run.pk)

    assert (first.state, first.answers_count) == (second.state, second.answers_count) == (State.DONE, 7)


def test_rollup_task_is_acknowledged_only_after_it_ran_so_a_killed_worker_leaves_it_queued():
    assert tasks.rollup_cycle.acks_late is True
    assert tasks.rollup_cycle.reject_on_worker_lost is True


def test_enqueue_while_the_broker_is_down_keeps_the_run_requested_instead_of_failing_the_close(closed_cycle, caplog):
    run = RollupRun.objects.create(cycle=closed_cycle)
    outage = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with mock.patch.object(tasks.rollup_cycle, "delay", side_effect=outage):
        sent = runs.enqueue_rollup(cycle_id=closed_cycle.pk, run_id=run.pk)

    assert sent is False
    assert "sent once it is back" in caplog.text
    run.refresh_from_db()
    assert run.state == State.REQUESTED


def test_stale_rerun_task_rolls_up_a_cycle_whose_request_was_lost(closed_cycle, django_capture_on_commit_callbacks):
    lost = RollupRun.objects.create(cycle=closed_cycle)
    RollupRun.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.rerun_stale_rollups.delay()

    lost.refresh_from_db()
    assert lost.state == State.FAILED
    latest = RollupRun.objects.filter(cycle=closed_cycle).latest("requested_at")
    assert (latest.state, latest.answers_count) == (State.DONE, 7)


def test_stale_rerun_task_takes_its_threshold_in_seconds(closed_cycle, django_capture_on_commit_callbacks):
    recent = RollupRun.objects.create(cycle=closed_cycle)
    RollupRun.objects.filter(pk=recent.pk).update(requested_at=timezone.now() - datetime.timedelta(seconds=30))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.rerun_stale_rollups.delay(stale_after_seconds=60)
    recent.refresh_from_db()
    assert recent.state == State.REQUESTED

    with django_capture_on_commit_callbacks(execute=True):
        tasks.rerun_stale_rollups.delay(stale_after_seconds=10)
    recent.refresh_from_db()
    assert recent.state == State.FAILED


def test_rollup_task_in_process_reraises_a_bug_after_recording_it(closed_cycle, django_capture_on_commit_callbacks):
    # Without REDIS_URL the roll-up runs inside the close: its error reaches the caller.
    broken = mock.Mock(side_effect=ValueError("unknown dimension 'speed'"))

    with mock.patch.object(services, "rollup_cycle", broken), pytest.raises(ValueError):
        request_rollup(closed_cycle, django_capture_on_commit_callbacks)

    assert RollupRun.objects.get().state == State.FAILED
