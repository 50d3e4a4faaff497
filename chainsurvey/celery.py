"""The Celery app. Broker and results on Redis from REDIS_URL; without it tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")

app = Celery("chainsurvey")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
