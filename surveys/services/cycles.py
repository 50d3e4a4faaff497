"""Cycle life cycle: open (one at a time), close (which starts the roll-up) and publish.

Each transition locks the cycle row, checks the status it starts from and writes in one
transaction, so a refused transition changes nothing and two racing requests cannot both win.
"""

import datetime
import logging
import re

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from surveys.models import CYCLE_NAME_RE, Cycle, CycleHeadcount, Draft, Employee
from surveys.rollups import rollup_finished, rollup_request
from surveys.selectors import next_cycle_with_answers
from surveys.services.ballots import ballots_move
from surveys.signals import results_published

logger = logging.getLogger(__name__)

DEFAULT_OPEN_DAYS = 21


class CycleError(ValueError):
    """A cycle transition that is not allowed; the message is meant for the person who asked."""


def validate_cycle_name(name: str) -> str:
    name = (name or "").strip()
    if not re.match(CYCLE_NAME_RE, name):
        raise CycleError(
            gettext("%(name)s is not a cycle name: cycles are named YYYY-Qn, e.g. 2026-Q3.") % {"name": repr(name)}
        )
    return name


def cycle_open(*, name: str, closes_on: datetime.date | None = None) -> Cycle:
    """Create the cycle if it is missing and open it for answers until the end of `closes_on`.

    Refuses (CycleError, nothing written) a malformed name, a closing day in the past, a cycle
    that is not a draft (open already, closed or published: closed cycles are never reopened) and
    any second open cycle. Snapshots the active headcount per department as the denominator of
    response rates.
    """
    name = validate_cycle_name(name)
    today = timezone.localdate()
    if closes_on is None:
        closes_on = today + datetime.timedelta(days=DEFAULT_OPEN_DAYS)
    if closes_on < today:
        raise CycleError(
            gettext("The closing day %(day)s is in the past (today is %(today)s).")
            % {"day": closes_on.isoformat(), "today": today.isoformat()}
        )

    try:
        with transaction.atomic():
            cycle, _ = Cycle.objects.select_for_update().get_or_create(name=name)
            if cycle.status == Cycle.Status.OPEN:
                raise CycleError(
                    gettext("Cycle %(cycle)s is already open (until %(day)s).")
                    % {"cycle": name, "day": cycle.closes_on}
                )
            if cycle.status != Cycle.Status.DRAFT:
                raise CycleError(
                    gettext("Cycle %(cycle)s is %(status)s: a cycle is never reopened.")
                    % {"cycle": name, "status": cycle.get_status_display().lower()}
                )
            other = Cycle.objects.select_for_update().filter(status=Cycle.Status.OPEN).exclude(pk=cycle.pk).first()
            if other is not None:
                raise CycleError(
                    gettext("Cycle %(other)s is open: close it before opening %(cycle)s.")
                    % {"other": other.name, "cycle": name}
                )

            cycle.status = Cycle.Status.OPEN
            cycle.opens_at = timezone.now()
            cycle.closes_on = closes_on
            cycle.save(update_fields=["status", "opens_at", "closes_on"])
            snapshot_headcount(cycle)
    except IntegrityError as exc:
        # Another request opened a cycle between our check and our write: the partial unique
        # constraint "one_open_cycle" refused ours, and the transaction rolled back.
        raise CycleError(
            gettext("Another cycle was opened at the same time: %(cycle)s was not opened.") % {"cycle": name}
        ) from exc
    return cycle


def snapshot_headcount(cycle: Cycle) -> None:
    """Record the active employees per department now as the cycle's headcount (the denominator
    of its response rates), replacing any recorded before. Opening a cycle does it; so does the demo."""
    per_department = (
        Employee.objects.active()
        .order_by()
        .values("department_id")
        .annotate(eligible=Count("id"))
        .filter(eligible__gt=0)
    )
    CycleHeadcount.objects.filter(cycle=cycle).delete()
    CycleHeadcount.objects.bulk_create(
        [
            CycleHeadcount(cycle=cycle, department_id=row["department_id"], eligible=row["eligible"])
            for row in per_department
        ]
    )


def cycle_close(*, cycle: Cycle, by=None) -> Cycle:
    """End answering on an open cycle and request its roll-up (enqueued when this commits), and that
    of the next cycle holding answers, whose deltas now compare with it.

    In the same transaction, the ballot box moves every ballot still waiting (even fewer than the
    minimum group size: the roll-up must count every submitted survey) and the drafts of people
    who did not submit are deleted: after the close, no answer anywhere names a person.
    """
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.OPEN:
            raise CycleError(
                gettext("Cycle %(cycle)s is not open (it is %(status)s).")
                % {"cycle": locked.name, "status": locked.get_status_display().lower()}
            )
        locked.status = Cycle.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        ballots_move(cycle_id=locked.pk, final=True)
        Draft.objects.filter(cycle=locked).delete()
        rollup_request(cycle=locked)
        # While it was open no cycle compared with it (`previous_cycle` skips open cycles): a later
        # cycle holding answers (imported history) now does, so its deltas are computed again.
        following = next_cycle_with_answers(cycle=locked)
        if following is not None:
            rollup_request(cycle=following)
    logger.info("Cycle %s closed by %s", locked.name, by or "a command")
    return locked


def cycles_close_due(*, today: datetime.date | None = None) -> list[Cycle]:
    """Close every open cycle whose closing day is over (answers are accepted until the end of
    that day); returns the cycles closed. A cycle without a closing day stays open until closed
    by hand. There is at most one open cycle (a database constraint), so the loop is short."""
    today = today or timezone.localdate()
    closed = []
    for cycle in Cycle.objects.filter(status=Cycle.Status.OPEN, closes_on__lt=today):
        try:
            closed.append(cycle_close(cycle=cycle, by="the schedule"))
        except CycleError:
            continue  # closed by hand in the meantime: nothing left to do
    return closed


def cycle_publish(*, cycle: Cycle) -> Cycle:
    """Make a closed cycle's results visible to the people entitled to see them.

    Refused until the cycle's latest roll-up has finished: publishing a cycle whose results are
    still being computed (or failed) would show people an empty or outdated page.
    """
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != Cycle.Status.CLOSED:
            raise CycleError(
                gettext("Cycle %(cycle)s is %(status)s: only a closed cycle can be published.")
                % {"cycle": locked.name, "status": locked.get_status_display().lower()}
            )
        if not rollup_finished(locked.pk):
            raise CycleError(
                gettext("Cycle %(cycle)s's results are not computed yet: publish it once its roll-up has finished.")
                % {"cycle": locked.name}
            )
        locked.status = Cycle.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
        transaction.on_commit(lambda: results_published.send(sender=Cycle, cycle=locked))
    return locked


def cycle_create(*, name: str, closes_on: datetime.date | None = None) -> Cycle:
    """Create a draft cycle (to be opened later); refuses a malformed or taken name."""
    name = validate_cycle_name(name)
    if closes_on is not None and closes_on < timezone.localdate():
        raise CycleError(gettext("The closing day %(day)s is in the past.") % {"day": closes_on.isoformat()})
    if Cycle.objects.filter(name=name).exists():
        raise CycleError(gettext("Cycle %(cycle)s exists already.") % {"cycle": name})
    try:
        with transaction.atomic():
            return Cycle.objects.create(name=name, closes_on=closes_on)
    except IntegrityError as exc:  # created by someone else a moment ago
        raise CycleError(gettext("Cycle %(cycle)s exists already.") % {"cycle": name}) from exc
