"""Celery tasks of the reports app: thin wrappers around `reports.runs`, taking ids.

`rollup_cycle` (reports.rollup_task, imported here so that the worker registers it) is sent on
commit when a cycle closes. When the whole worker dies, or the broker was down at close,
`recover_rollups` (beat, every 30 s) sends or re-requests the run, and `rerun_stale_rollups`
re-requests anything else that still did not finish.

`export_scorecards` (reports.export_task) builds a workbook or PDF that HR asked for when a broker
is configured; `purge_expired_exports` (beat) deletes those files once they expire.
"""

import datetime

from celery import shared_task

from chainsurvey.celery import TRANSIENT_ERRORS  # also binds these shared tasks to our app

from . import export_jobs, runs
from .export_task import export_scorecards
from .rollup_task import rollup_cycle

__all__ = ["export_scorecards", "purge_expired_exports", "recover_rollups", "rerun_stale_rollups", "rollup_cycle"]


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


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def purge_expired_exports() -> list[str]:
    """Beat: delete HR's exported files (and their records) older than CHAINSURVEY_EXPORT_EXPIRES_AFTER."""
    return export_jobs.purge_expired()
