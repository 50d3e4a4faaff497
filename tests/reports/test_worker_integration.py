"""Roll-ups through a real Celery worker on the machine's Redis and PostgreSQL, not eagerly.

Each test starts `celery worker` subprocesses on the test database and a queue of its own (so it
never takes or leaves work in anyone else's queue), and kills them in teardown. Needs REDIS_URL and
a PostgreSQL DATABASE_URL: an in-memory SQLite test database cannot be shared with a subprocess.
"""

import base64
import contextlib
import datetime
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from chainsurvey.celery import queue_names
from reports import runs, services
from reports.exporters import render_scorecards
from reports.models import CycleSummary, DepartmentResult, RollupRun
from reports.runs import rollup_rerun_stale
from surveys.services.cycles import cycle_close
from tests.factories import CycleFactory, OpenCycleFactory
from tests.machine_services import require_postgresql, require_redis
from tests.reports.builders import add_answers, add_uniform_answers
from tests.reports.test_views import published_cycle, rate

pytestmark = [
    pytest.mark.services,
    # Committed data, so that the worker sees it; serialized_rollback restores the rows the data
    # migrations made (dimensions, role groups) after the flush, for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

State = RollupRun.State
PROJECT_DIR = Path(settings.BASE_DIR)
WORKER_READY_TIMEOUT = 30  # seconds; the machine is shared, start-up is slow under load
ROLLUP_TIMEOUT = 20


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    interval: float = 0.05,
    details: Callable[[], str] = lambda: "",
):
    """Poll `condition` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{details()}")
        time.sleep(interval)


def worker_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def raw_connection(*, autocommit: bool = False) -> psycopg.Connection:
    """A connection of the test's own, outside Django's, to hold locks while Django's stays free.
    Watch pg_stat_activity only in autocommit: a transaction sees one snapshot of it throughout."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or None,
        autocommit=autocommit,
    )


class Worker:
    """One `celery worker` subprocess; its output goes to a log file the test can read."""

    def __init__(
        self,
        *,
        queue: str,
        env: dict,
        log_path: Path,
        pool: str = "solo",
        app: str = "chainsurvey",
        queues: list[str] | None = None,
    ):
        self.name = f"{queue}-{uuid.uuid4().hex[:6]}@%h"
        self.log_path = log_path
        self.app_name = f"worker-{uuid.uuid4().hex[:8]}"  # names its database session
        command = [
            *(sys.executable, "-m", "celery", "-A", app, "worker"),
            *(f"--pool={pool}", "--concurrency=1", f"--queues={','.join(queues or queue_names(queue))}"),
            f"--hostname={self.name}",
            *("--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel=INFO"),
        ]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env={**env, "PGAPPNAME": self.app_name},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
            )
        wait_for(self._ready, timeout=WORKER_READY_TIMEOUT, what="the worker to start", details=self.log)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited with {self.process.returncode}; its log:\n{self.log()}")
        return " ready." in self.log()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def pool_processes(self) -> list[int]:
        """Pids of the prefork pool's child processes (none with the solo pool)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def database_backend(self, cursor) -> tuple | None:
        """(pid, wait_event_type, query) of the worker's database session, if it has one."""
        cursor.execute(
            "SELECT pid, wait_event_type, query FROM pg_stat_activity WHERE application_name = %s",
            [self.app_name],
        )
        return cursor.fetchone()


