"""The project's Celery app as fault tests run it in worker and beat subprocesses: everything goes
to the test's own queue (so nothing lands in, or is taken from, anyone else's), and beat runs only
the roll-up recovery, every few seconds instead of every 30 (its production interval is pinned by
tests/reports/test_runs.py)."""

import os

from chainsurvey.celery import app

app.conf.task_default_queue = os.environ["CHAINSURVEY_TEST_QUEUE"]
app.conf.beat_schedule = {
    "recover-rollups": {
        "task": "reports.tasks.recover_rollups",
        "schedule": float(os.environ.get("CHAINSURVEY_TEST_RECOVER_EVERY", "2")),
        "kwargs": {"unsent_grace_seconds": 1, "orphan_grace_seconds": 2},
        "options": {"expires": 10},
    },
}
