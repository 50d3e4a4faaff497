"""The ballot box through a real Celery worker on the machine's Redis and PostgreSQL: the
submission that completes a department's batch sends the move to the worker when it commits."""

from unittest import mock

import pytest

from surveys.models import Answer, Ballot
from surveys.tasks import move_ballots
from tests.factories import DepartmentFactory, OpenCycleFactory
from tests.reports.test_worker_integration import celery_queue, start_worker, wait_for  # noqa: F401 (fixtures)
from tests.surveys.test_services_ballots import submit

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_submission_that_completes_a_batch_sends_the_move_to_the_worker(start_worker):  # noqa: F811
    cycle = OpenCycleFactory(name="2026-Q1")
    sales, it = DepartmentFactory(name="Sales"), DepartmentFactory(name="IT")
    worker = start_worker()

    # The move must run in the worker: if it ran in this process, this stand-in would fail it.
    in_process = mock.Mock(side_effect=AssertionError("the ballot box ran in the test process"))
    with mock.patch("surveys.tasks.ballots_move", in_process), mock.patch.object(move_ballots, "run", in_process):
        for _ in range(cycle.min_group_size):
            submit(cycle, sales, [it])  # each commits; the last one's on-commit check enqueues
        wait_for(
            lambda: not Ballot.objects.exists(), timeout=20, what="the worker to move the batch", details=worker.log
        )

    assert in_process.call_count == 0
    assert Answer.objects.values("respondent").distinct().count() == cycle.min_group_size
    assert "surveys.tasks.move_ballots[" in worker.log() and "succeeded" in worker.log()