@pytest.fixture
def celery_queue(transactional_db):
    """A queue of this test's own on the environment's Redis, this process sending to it
    for real (the conftest makes Celery eager); cleaned out of Redis afterwards."""
    require_postgresql()
    redis_url = require_redis()
    from chainsurvey.celery import app

    queue = f"test-rollups-{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        # Bounds every wait of this process on a lock the test or a worker holds.
        cursor.execute("SET lock_timeout = '20s'")
    saved = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    yield queue
    app.conf.task_always_eager, app.conf.task_default_queue = saved
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")
    client = redis.Redis.from_url(redis_url)
    # The queue, its bindings and the workers' remote-control queues all carry the queue's name...
    client.delete(*client.scan_iter(match=f"*{queue}*"), "_kombu.nothing")
    for member in client.smembers("_kombu.binding.celery.pidbox"):
        if queue.encode() in member:
            client.srem("_kombu.binding.celery.pidbox", member)
    # ...and a killed worker's message waits in the shared `unacked` hash: take out only this queue's.
    for tag, entry in client.hgetall("unacked").items():
        if json.loads(entry)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def start_worker(celery_queue, tmp_path):
    """Starts workers on the test database and the test's queue; kills them all in teardown."""
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": require_redis(),
        "DJANGO_SETTINGS_MODULE": "chainsurvey.settings",
    }
    workers: list[Worker] = []

    def start(*, pool: str = "solo", queues: list[str] | None = None, **extra_env: str) -> Worker:
        """A worker of the test's queues (all of them unless `queues` names some)."""
        log_path = tmp_path / f"worker-{len(workers)}.log"
        worker = Worker(queue=celery_queue, env={**env, **extra_env}, log_path=log_path, pool=pool, queues=queues)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


def current_results(cycle) -> dict:
    """What readers of the cycle's results see: the latest finished run and the snapshot rows."""
    done = RollupRun.objects.filter(cycle=cycle, state=State.DONE).order_by("-finished_at").first()
    if done is None:
        return {}
    summary = CycleSummary.objects.filter(cycle=cycle).values("run_id", "answers_count").first()
    return {
        "run": done.pk,
        "answers_count": done.answers_count,
        "finished_at": done.finished_at,
        "summary": summary,
        "scorecard": sorted(
            DepartmentResult.objects.filter(cycle=cycle).values_list(
                "department_id", "scope", "dimension", "suppressed", "ratings"
            )
        ),
    }


def request_rollup(cycle) -> RollupRun:
    """Request a roll-up as closing does, inside a transaction; the task is sent on commit."""
    with transaction.atomic():
        return runs.rollup_request(cycle=cycle)


def unacknowledged_runs(queue: str) -> list[int]:
    """Run ids of the roll-up messages of `queue` that a worker took but never acknowledged."""
    run_ids = []
    for entry in redis.Redis.from_url(require_redis()).hvals("unacked"):
        message, _exchange, routing_key = json.loads(entry)
        if routing_key == f"{queue}.rollups" and message["headers"]["task"] == "reports.tasks.rollup_cycle":
            body = json.loads(base64.b64decode(message["body"]))
            run_ids.append(body[1]["run_id"])  # protocol 2 body: (args, kwargs, embed)
    return run_ids


def run_state(run) -> str:
    run.refresh_from_db()
    return run.state


def test_closing_a_cycle_rolls_it_up_through_the_worker(start_worker):
    cycle = OpenCycleFactory(name="2026-Q1")
    add_uniform_answers(cycle, 6)
    worker = start_worker()

    # The roll-up must run in the worker: if it ran in this process, this stand-in would fail it.
    in_process = mock.Mock(side_effect=AssertionError("the roll-up ran in the test process"))
    with mock.patch.object(services, "rollup_cycle", in_process):
        cycle_close(cycle=cycle, by="the test")
        run = RollupRun.objects.get(cycle=cycle)
        wait_for(lambda: run_state(run) == State.DONE, timeout=ROLLUP_TIMEOUT, what=f"run {run.pk} to be done")

    assert in_process.call_count == 0
    assert run.answers_count == 6
    assert run.started_at <= run.finished_at
    assert "reports.tasks.rollup_cycle[" in worker.log() and "succeeded" in worker.log()


