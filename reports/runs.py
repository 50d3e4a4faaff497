"""Roll-up run bookkeeping around the roll-up service: which runs stalled, re-requesting them, and
recording a run that failed for good. Plain functions; the Celery tasks are thin wrappers.

A run stalls when its message never reached a worker (Redis was down at close) or the worker
died mid-run (the roll-up transaction rolled back, so the previous snapshot is still current).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import RollupRun

PENDING_STATES = (RollupRun.State.REQUESTED, RollupRun.State.STARTED)


def stale_after_default() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CHAINSURVEY_ROLLUP_STALE_AFTER)


def stale_rollup_runs(*, now: datetime.datetime | None = None, stale_after: datetime.timedelta | None = None):
    """Each cycle's latest run, where it is still requested or started, has not moved for longer
    than `stale_after`, and no done run started after it was requested (which would already hold
    everything it asked for). One query."""
    now = now or timezone.now()
    cutoff = now - (stale_after if stale_after is not None else stale_after_default())
    latest_of_cycle = RollupRun.objects.filter(cycle_id=OuterRef("cycle_id")).order_by("-requested_at", "-id")
    done_since_requested = RollupRun.objects.filter(
        cycle_id=OuterRef("cycle_id"), state=RollupRun.State.DONE, started_at__gte=OuterRef("requested_at")
    )
    return (
        RollupRun.objects.filter(state__in=PENDING_STATES)
        .alias(last_moved=Coalesce("started_at", "requested_at"))
        .filter(last_moved__lt=cutoff)
        .filter(pk=Subquery(latest_of_cycle.values("pk")[:1]))
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
    from .tasks import enqueue_rollup

    stale_after = stale_after if stale_after is not None else stale_after_default()
    with transaction.atomic():
        # skip_locked: two schedulers ticking at once do not both re-request the same cycle.
        stale = list(stale_rollup_runs(now=now, stale_after=stale_after).select_for_update(skip_locked=True))
        if not stale:
            return []
        RollupRun.objects.filter(pk__in=[run.pk for run in stale]).update(
            state=RollupRun.State.FAILED,
            finished_at=timezone.now(),
            error=f"Not finished {int(stale_after.total_seconds())} s after it was requested; re-requested.",
        )
        fresh = RollupRun.objects.bulk_create([RollupRun(cycle_id=run.cycle_id) for run in stale])
        for run in fresh:
            transaction.on_commit(lambda run=run: enqueue_rollup(cycle_id=run.cycle_id, run_id=run.pk))
    return fresh


def rollup_run_fail(*, run_id: int, error: str) -> bool:
    """Record that a run failed for good (not a transient error); returns whether a run changed.

    A run already done is left alone: a late failure report must not hide a finished snapshot.
    """
    updated = (
        RollupRun.objects.filter(pk=run_id)
        .filter(~Q(state=RollupRun.State.DONE))
        .update(state=RollupRun.State.FAILED, finished_at=timezone.now(), error=error[:2000])
    )
    return bool(updated)


def rollup_finished(cycle_id: int) -> bool:
    """Whether the cycle's latest roll-up run is done (and so its snapshot complete and current). One query."""
    latest = RollupRun.objects.filter(cycle_id=cycle_id).order_by("-requested_at", "-id").values("state").first()
    return latest is not None and latest["state"] == RollupRun.State.DONE
