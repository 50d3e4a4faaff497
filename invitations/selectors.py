"""Reads for HR: how many invitations and reminders of a cycle went out (one query)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from surveys.models import Cycle, Employee

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
    return invitation_counts_by_cycle(cycle_ids=[cycle_id]).get(cycle_id, NoticeCounts())


def invitation_counts_by_cycle(*, cycle_ids: Iterable[int]) -> dict[int, NoticeCounts]:
    """The same counts for many cycles in one query (a cycle without emails is left out)."""
    rows = (
        Notice.objects.filter(cycle_id__in=list(cycle_ids), status__in=list(_BUCKET))
        .order_by()
        .values_list("cycle_id", "kind", "status")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for cycle_id, kind, status, n in rows:
        key = f"{_PLURAL[kind]}_{_BUCKET[status]}"
        per_cycle = counts.setdefault(cycle_id, {})
        per_cycle[key] = per_cycle.get(key, 0) + n
    return {cycle_id: NoticeCounts(**values) for cycle_id, values in counts.items()}


def notices_not_planned(*, cycle: Cycle, kind: str) -> int:
    """How many people sending `kind` now would reach: active employees without a `kind` notice
    of the cycle yet who have not taken part (whoever has is skipped when the batch is sent,
    invitations too). One query."""
    people = Employee.objects.active().exclude(notices__cycle=cycle, notices__kind=kind)
    return people.exclude(participations__cycle=cycle).count()
