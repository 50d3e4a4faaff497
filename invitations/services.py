"""Invitations and reminders: deciding who is due which message, claiming and sending batches.

Flow (driven by the beat schedule, see tasks.py, or by `manage.py send_notices`):
`notices_plan` records a pending Notice per person due a message (the unique row makes a repeat
harmless); `notices_claim` takes a batch (pending → sending, committed, so that a concurrent
worker skips it); `notices_send` talks to the mail server and records each outcome. A message the
server refused goes back to pending and is retried; a worker that dies between claiming and
recording leaves its batch "sending", which is never sent again (never twice beats always).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from surveys.models import Cycle, Employee, Participation
from surveys.selectors import open_cycle

from .mail import NoticeSendError, absolute_url, email_message, language_of, send_in_order
from .models import Notice

logger = logging.getLogger(__name__)

Kind, Status = Notice.Kind, Notice.Status
MAX_ATTEMPTS = 5
# A batch still "sending" this long after its claim belongs to a worker that died mid-send.
ABANDONED_AFTER = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class DuePlan:
    """What a scheduler tick found to do for the open cycle: pending messages per kind."""

    cycle_id: int | None
    pending: dict[str, int]


def reminder_day(cycle: Cycle) -> datetime.date | None:
    """The day reminders go out: CHAINSURVEY_REMINDER_DAYS before the closing day, provided the
    cycle opened before it (a cycle opened that late needs no reminder after its invitation)."""
    if cycle.closes_on is None or cycle.opens_at is None:
        return None
    day = cycle.closes_on - datetime.timedelta(days=settings.CHAINSURVEY_REMINDER_DAYS)
    opened_on = timezone.localdate(cycle.opens_at)
    return day if opened_on < day else None


def due_kinds(cycle: Cycle, *, today: datetime.date) -> list[str]:
    """The kinds of message due today for an open cycle that still takes answers."""
    if cycle.status != Cycle.Status.OPEN or (cycle.closes_on and today > cycle.closes_on):
        return []
    day = reminder_day(cycle)
    return [Kind.INVITATION, Kind.REMINDER] if day and today >= day else [Kind.INVITATION]


def _still_due(kind: str):
    """The condition under which a person is still due `kind`: active, and not yet taken part."""
    took_part = Exists(Participation.objects.filter(employee_id=OuterRef("employee_id"), cycle_id=OuterRef("cycle_id")))
    return Q(employee__user__is_active=True) & ~took_part


def notices_plan(*, cycle: Cycle, kind: str) -> int:
    """Record a pending notice of `kind` for everyone due one who has none yet; returns how many.
    Invitations go to every active employee, reminders to those who have not taken part."""
    people = Employee.objects.active().exclude(notices__cycle=cycle, notices__kind=kind)
    if kind == Kind.REMINDER:
        people = people.exclude(participations__cycle=cycle)
    employee_ids = list(people.values_list("id", flat=True))
    created = Notice.objects.bulk_create(
        [Notice(employee_id=pk, cycle=cycle, kind=kind) for pk in employee_ids],
        batch_size=1000,
        ignore_conflicts=True,  # a concurrent tick planned some of them already: theirs stand
    )
    return len(created)


def notices_send_now(*, cycle: Cycle, kind: str) -> int:
    """HR's "send now" from the cycle page: record `kind` for everyone due one (as a beat tick
    would, reminders before their day too) and hand the pending ones to workers in batches once
    this commits; returns how many people it reaches (recorded now, not taken part). Only while
    the cycle takes answers."""
    from . import tasks  # tasks imports this module
    from .selectors import notices_not_planned

    if not cycle.accepts_answers:
        raise NoticesRefused(
            gettext("Cycle %(cycle)s does not take answers: nobody is invited or reminded any more.")
            % {"cycle": cycle.name}
        )
    reached = notices_not_planned(cycle=cycle, kind=kind)
    notices_plan(cycle=cycle, kind=kind)
    pending = Notice.objects.filter(cycle=cycle, kind=kind, status=Status.PENDING).count()
    batches = -(-pending // settings.CHAINSURVEY_EMAIL_BATCH_SIZE)
    for _ in range(batches):
        # robust: a refused batch is retried by the next beat tick; the page still answers.
        transaction.on_commit(lambda: tasks.send_notice_batch.delay(cycle_id=cycle.pk, kind=kind), robust=True)
    return reached


class NoticesRefused(ValueError):
    """Invitations or reminders asked for a cycle that takes no answers; the message says why."""


def notices_abandon_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark batches claimed long ago and never recorded as failed (their worker died while
    sending: some may have gone out, so none is sent again)."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    return Notice.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.FAILED, last_error="The worker sending it stopped; it may or may not have gone out."
    )


def notices_due(*, today: datetime.date | None = None) -> DuePlan:
    """Plan every message due today for the open cycle; returns the pending counts to send."""
    today = today or timezone.localdate()
    notices_abandon_stale()
    cycle = open_cycle()
    if cycle is None:
        return DuePlan(cycle_id=None, pending={})
    pending = {}
    for kind in due_kinds(cycle, today=today):
        notices_plan(cycle=cycle, kind=kind)
        pending[kind] = Notice.objects.filter(cycle=cycle, kind=kind, status=Status.PENDING).count()
    return DuePlan(cycle_id=cycle.pk, pending=pending)


def notices_claim(*, cycle_id: int, kind: str, limit: int) -> tuple[int, list[Notice]]:
    """Take up to `limit` pending notices (committed as "sending" before any mail goes out);
    returns how many were taken and those to send: a person who took part or left meanwhile is
    skipped, not sent."""
    with transaction.atomic():
        rows = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(cycle_id=cycle_id, kind=kind, status=Status.PENDING)
            .order_by("pk")[:limit]
            .values_list("pk", flat=True)
        )
        due = set(Notice.objects.filter(pk__in=rows).filter(_still_due(kind)).values_list("pk", flat=True))
        Notice.objects.filter(pk__in=set(rows) - due).update(status=Status.SKIPPED)
        Notice.objects.filter(pk__in=due).update(
            status=Status.SENDING, claimed_at=timezone.now(), attempts=models.F("attempts") + 1
        )
    return len(rows), list(Notice.objects.filter(pk__in=due).select_related("employee__user", "cycle").order_by("pk"))


def notice_message(notice: Notice) -> EmailMultiAlternatives:
    """The email of one notice, text and HTML. While password sign-in is offered
    (CHAINSURVEY_PASSWORD_LOGIN), people who never signed in get a link to choose their password
    (valid PASSWORD_RESET_TIMEOUT; after that, "Set your password" again)."""
    user, cycle = notice.employee.user, notice.cycle
    first_time = settings.CHAINSURVEY_PASSWORD_LOGIN and (user.last_login is None or not user.has_usable_password())
    context = {
        "name": user.get_short_name(),
        "cycle": cycle,
        "closes_on": cycle.closes_on,
        "survey_url": absolute_url(reverse("surveys:survey")),
        "login_url": absolute_url(reverse("login")),
        "set_password_url": absolute_url(
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )
        if first_time
        else None,
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    return email_message(notice.kind, context, to=user.email, language=language_of(notice.employee))


def _record(notices: list[Notice], *, status: str, error: str = "") -> None:
    if not notices:
        return
    now = timezone.now()
    changes = {"status": status, **({"last_error": error[:500]} if error else {})}
    if status == Status.SENT:
        changes["sent_at"] = now
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(**changes)


def notices_send(*, notices: list[Notice]) -> int:
    """Send claimed notices over one mail-server connection; returns how many went out.

    On a refusal, the ones sent are recorded as sent and the rest go back to pending (failed
    after MAX_ATTEMPTS), then NoticeSendError is raised for the caller to retry later.
    """
    sent, exc = send_in_order(notices, notice_message)
    if exc is not None:
        error = f"{type(exc).__name__}: {exc}"
        unsent = notices[len(sent) :]
        attempts_left = [n for n in unsent if n.attempts < MAX_ATTEMPTS]
        with transaction.atomic():
            _record(sent, status=Status.SENT)
            _record(attempts_left, status=Status.PENDING, error=error)
            _record([n for n in unsent if n not in attempts_left], status=Status.FAILED, error=error)
        logger.warning("Mail server refused a batch: %d sent, %d back to pending: %s", len(sent), len(unsent), error)
        raise NoticeSendError(error) from exc
    _record(sent, status=Status.SENT)
    return len(sent)


@dataclass(frozen=True)
class BatchOutcome:
    taken: int  # pending notices this batch took (0: none left)
    sent: int


def notices_send_batch(*, cycle_id: int, kind: str, limit: int | None = None) -> BatchOutcome:
    """Claim and send one batch of `kind` for a cycle."""
    taken, notices = notices_claim(cycle_id=cycle_id, kind=kind, limit=limit or settings.CHAINSURVEY_EMAIL_BATCH_SIZE)
    return BatchOutcome(taken=taken, sent=notices_send(notices=notices) if notices else 0)
