"""Redis down when a cycle closes, and the whole worker killed mid-roll-up: nothing is lost, the
previous results stay until the new ones replace them, and the roll-up finishes by itself once
Redis or a worker is back (beat's recovery check; no operator). Real worker and beat processes
on the machine's Redis and PostgreSQL (tests/faults/conftest.py)."""

import subprocess
import sys
import time

import pytest

from reports import services
from reports.models import RollupRun
from tests.factories import CycleFactory, OpenCycleFactory
from tests.faults.conftest import PROJECT_DIR, elapsed_since
from tests.reports.builders import add_uniform_answers
from tests.reports.test_worker_integration import current_results, rollup_held_mid_transaction, run_state, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

State = RollupRun.State
TWO_MINUTES = 120


def close_with_manage_py(cycle, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "close_cycle", cycle.name],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_redis_down_at_close_closes_says_so_and_rolls_up_once_redis_is_back(celery_processes, broker_relay, fault_env):
    cycle = OpenCycleFactory(name="2026-Q1")
    add_uniform_answers(cycle, 6)
    worker = celery_processes("worker", redis_url=broker_relay.url)
    celery_processes("beat", redis_url=broker_relay.url)

    broker_relay.down()
    closed = close_with_manage_py(cycle, {**fault_env, "REDIS_URL": broker_relay.url})

    assert closed.returncode == 0, closed.stderr
    assert "Cycle 2026-Q1 is closed" in closed.stdout
    assert "cannot be reached" in closed.stdout and "nothing else to do" in closed.stdout
    assert "queued for" not in closed.stdout
    cycle.refresh_from_db()
    assert cycle.status == "closed"
    (run,) = RollupRun.objects.filter(cycle=cycle)
    assert (run.state, run.sent_at) == (State.REQUESTED, None)
    time.sleep(3)  # beat ticks meanwhile, but reaches no worker: the request waits, nothing is lost
    assert run_state(run) == State.REQUESTED

    broker_relay.up()
    back = time.monotonic()
    wait_for(
        lambda: run_state(run) == State.DONE,
        timeout=TWO_MINUTES,
        what="the roll-up after Redis came back",
        details=worker.log,
    )
    assert elapsed_since(back) < TWO_MINUTES
    run.refresh_from_db()
    assert run.answers_count == 6 and run.sent_at is not None
    assert RollupRun.objects.filter(cycle=cycle).count() == 1  # the same request, sent once it could be


def test_the_whole_worker_killed_mid_rollup_keeps_the_old_results_and_the_next_worker_finishes_alone(
    celery_processes,
):
    cycle = CycleFactory(name="2026-Q2", status="closed")
    add_uniform_answers(cycle, 3)
    services.rollup_cycle(cycle_id=cycle.pk)  # the previous roll-up, over 3 answers
    before = current_results(cycle)
    add_uniform_answers(cycle, 2)  # e.g. a re-import: the next roll-up reads 5
    worker = celery_processes("worker")
    celery_processes("beat")

    with rollup_held_mid_transaction(worker, cycle) as killed_run:
        worker.kill()  # SIGKILL to the main process and its group: nothing gets to clean up

    assert run_state(killed_run) == State.STARTED
    assert current_results(cycle) == before  # readers still see the complete previous snapshot
    # No worker: beat's checks reach nobody, and nothing changes.
    time.sleep(3)
    assert current_results(cycle) == before

    next_worker = celery_processes("worker")
    back = time.monotonic()
    done = wait_for(
        lambda: (
            RollupRun.objects.filter(cycle=cycle, state=State.DONE, requested_at__gt=killed_run.requested_at)
            .order_by("-finished_at")
            .first()
        ),
        timeout=TWO_MINUTES,
        what="the roll-up to be redone by the next worker",
        details=next_worker.log,
    )
    assert elapsed_since(back) < TWO_MINUTES
    assert done.answers_count == 5
    assert current_results(cycle)["run"] == done.pk
    killed_run.refresh_from_db()
    assert killed_run.state == State.FAILED and "stopped mid-run" in killed_run.error
    # Computed once: the killed run's message (unacknowledged in Redis) is never run on top.
    assert RollupRun.objects.filter(cycle=cycle, state=State.DONE).count() == 2  # the previous one and this
