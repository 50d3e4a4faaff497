"""The Celery app. Broker and results on Redis from REDIS_URL; without it tasks run in-process.

Next to the web app, with the same DATABASE_URL and REDIS_URL, run workers and one beat (it sweeps
the ballot box, closes cycles whose closing day is over and re-requests stalled roll-ups;
--schedule is its state file):

    celery -A chainsurvey worker --loglevel=INFO
    celery -A chainsurvey beat --loglevel=INFO --schedule=/tmp/celerybeat-schedule

Configuration is the CELERY_* block of settings.py.
"""

import os

import kombu.exceptions
from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")

# Worth another try: the database or the broker went away for a moment, a deadlock, a lock timeout.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)

app = Celery("chainsurvey")
app.config_from_object("django.conf:settings", namespace="CELERY")
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
