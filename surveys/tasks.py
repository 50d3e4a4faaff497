"""Celery tasks of the surveys app: the ballot box, and closing cycles whose last day has passed.

Both are on the beat schedule (settings.CELERY_BEAT_SCHEDULE). The ballot box is also started
when a submission commits and its department then fills a batch. Closing is the service
`cycles_close_due` (surveys.services.cycles), which goes through `cycle_close`: it moves the last
ballots and requests the roll-up in the closing transaction.
"""

import logging

import kombu.exceptions
from celery import shared_task

from chainsurvey.celery import TRANSIENT_ERRORS, app  # also binds these shared tasks to our app
from surveys.services.ballots import ballots_move, ballots_move_waiting
from surveys.services.cycles import cycles_close_due

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def close_due_cycles() -> list[int]:
    return [cycle.pk for cycle in cycles_close_due()]


@shared_task(ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def move_ballots(*, cycle_id: int | None = None) -> int:
    """Move the batches waiting in the ballot box: of one cycle, or (the beat's sweep) of every open one."""
    return ballots_move_waiting() if cycle_id is None else ballots_move(cycle_id=cycle_id)


def tasks_run_in_process() -> bool:
    """Whether a task sent from this process runs in it, right away (no broker: REDIS_URL unset)."""
    return app.conf.task_always_eager


def enqueue_ballots_move(*, cycle_id: int) -> None:
    """Start the ballot box for `cycle_id`, after a submission committed (`transaction.on_commit`).

    The submission is stored whatever happens here: if the broker is down, or the in-process move
    fails, the ballots wait for the beat's sweep (every minute) or the close, and the person who
    just submitted is not shown an error.
    """
    try:
        move_ballots.delay(cycle_id=cycle_id)
    except kombu.exceptions.OperationalError:
        logger.warning("Broker unreachable: the ballot box of cycle %s moves at the next sweep", cycle_id)
    except Exception:
        logger.exception("Ballot box of cycle %s failed; the ballots wait for the next sweep", cycle_id)
