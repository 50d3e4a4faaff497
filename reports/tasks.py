"""Celery tasks of the reports app: thin wrappers around services, taking ids.

`rollup_cycle` is enqueued on commit when a cycle closes. It is safe to run twice (the service
replaces the snapshot in one transaction), so it is acknowledged only after it finishes: a worker
killed mid-run leaves the message to be delivered again, and `rerun_stale_rollups` (on the beat
schedule) re-requests any run that still did not finish.
"""

import datetime
import logging

import kombu.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError

import chainsurvey.celery  # noqa: F401 - the app these shared tasks bind to (not loaded at start-up)

from . import runs

logger = logging.getLogger(__name__)

# Worth another try: the database or the broker went away for a moment, a deadlock, a lock timeout.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)


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
def rollup_cycle(*, cycle_id: int, run_id: int | None = None) -> int:
    # Imported here: the roll-up needs pandas, which the worker should not load until it rolls up.
    from . import services

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


def enqueue_rollup(*, cycle_id: int, run_id: int) -> bool:
    """Send the roll-up to the workers; returns False, logging why, when the broker is unreachable.

    Meant for `transaction.on_commit`: the cycle is already closed and the run recorded as
    requested, so an outage must not turn the close into an error; the stale re-run sends it later.
    """
    try:
        rollup_cycle.delay(cycle_id=cycle_id, run_id=run_id)
    except kombu.exceptions.OperationalError:
        logger.warning("Broker unreachable: roll-up run %s of cycle %s will be re-requested later", run_id, cycle_id)
        return False
    return True