def test_a_rollup_waits_for_a_worker_of_the_rollups_queue(start_worker, celery_queue):
    # Split over hosts: the light worker (ballots, emails, sweeps) never takes a roll-up; the
    # roll-up waits in its own queue until a worker of that queue starts.
    cycle = OpenCycleFactory(name="2026-Q1")
    add_uniform_answers(cycle, 6)
    light = start_worker(queues=[celery_queue])
    cycle_close(cycle=cycle, by="the test")
    run = RollupRun.objects.get(cycle=cycle)
    rollups = f"{celery_queue}.rollups"
    waiting = redis.Redis.from_url(require_redis())
    wait_for(lambda: waiting.llen(rollups) == 1, timeout=ROLLUP_TIMEOUT, what=f"the roll-up message in {rollups}")
    time.sleep(1)  # the light worker, idle and listening, leaves it there
    assert run_state(run) == State.REQUESTED
    assert waiting.llen(rollups) == 1

    heavy = start_worker(queues=[rollups])
    wait_for(lambda: run_state(run) == State.DONE, timeout=ROLLUP_TIMEOUT, what=f"run {run.pk} to be done")
    assert "reports.tasks.rollup_cycle[" in heavy.log()
    assert "reports.tasks.rollup_cycle[" not in light.log()


@contextlib.contextmanager
def rollup_held_mid_transaction(worker: Worker, cycle):
    """Closes `cycle` and holds the worker's roll-up at the end of its transaction (new snapshot
    written, not committed), waiting for a lock on the run row that this context holds; yields the
    run. Kill the worker inside the block: on exit the lock is released and the killed session
    waited out, so what follows sees what a crash there leaves behind."""
    with raw_connection() as cycle_lock, raw_connection() as run_lock, raw_connection(autocommit=True) as observer:
        watch = observer.cursor()
        # Hold the cycle row so that the worker's roll-up waits right where its transaction begins.
        # NO KEY UPDATE still blocks its FOR UPDATE, but not the foreign-key check of the new run.
        cycle_lock.execute("SELECT id FROM surveys_cycle WHERE id = %s FOR NO KEY UPDATE", [cycle.pk])
        run = request_rollup(cycle)
        wait_for(
            lambda: (worker.database_backend(watch) or (None, None))[1] == "Lock",
            timeout=ROLLUP_TIMEOUT,
            what="the worker to wait for the cycle lock",
            details=worker.log,
        )
        assert run_state(run) == State.STARTED
        # Then let it through to the end of its transaction and hold it there: marking the run
        # done needs the run row, which we now hold.
        run_lock.execute("SELECT id FROM reports_rolluprun WHERE id = %s FOR UPDATE", [run.pk])
        cycle_lock.commit()
        pid, _, _ = wait_for(
            lambda: (b := worker.database_backend(watch)) and b[1] == "Lock" and "reports_rolluprun" in b[2] and b,
            timeout=ROLLUP_TIMEOUT,
            what="the worker to wait, mid-transaction, to mark the run done",
            details=worker.log,
        )
        yield run
        run_lock.rollback()
        # A killed worker's session ends once it gets the lock and finds its client gone; the
        # database rolls its transaction back.
        session_alive = "SELECT 1 FROM pg_stat_activity WHERE pid = %s"
        wait_for(
            lambda: watch.execute(session_alive, [pid]).fetchone() is None,
            timeout=10,
            what="the killed worker's database session to end",
        )


