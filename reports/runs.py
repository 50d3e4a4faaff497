"""Roll-up run bookkeeping around the roll-up service: requesting a roll-up and sending it to the
workers, whether one is on its way, which runs stalled and re-requesting them. Plain functions;
the beat tasks (reports.tasks) are thin wrappers. This is the one module that sends the roll-up
task (reports.rollup_task); the roll-up service (reports.services) only computes.

A run stalls when its message never reached a worker (Redis was down at close) or the worker
died mid-run (the roll-up transaction rolled back, so the previous snapshot is still current).
Two quick checks on a short beat interval (`rollup_recover`) find both cases within a minute:
a run the broker never got (`sent_at` empty) is sent again, and a started run whose cycle row is
not locked is orphaned, because a live roll-up holds that lock from start to commit. The slower
time-based re-run (`rollup_rerun_stale`) stays as the net for anything else.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.models import Cycle

from .models import RollupRun

logger = logging.getLogger(__name__)

# How often beat runs `rollup_recover` (settings.CELERY_BEAT_SCHEDULE), and how long a run is left
# alone first: the close sends its run itself right after committing, and a started roll-up takes
# its cycle's lock within milliseconds. Together they bound recovery to well under two minutes.
RECOVER_EVERY = 30
UNSENT_GRACE = datetime.timedelta(seconds=10)
ORPHAN_GRACE = datetime.timedelta(seconds=15)


def rollup_request(*, cycle: Cycle) -> RollupRun:
    """Record that `cycle` needs a roll-up and enqueue it once the caller's transaction commits."""
    run = RollupRun.objects.create(cycle=cycle)
    # A broker outage must not fail the close: the run stays requested and beat re-requests it.
    transaction.on_commit(partial(enqueue_rollup, cycle_id=cycle.id, run_id=run.id))
    return run


def enqueue_rollup(*, cycle_id: int, run_id: int) -> bool:
    """Send the roll-up to the workers and note it on the run; returns False, logging why, when the
    broker is unreachable.

    Meant for `transaction.on_commit`: the cycle is already closed and the run recorded as
    requested, so an outage must not turn the close into an error. The run stays unsent, which the
    close reports, and `recover_rollups` sends it once the broker is back.
    """
    # Imported on use, not to dodge a circle (rollup_task imports no module that imports this one):
    # Celery and kombu (~0.2 s) load only where a task is sent or run, not in every process that
    # reads run states.
    import kombu.exceptions

    from .rollup_task import rollup_cycle

    try:
        rollup_cycle.delay(cycle_id=cycle_id, run_id=run_id)
    except kombu.exceptions.OperationalError:
        logger.warning("Broker unreachable: roll-up run %s of cycle %s will be sent once it is back", run_id, cycle_id)
        return False
    RollupRun.objects.filter(pk=run_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def rollup_pending(*, cycle: Cycle | int) -> bool:
    """Whether the cycle's latest roll-up run is still on its way (requested or started). One query."""
    return RollupRun.objects.pending().filter(pk__in=RollupRun.objects.latest_for(cycle).values("pk")).exists()


def stale_after_default() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CHAINSURVEY_ROLLUP_STALE_AFTER)


def stale_rollup_runs(*, now: datetime.datetime | None = None, stale_after: datetime.timedelta | None = None):
    """Each cycle's latest run, where it is still requested or started, has not moved for longer
    than `stale_after`, and no done run started after it was requested (which would already hold
    everything it asked for). One query."""
    now = now or timezone.now()
    cutoff = now - (stale_after if stale_after is not None else stale_after_default())
    latest_of_cycle = RollupRun.objects.latest_for(OuterRef("cycle_id"))
    done_since_requested = RollupRun.objects.filter(
        cycle_id=OuterRef("cycle_id"), state=RollupRun.State.DONE, started_at__gte=OuterRef("requested_at")
    )
    return (
        RollupRun.objects.pending()
        .alias(last_moved=Coalesce("started_at", "requested_at"))
        .filter(last_moved__lt=cutoff)
        .filter(pk=Subquery(latest_of_cycle.values("pk")))
        .filter(~Exists(done_since_requested))
        .order_by("cycle_id")
    )


def rollup_rerun_stale(
    *, now: datetime.datetime | None = None, stale_after: datetime.timedelta | None = None
) -> list[RollupRun]:
    """Re-request the roll-up of every cycle whose latest run stalled; returns the new runs.

    The stalled run is marked failed (with why) and a fresh run is requested, so a cycle is
    re-enqueued at most once per `stale_after` even while no worker is running. If the old message
    is redelivered after all, the roll-up simply runs twice: it is idempotent.
    """

    stale_after = stale_after if stale_after is not None else stale_after_default()
    with transaction.atomic():
        # skip_locked: two schedulers ticking at once do not both re-request the same cycle.
        stale = list(stale_rollup_runs(now=now, stale_after=stale_after).select_for_update(skip_locked=True))
        if not stale:
            return []
        return _rerequest(
            stale, error=f"Not finished {int(stale_after.total_seconds())} s after it was requested; re-requested."
        )


