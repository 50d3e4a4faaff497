"""Reads for HR: how many invitations and reminders of a cycle went out (one query)."""

from dataclasses import dataclass

from django.db.models import Count

from surveys.models import Cycle

from .models import Notice


@dataclass(frozen=True)
class NoticeCounts:
    """Messages of one cycle by kind: sent, still to send (pending or being sent), failed."""

    invitations_sent: int = 0
    invitations_waiting: int = 0
    invitations_failed: int = 0
    reminders_sent: int = 0
    reminders_waiting: int = 0
    reminders_failed: int = 0


_BUCKET = {
    Notice.Status.SENT: "sent",
    Notice.Status.PENDING: "waiting",
    Notice.Status.SENDING: "waiting",
    Notice.Status.FAILED: "failed",
}
_PLURAL = {Notice.Kind.INVITATION: "invitations", Notice.Kind.REMINDER: "reminders"}


def invitation_counts(*, cycle: Cycle | int) -> NoticeCounts:
    """How many invitations and reminders of `cycle` were sent, wait to be sent, or failed."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    rows = (
        Notice.objects.filter(cycle_id=cycle_id, status__in=list(_BUCKET))
        .order_by()
        .values_list("kind", "status")
        .annotate(n=Count("id"))
    )
    counts: dict[str, int] = {}
    for kind, status, n in rows:
        key = f"{_PLURAL[kind]}_{_BUCKET[status]}"
        counts[key] = counts.get(key, 0) + n
    return NoticeCounts(**counts)
