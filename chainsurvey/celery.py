"""The Celery app. Broker and results on Redis from REDIS_URL; without it tasks run in-process.

Next to the web app, with the same DATABASE_URL and REDIS_URL, run workers and one beat (it sweeps
the ballot box, closes cycles whose closing day is over and re-requests stalled roll-ups;
--schedule is its state file):

    celery -A chainsurvey worker --loglevel=INFO
    celery -A chainsurvey beat --loglevel=INFO --schedule=/tmp/celerybeat-schedule

Configuration is the CELERY_* block of settings.py. Tasks go to three queues named after the
deployment's queue (`CHAINSURVEY_CELERY_QUEUE`, default `celery`): roll-ups to `<queue>.rollups`,
background exports to `<queue>.exports`, everything else (ballot moves, emails, sweeps) to
`<queue>`. A worker started without `-Q` consumes all three; `-Q` splits them over hosts
(docs/architecture.md).
"""

import os

import kombu.exceptions
from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from django.db import InterfaceError, OperationalError
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")

# Worth another try: the database or the broker went away for a moment, a deadlock, a lock timeout.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)

# The heavy tasks, each on a queue of its own: `<default queue>.<part>`.
QUEUE_PARTS = {"reports.tasks.rollup_cycle": "rollups", "reports.tasks.export_scorecards": "exports"}


def queue_names(default: str) -> list[str]:
    """Every queue of a deployment whose default queue is `default`, the default first."""
    return [default, *(f"{default}.{part}" for part in dict.fromkeys(QUEUE_PARTS.values()))]


def route(name, args, kwargs, options, task=None, **kw):
    """Celery router: a heavy task to its own queue, named after the default queue as it is when
    the task is sent (so a deployment, or a test, that names its own queue has its own three)."""
    part = QUEUE_PARTS.get(name)
    return {"queue": f"{app.conf.task_default_queue}.{part}"} if part else None


app = Celery("chainsurvey")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = (route,)
# Declared, so that a worker started without -Q consumes every queue of the deployment.
app.conf.task_queues = [Queue(name) for name in queue_names(app.conf.task_default_queue)]
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_format(logger, **kwargs):
    """Worker and beat log lines in the format of the web app (JSON in production)."""
    from django.conf import settings

    if settings.LOG_FORMAT == "json":
        from .logs import JsonFormatter

        for handler in logger.handlers:
            handler.setFormatter(JsonFormatter())
