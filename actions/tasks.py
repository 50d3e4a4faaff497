"""Celery tasks for the reminders and news about commitments (actions.notices).

`send_due_commitment_notices` runs on the beat schedule (CHAINSURVEY_NOTICES_EVERY seconds): it
lists the emails due and enqueues one `send_commitment_notice_batch` per
CHAINSURVEY_EMAIL_BATCH_SIZE of them. Each batch plans again and claims its own emails, so what
became undue meanwhile, or was taken by a concurrent batch, is not sent; a mail-server refusal
withdraws the unsent claims and retries the batch with backoff, and the next tick picks up
whatever is still due.
"""

from collections import Counter

from celery import shared_task
from django.conf import settings

from chainsurvey.celery import TRANSIENT_ERRORS
from invitations.mail import NoticeSendError

from . import notices

MAX_ATTEMPTS = 5


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def send_due_commitment_notices() -> dict[str, int]:
    due = notices.notices_due()
    size = settings.CHAINSURVEY_EMAIL_BATCH_SIZE
    for start in range(0, len(due), size):
        send_commitment_notice_batch.delay(due=[d.as_list() for d in due[start : start + size]])
    return dict(Counter(d.kind for d in due))


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(NoticeSendError, *TRANSIENT_ERRORS),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS,
)
def send_commitment_notice_batch(self, *, due: list[list]) -> int:
    return notices.notices_send(only=[notices.Due(*key) for key in due]).sent


class ChatRefused(Exception):
    """The chat service answered with an error (retried)."""


@shared_task(
    ignore_result=True,
    autoretry_for=(*TRANSIENT_ERRORS, ChatRefused, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=MAX_ATTEMPTS,
)
def post_to_chat(*, text: str) -> int:
    """POST `{"text": …}` to CHAINSURVEY_WEBHOOK_URL; the HTTP status, or a retry on failure."""
    import requests

    try:
        response = requests.post(settings.CHAINSURVEY_WEBHOOK_URL, json={"text": text}, timeout=10)
    except requests.RequestException as exc:
        raise ChatRefused(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 400:
        raise ChatRefused(f"the chat service answered {response.status_code}")
    return response.status_code
