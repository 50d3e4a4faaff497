"""The export task: HR's workbook or PDF built by a worker for a large company (reports.downloads
sends it when a broker is configured; without one the request builds the file itself).

It renders with `reports.exporters.render_scorecards`, the function `manage.py export_scorecards`
and the in-request download use, so the file is byte for byte theirs, and stores it with
`reports.export_jobs`, which the status and file views read. It is safe to run twice (the file and
the record are rewritten whole), so it is acknowledged only after it finishes. A job already
finished or purged is skipped. Its name is `reports.tasks.export_scorecards`; `reports.tasks`
imports it, so the worker registers it.
"""

import io
import logging

from celery import shared_task

from chainsurvey.celery import TRANSIENT_ERRORS  # also binds this shared task to our app

from . import export_jobs, replica
from .exporters import render_scorecards

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.tasks.export_scorecards",
    ignore_result=True,  # the job's record is the result
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=4,
    acks_late=True,
    reject_on_worker_lost=True,
)
def export_scorecards(
    *, export_id: str, cycle_id: int, fmt: str, department_id: int | None = None, language: str | None = None
) -> str | None:
    job = export_jobs.load(export_id)
    if job is None or job.status != export_jobs.PENDING:
        logger.info("Export %s is finished or gone: skipped", export_id)
        return None
    content = io.BytesIO()
    try:
        # A published cycle's file (the download checked it): from the read replica when it holds it.
        with replica.snapshot_reads(cycle_id=cycle_id):
            found = render_scorecards(
                cycle_id=cycle_id, fmt=fmt, stream=content, department_id=department_id, language=language
            )
    except TRANSIENT_ERRORS:
        raise  # retried; the page keeps polling
    except Exception as exc:
        export_jobs.give_up(job, export_jobs.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    if not found:
        export_jobs.give_up(job, export_jobs.EMPTY, "no results")
        return export_jobs.EMPTY
    export_jobs.finish(job, content.getvalue())
    return export_jobs.DONE
