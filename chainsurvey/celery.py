"""The Celery app. Broker and results on Redis from REDIS_URL; without it tasks run in-process.

Run a worker and the beat scheduler (which re-requests stalled roll-ups) next to the web app:

    REDIS_URL=redis://127.0.0.1:6379/0 celery -A chainsurvey worker --loglevel=INFO --concurrency=2
    REDIS_URL=redis://127.0.0.1:6379/0 celery -A chainsurvey beat --loglevel=INFO \\
        --schedule=/var/lib/chainsurvey/celerybeat-schedule

Exactly one beat runs per installation. Configuration is the CELERY_* block of settings.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")

app = Celery("chainsurvey")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