def _rerequest(stalled: list[RollupRun], *, error: str) -> list[RollupRun]:
    """Mark `stalled` failed with `error` and request a fresh run of each of their cycles, sent when
    the caller's transaction commits. A late message of a stalled run is then skipped by the task."""
    RollupRun.objects.filter(pk__in=[run.pk for run in stalled]).update(
        state=RollupRun.State.FAILED, finished_at=timezone.now(), error=error
    )
    fresh = RollupRun.objects.bulk_create([RollupRun(cycle_id=run.cycle_id) for run in stalled])
    for run in fresh:
        transaction.on_commit(lambda run=run: enqueue_rollup(cycle_id=run.cycle_id, run_id=run.pk))
    return fresh


def rollup_resend_unsent(*, now: datetime.datetime | None = None, grace: datetime.timedelta = UNSENT_GRACE):
    """Send again every pending run the broker never received (it was unreachable when the run was
    requested); returns them. Runs while the broker is back, since beat reaches the worker through it."""
    now = now or timezone.now()
    with transaction.atomic():
        unsent = list(
            stale_rollup_runs(now=now, stale_after=grace)
            .filter(state=RollupRun.State.REQUESTED, sent_at__isnull=True)
            .select_for_update(skip_locked=True)
        )
        for run in unsent:
            transaction.on_commit(lambda run=run: enqueue_rollup(cycle_id=run.cycle_id, run_id=run.pk))
    return unsent


def rollup_rerun_orphaned(*, now: datetime.datetime | None = None, grace: datetime.timedelta = ORPHAN_GRACE):
    """Re-request every started run whose roll-up is no longer running; returns the new runs.

    A roll-up holds its cycle's row lock (FOR UPDATE) from the start of its transaction to the
    commit, so a started run whose cycle row can be locked has no live worker: it was killed and
    its transaction rolled back. Found at once instead of after Redis's visibility timeout (an
    hour) or the stale threshold. A roll-up queued behind another one of the same cycle waits on
    that lock, so it reads as alive, correctly. PostgreSQL only: SQLite has no row locks (and runs
    its roll-ups in-process), so there it is left to the time-based re-run.
    """
    if transaction.get_connection().vendor != "postgresql":
        return []
    now = now or timezone.now()
    with transaction.atomic():
        started = list(
            stale_rollup_runs(now=now, stale_after=grace)
            .filter(state=RollupRun.State.STARTED)
            .select_for_update(skip_locked=True, of=("self",))
        )
        if not started:
            return []
        # NO KEY UPDATE conflicts with the roll-up's FOR UPDATE but not with foreign-key checks of
        # rows being inserted elsewhere; SKIP LOCKED returns only the cycles nobody is rolling up.
        free = set(
            Cycle.objects.filter(pk__in=[run.cycle_id for run in started])
            .select_for_update(no_key=True, skip_locked=True)
            .values_list("pk", flat=True)
        )
        orphaned = [run for run in started if run.cycle_id in free]
        if not orphaned:
            return []
        return _rerequest(
            orphaned, error="Its worker stopped mid-run (the roll-up was no longer running); re-requested."
        )


def rollup_recover(*, unsent_grace: datetime.timedelta = UNSENT_GRACE, orphan_grace: datetime.timedelta = ORPHAN_GRACE):
    """The quick checks beat runs every RECOVER_EVERY seconds: (runs sent again, runs re-requested)."""
    return rollup_resend_unsent(grace=unsent_grace), rollup_rerun_orphaned(grace=orphan_grace)


def rollup_outlook(*, cycle_id: int) -> tuple[bool, str]:
    """What became of the cycle's latest roll-up request, in words for whoever closed it, and
    whether that is as expected (False: it failed, or it waits for the broker to come back).
    Call it after the closing transaction committed: the run is sent on commit."""
    run = RollupRun.objects.latest_for(cycle_id).first()
    if run is None:
        return False, "no roll-up was requested."
    if run.state == RollupRun.State.DONE:
        return True, f"its roll-up is done ({run.answers_count} answers)."
    if run.state == RollupRun.State.FAILED:
        return False, f"its roll-up failed: {run.error} (see Roll-up runs in the admin)."
    if run.sent_at is None:
        return False, (
            "the Celery broker (Redis) cannot be reached, so its roll-up is not queued yet. It is recorded, "
            f"and sent by itself within {RECOVER_EVERY + UNSENT_GRACE.seconds} s of Redis and the Celery "
            "worker and beat being back: nothing else to do."
        )
    return True, "its roll-up was sent to a Celery worker (see Roll-up runs in the admin)."


def rollup_finished(cycle_id: int) -> bool:
    """Whether the cycle's latest roll-up run is done (and so its snapshot complete and current). One query."""
    latest = RollupRun.objects.latest_for(cycle_id).values("state").first()
    return latest is not None and latest["state"] == RollupRun.State.DONE
