"""Celery tasks of the surveys app: closing cycles whose last answering day has passed.

On the beat schedule next to the stale roll-up re-run; closing goes through `cycle_close`, so the
roll-up is requested in the closing transaction and enqueued when it commits.
"""

import datetime

from celery import shared_task
from django.utils import timezone

import chainsurvey.celery  # noqa: F401 - the app these shared tasks bind to (not loaded at start-up)
from reports.tasks import TRANSIENT_ERRORS
from surveys.models import Cycle
from surveys.services.cycles import CycleError, cycle_close


def cycles_close_due(*, today: datetime.date | None = None) -> list[Cycle]:
    """Close every open cycle whose closing day is over (answers are accepted until the end of
    that day); returns the cycles closed. A cycle without a closing day stays open until closed
    by hand. There is at most one open cycle (a database constraint), so the loop is short."""
    today = today or timezone.localdate()
    closed = []
    for cycle in Cycle.objects.filter(status=Cycle.Status.OPEN, closes_on__lt=today):
        try:
            closed.append(cycle_close(cycle=cycle, by="the schedule"))
        except CycleError:
            continue  # closed by hand in the meantime: nothing left to do
    return closed


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def close_due_cycles() -> list[int]:
    return [cycle.pk for cycle in cycles_close_due()]
