"""Celery tasks of the reports app: thin wrappers around services, taking ids."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def rollup_cycle(*, cycle_id: int, run_id: int | None = None) -> int:
    return services.rollup_cycle(cycle_id=cycle_id, run_id=run_id).pk
