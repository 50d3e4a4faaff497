"""The roll-up task: what `reports.runs` sends when a roll-up is requested, and nothing else.

It is safe to run twice (the roll-up service replaces the snapshot in one transaction), so it is
acknowledged only after it finishes: a pool process killed mid-run has its message delivered again
at once. Its own bookkeeping is on the run's row: a late copy of a finished run's message is
skipped, and a real failure (not a transient one) is recorded. Whatever else becomes of a run
(sent again, re-requested) is `reports.runs`, which the beat tasks in `reports.tasks` call.

Kept apart from `reports.tasks` so that the import graph has no circle: `runs` sends this task,
`tasks` calls `runs`, and this module imports neither. Its name stays `reports.tasks.rollup_cycle`,
which queued messages and worker logs carry; `reports.tasks` imports it, so the worker registers it.
"""

import logging

from celery import shared_task

from chainsurvey.celery import TRANSIENT_ERRORS  # also binds this shared task to our app

from . import services
from .models import RollupRun

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.tasks.rollup_cycle",
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
    if run_id is not None and RollupRun.objects.finished().filter(pk=run_id).exists():
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
            RollupRun.objects.filter(pk=run_id).mark_failed(f"{type(exc).__name__}: {exc}")
        raise