def test_killing_the_worker_mid_rollup_keeps_the_previous_results_and_the_next_worker_finishes_it(
    start_worker, celery_queue
):
    cycle = CycleFactory(name="2026-Q2", status="closed")
    add_uniform_answers(cycle, 3)
    services.rollup_cycle(cycle_id=cycle.pk)  # the previous roll-up, over 3 answers
    before = current_results(cycle)
    assert before["answers_count"] == 3
    assert before["summary"] == {"run_id": before["run"], "answers_count": 3} and before["scorecard"]
    add_uniform_answers(cycle, 2)  # e.g. a re-import: the next roll-up reads 5
    worker = start_worker()

    with rollup_held_mid_transaction(worker, cycle) as run:
        worker.kill()

    run.refresh_from_db()
    assert run.state == State.STARTED
    assert (run.finished_at, run.answers_count) == (None, None)
    assert current_results(cycle) == before
    # Acknowledged late: the killed worker's message is still in Redis, waiting to be redelivered.
    assert unacknowledged_runs(celery_queue) == [run.pk]

    # The stale re-run (on the beat schedule; called here without waiting for its threshold)
    # requests it again, and the next worker finishes it.
    (rerun,) = rollup_rerun_stale(stale_after=datetime.timedelta(0))
    next_worker = start_worker()
    wait_for(lambda: run_state(rerun) == State.DONE, timeout=ROLLUP_TIMEOUT, what=f"run {rerun.pk} to be done")
    assert rerun.answers_count == 5
    assert current_results(cycle)["run"] == rerun.pk
    assert run_state(run) == State.FAILED
    assert "reports.tasks.rollup_cycle[" in next_worker.log()


def test_a_pool_process_killed_mid_rollup_has_its_rollup_redelivered_and_finished(start_worker, celery_queue):
    # With the prefork pool the worker outlives its process: reject_on_worker_lost puts the
    # message back at once, and the worker runs it again in a new process.
    cycle = CycleFactory(name="2026-Q3", status="closed")
    add_uniform_answers(cycle, 4)
    worker = start_worker(pool="prefork")

    with rollup_held_mid_transaction(worker, cycle) as run:
        (process,) = worker.pool_processes()
        os.kill(process, signal.SIGKILL)

    wait_for(lambda: run_state(run) == State.DONE, timeout=ROLLUP_TIMEOUT, what=f"run {run.pk} to be redone")
    assert run.answers_count == 4
    # The worker logs "succeeded" after the task returns, a moment after the run's commit.
    wait_for(lambda: "] succeeded" in worker.log(), timeout=ROLLUP_TIMEOUT, what="the worker to log the success")
    log = worker.log()
    assert "WorkerLostError" in log
    # The same message, delivered twice: once to the killed process, once to its successor.
    (task_id,) = set(re.findall(r"reports\.tasks\.rollup_cycle\[([0-9a-f-]+)\] received", log))
    assert log.count(f"rollup_cycle[{task_id}] received") == 2
    assert log.count(f"rollup_cycle[{task_id}] succeeded") == 1
    assert unacknowledged_runs(celery_queue) == []


def test_hr_downloads_a_pdf_built_by_the_worker_through_a_shared_folder(
    start_worker, client, org, hr, settings, tmp_path
):
    """Background exports as a deployment runs them: a real worker writes the file into the folder
    it shares with the web app, and the polling page hands it over byte for byte."""
    shared = tmp_path / "exports"
    shared.mkdir()
    settings.REDIS_URL = require_redis()
    settings.CHAINSURVEY_BACKGROUND_EXPORTS = True
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": shared}},
    }
    cycle = published_cycle()
    add_answers(cycle, rate(cycle, org["sales"], org["it"], raters=3, score=4))
    services.rollup_cycle(cycle_id=cycle.id)
    worker = start_worker(CHAINSURVEY_EXPORT_ROOT=str(shared), CHAINSURVEY_BACKGROUND_EXPORTS="1")

    client.force_login(hr.user)
    asked = client.get("/reports/2026-Q3/scorecards.pdf")
    assert asked.status_code == 202
    status = re.search(rb'url=(/reports/exports/[0-9a-f-]+/)"', asked.content).group(1).decode()
    wait_for(
        lambda: b'data-export-status="done"' in client.get(status).content,
        timeout=ROLLUP_TIMEOUT,
        what="the worker to build the PDF",
        details=worker.log,
    )
    downloaded = b"".join(client.get(f"{status}file").streaming_content)
    expected = io.BytesIO()
    render_scorecards(cycle_id=cycle.id, fmt="pdf", stream=expected)
    assert downloaded == expected.getvalue()
    assert "reports.tasks.export_scorecards[" in worker.log() and "succeeded" in worker.log()
