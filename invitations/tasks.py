"""Celery tasks for invitations and reminders: a beat tick plans what is due and fans out batches.

`send_due_notices` runs on the beat schedule (CHAINSURVEY_NOTICES_EVERY seconds): it records the
notices due for the open cycle and enqueues one `send_notice_batch` per batch of pending notices.
Each batch claims its own rows (skip_locked), so surplus or concurrent batches find nothing to do;
a mail-server refusal puts the unsent rows back to pending and retries the batch with backoff,
and the next tick picks up whatever is still pending.
"""

import math

from celery import shared_task
from django.conf import settings

from chainsurvey.celery import TRANSIENT_ERRORS

from . import services


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def send_due_notices() -> dict[str, int]:
    plan = services.notices_due()
    for kind, pending in plan.pending.items():
        for _ in range(math.ceil(pending / settings.CHAINSURVEY_EMAIL_BATCH_SIZE)):
            send_notice_batch.delay(cycle_id=plan.cycle_id, kind=kind)
    return plan.pending


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(services.NoticeSendError, *TRANSIENT_ERRORS),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS,
)
def send_notice_batch(self, *, cycle_id: int, kind: str) -> int:
    return services.notices_send_batch(cycle_id=cycle_id, kind=kind).sent
