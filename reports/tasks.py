"""Celery tasks of the reports app: thin wrappers around services, taking ids.

`rollup_cycle` is enqueued on commit when a cycle closes. It is safe to run twice (the service
replaces the snapshot in one transaction), so it is acknowledged only after it finishes: a pool
process killed mid-run has its message delivered again at once. When the whole worker dies, or the
broker was down at close, `recover_rollups` (beat, every 30 s) sends or re-requests the run, and
`rerun_stale_rollups` re-requests anything else that still did not finish.
"""

import datetime
import logging

import kombu.exceptions
from celery import shared_task

from chainsurvey.celery import TRANSIENT_ERRORS  # also binds these shared tasks to our app

from . import runs

logger = logging.getLogger(__name__)


@shared_task(
    ignore_result=True,  # the RollupRun row is the record of what happened
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=6,
    acks_late=True,
    reject_on_worker_lost=True,
)
def rollup_cycle(*, cycle_id: int, run_id: int | None = None) -> int | None:
    # Imported here: the roll-up needs numpy, which the worker should not load until it rolls up.
    from . import services

    if run_id is not None and runs.rollup_run_superseded(run_id=run_id):
        # A late copy of a message whose run finished or was replaced (e.g. redelivered after
        # Redis's visibility timeout, once recovery had already re-run it): nothing left to do.
        logger.info("Roll-up run %s of cycle %s is already finished or replaced: skipped", run_id, cycle_id)
        return None
    try:
        return services.rollup_cycle(cycle_id=cycle_id, run_id=run_id).pk
    except TRANSIENT_ERRORS:
        # Retried with backoff; if the outage outlasts the retries the run stays pending and the
        # stale re-run requests it again later.
        raise
    except Exception as exc:
        # A bug or bad data: record it on the run (shown in the admin) so it is not retried forever.
        if run_id is not None:
            runs.rollup_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def rerun_stale_rollups(*, stale_after_seconds: float | None = None) -> list[int]:
    stale_after = None if stale_after_seconds is None else datetime.timedelta(seconds=stale_after_seconds)
    return [run.pk for run in runs.rollup_rerun_stale(stale_after=stale_after)]


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def recover_rollups(*, unsent_grace_seconds: float | None = None, orphan_grace_seconds: float | None = None):
    """Beat, every 30 s: send runs the broker never got, re-request runs whose worker died."""
    graces = {}
    if unsent_grace_seconds is not None:
        graces["unsent_grace"] = datetime.timedelta(seconds=unsent_grace_seconds)
    if orphan_grace_seconds is not None:
        graces["orphan_grace"] = datetime.timedelta(seconds=orphan_grace_seconds)
    resent, rerequested = runs.rollup_recover(**graces)
    return {"resent": [run.pk for run in resent], "rerequested": [run.pk for run in rerequested]}


def enqueue_rollup(*, cycle_id: int, run_id: int) -> bool:
    """Send the roll-up to the workers and note it on the run; returns False, logging why, when the
    broker is unreachable.

    Meant for `transaction.on_commit`: the cycle is already closed and the run recorded as
    requested, so an outage must not turn the close into an error. The run stays unsent, which the
    close reports, and `recover_rollups` sends it once the broker is back.
    """
    from django.utils import timezone

    from .models import RollupRun

    try:
        rollup_cycle.delay(cycle_id=cycle_id, run_id=run_id)
    except kombu.exceptions.OperationalError:
        logger.warning("Broker unreachable: roll-up run %s of cycle %s will be sent once it is back", run_id, cycle_id)
        return False
    RollupRun.objects.filter(pk=run_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return True
