"""Reminders and news about commitments, by email through the invitations mail (invitations.mail).

Who gets what, and when (`ActionNotice.Kind`; one row per (kind, cycle, person, subject)):

- `top_opens`: the managers and executives of the top of the company, once the latest cycle's
  results are visible: "your commitments open the cascade", with their department's page.
- `may_publish`: every other department's managers, at the moment the cascade lets them publish
  (the top has published a commitment, or CHAINSURVEY_CASCADE_DAYS days after the results).
- `due_soon` / `overdue`: a published commitment's owner and its department's managers, from
  DUE_SOON_DAYS days before its due date, and from the day after it, while it is still open.
- `recognised`: the managers of each department the recognition page names (actions.recognition),
  once the latest cycle's results are visible, with what it says of their department.
- `addressed`: everyone in a department, when commitments addressed to it were published: the
  supplier commitments naming it "especially for", and its own management's commitments to its
  staff (not to the managers who made them). At most one email per person, cycle and day: each
  morning's lists what was published since that person's previous one (`subject` is its day).

Only cycles whose results are visible and rolled up (`Cycle.objects.with_results()`), only
published commitments, only active people. Dated emails go out from DAY_STARTS, local time (not at
midnight); none goes out more than LATE after its moment (after an outage, or for history
imported or seeded with past dates, nothing stale is sent).

Never twice: `notices_due` lists what is due that nobody has claimed; `notices_send` claims each
one (inserts its ActionNotice row, committed; the unique key refuses a second worker's) before
talking to the mail server, then records `sent_at`. A message the server refused has its claim
withdrawn, so that the batch's retry or a later tick sends it; a worker that dies between claim
and record leaves the row without `sent_at`, and that email is never sent again (never twice
beats always).
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from invitations.mail import NoticeSendError, absolute_url, email_message, language_of, send_in_order
from reports.models import Scope
from surveys.models import Cycle, Department, Dimension, Employee
from surveys.roles import MANAGEMENT_ROLES

from .cascade import results_published_at, top_departments
from .models import ActionNotice, Commitment

logger = logging.getLogger(__name__)

Kind = ActionNotice.Kind
DUE_SOON_DAYS = 7  # the reminder before a due date goes out this many days before it
LATE = datetime.timedelta(days=7)  # an email not sent this long after its moment is not sent at all
DAY_STARTS = datetime.timedelta(hours=7)  # dated emails of a day go out from this local time


@dataclass(frozen=True, order=True)
class Due:
    """One email due: the key of its ActionNotice row (JSON-friendly for a task's arguments)."""

    kind: str
    cycle_id: int
    employee_id: int
    subject: str

    def as_list(self) -> list:
        return [self.kind, self.cycle_id, self.employee_id, self.subject]


@dataclass(frozen=True)
class Planned:
    """A due email with what it says."""

    due: Due
    employee: Employee
    context: dict = field(compare=False)


@dataclass(frozen=True)
class Outcome:
    taken: int  # emails this call claimed
    sent: int


def email_day(now: datetime.datetime) -> datetime.date:
    """The day whose dated emails are due at `now`: today from DAY_STARTS, yesterday before."""
    return (timezone.localtime(now) - DAY_STARTS).date()


def _day_starts(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of `day`, aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _in_time(moment: datetime.datetime | None, now: datetime.datetime) -> bool:
    return moment is not None and moment <= now < moment + LATE


def _dimension_labels() -> dict[str, str]:
    return dict(Dimension.objects.service().values_list("slug", "label"))


def _managers():
    """Active managers and executives, with their department."""
    people = Employee.objects.active().filter(role__in=MANAGEMENT_ROLES)
    return people.select_related("user", "department").order_by("pk")


def _management(department_ids: Iterable[int]) -> dict[int, list[Employee]]:
    """Active managers and executives of each department. One query."""
    by_department = defaultdict(list)
    for person in _managers().filter(department_id__in=set(department_ids)):
        by_department[person.department_id].append(person)
    return by_department


def _department_url(cycle: Cycle, department: Department) -> str:
    return absolute_url(reverse("actions:department", args=[cycle.name, department.slug]))


def _latest_cycle() -> Cycle | None:
    return Cycle.objects.with_results().order_by("-name").first()


def publishing_opens_at(cycle: Cycle, *, top: frozenset[int]) -> datetime.datetime | None:
    """When the departments outside the top may publish on `cycle`'s results (actions.cascade):
    the top's first published commitment, or CHAINSURVEY_CASCADE_DAYS after the results, whichever
    is first; None while the results are not visible. One query."""
    published = results_published_at(cycle)
    if published is None:
        return None
    by_days = published + datetime.timedelta(days=settings.CHAINSURVEY_CASCADE_DAYS)
    first_of_top = (
        Commitment.objects.published()
        .filter(cycle=cycle, department_id__in=top)
        .aggregate(first=Min("published_at"))["first"]
        if top
        else None
    )
    return min(by_days, first_of_top) if first_of_top else by_days


def _cascade(now: datetime.datetime) -> list[Planned]:
    """`top_opens` and `may_publish` of the latest cycle with results."""
    cycle = _latest_cycle()
    published = results_published_at(cycle) if cycle else None
    if published is None:
        return []
    top = top_departments()
    planned = []
    if _in_time(published, now):
        for person in _managers().filter(department_id__in=top):
            context = {"department": person.department, "page_url": _department_url(cycle, person.department)}
            planned.append(_planned(Kind.TOP_OPENS, cycle, person, str(person.department_id), context))
    opens_at = publishing_opens_at(cycle, top=top)
    if _in_time(opens_at, now):
        top_published = opens_at < published + datetime.timedelta(days=settings.CHAINSURVEY_CASCADE_DAYS)
        for person in _managers().exclude(department_id__in=top):
            context = {
                "department": person.department,
                "page_url": _department_url(cycle, person.department),
                "top_published": top_published,
            }
            planned.append(_planned(Kind.MAY_PUBLISH, cycle, person, str(person.department_id), context))
    return planned


def _recognised(now: datetime.datetime) -> list[Planned]:
    """`recognised`: the managers of every department the latest results recognise."""
    from .recognition import recognition

    cycle = _latest_cycle()
    if cycle is None or not _in_time(results_published_at(cycle), now):
        return []
    found = recognition(cycle=cycle)
    praised = {d.id: found.for_department(d.id) for d in found.departments}  # written in each reader's language
    if not praised:
        return []
    page_url = absolute_url(reverse("recognition:cycle", args=[cycle.name]))
    return [
        _planned(
            Kind.RECOGNISED,
            cycle,
            person,
            str(person.department_id),
            {"department": person.department, "praises": praised[person.department_id], "page_url": page_url},
        )
        for person in _managers().filter(department_id__in=praised)
    ]


def _due_dates(now: datetime.datetime, labels: dict[str, str]) -> list[Planned]:
    """`due_soon` and `overdue` of the open published commitments on cycles with results."""
    day = email_day(now)
    commitments = list(
        Commitment.objects.published()
        .filter(
            cycle__in=Cycle.objects.with_results(),
            status=Commitment.Status.OPEN,
            due__gte=day - LATE,
            due__lte=day + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("cycle", "department", "owner__user", "owner__department")
        .order_by("pk")
    )
    management = _management(c.department_id for c in commitments)
    planned = []
    for commitment in commitments:
        kind = Kind.DUE_SOON if day <= commitment.due else Kind.OVERDUE
        people = {p.pk: p for p in management.get(commitment.department_id, [])}
        if commitment.owner.is_active:
            people.setdefault(commitment.owner_id, commitment.owner)
        for person in people.values():
            manages = person.role in MANAGEMENT_ROLES and person.department_id == commitment.department_id
            context = {
                "commitment": commitment,
                "department": commitment.department,
                "dimension": labels.get(commitment.dimension, commitment.dimension),
                "is_owner": person.pk == commitment.owner_id,
                "manages": manages,
                "page_url": _department_url(commitment.cycle, commitment.department)
                if manages
                else absolute_url(reverse("actions:index")),
            }
            planned.append(_planned(kind, commitment.cycle, person, str(commitment.pk), context))
    return planned


def _addressed(now: datetime.datetime, labels: dict[str, str]) -> list[Planned]:
    """`addressed`: today's email to each person whose department commitments were addressed to
    since their previous one (at most LATE ago), on a cycle with results."""
    today = email_day(now)
    earliest = today - LATE
    commitments = list(
        Commitment.objects.published()
        .filter(
            cycle__in=Cycle.objects.with_results(),
            published_at__gte=_day_starts(earliest),
            published_at__lt=_day_starts(today),
        )
        .select_related("cycle", "department")
        .prefetch_related("especially_for")
        .order_by("department__name", "dimension", "pk")
    )
    if not commitments:
        return []
    # department it is addressed to → cycle → the commitments, each with the day it was published
    news: dict[int, dict[int, list[tuple[datetime.date, Commitment]]]] = defaultdict(lambda: defaultdict(list))
    for commitment in commitments:
        published_on = timezone.localdate(commitment.published_at)
        if commitment.scope == Scope.MANAGEMENT:
            addressed_to = [commitment.department_id]
        else:
            addressed_to = [department.pk for department in commitment.especially_for.all()]
        for department_id in addressed_to:
            news[department_id][commitment.cycle_id].append((published_on, commitment))
    cycles = {c.cycle_id: c.cycle for c in commitments}
    # The day of each person's previous email per cycle: it listed everything published before it.
    previous: dict[tuple[int, int], datetime.date] = {}
    for cycle_id, employee_id, subject in ActionNotice.objects.filter(
        kind=Kind.ADDRESSED, cycle_id__in=cycles, subject__gte=earliest.isoformat(), subject__lt=today.isoformat()
    ).values_list("cycle_id", "employee_id", "subject"):
        day = datetime.date.fromisoformat(subject)
        previous[cycle_id, employee_id] = max(day, previous.get((cycle_id, employee_id), day))
    people = (
        Employee.objects.active()
        .filter(department_id__in=news.keys())
        .select_related("user", "department")
        .order_by("pk")
    )
    planned = []
    for person in people:
        for cycle_id, items in news.get(person.department_id, {}).items():
            since = previous.get((cycle_id, person.pk), earliest)
            new = [c for day, c in items if day >= since]
            supplier = [c for c in new if c.scope == Scope.SUPPLIER]
            # Its management's promises to its staff are news to the staff, not to the managers.
            own = [c for c in new if c.scope == Scope.MANAGEMENT and person.rates_own_management]
            if not supplier and not own:
                continue
            context = {
                "department": person.department,
                "day": today,
                "supplier": [_item(c, labels) for c in supplier],
                "management": [_item(c, labels) for c in own],
                "actions_url": absolute_url(reverse("actions:index")),
            }
            planned.append(_planned(Kind.ADDRESSED, cycles[cycle_id], person, today.isoformat(), context))
    return planned


def _item(commitment: Commitment, labels: dict[str, str]) -> dict:
    return {
        "department": commitment.department.name,
        "dimension": labels.get(commitment.dimension, commitment.dimension),
        "text": commitment.text,
        "due": commitment.due,
    }


def _planned(kind: str, cycle: Cycle, person: Employee, subject: str, context: dict) -> Planned:
    due = Due(kind=kind, cycle_id=cycle.pk, employee_id=person.pk, subject=subject)
    return Planned(due=due, employee=person, context={"cycle": cycle, **context})


def notices_plan(*, now: datetime.datetime | None = None) -> list[Planned]:
    """Every email due at `now` that nobody has claimed yet, with what it says, in key order."""
    now = now or timezone.now()
    labels = _dimension_labels()
    wanted = [*_cascade(now), *_recognised(now), *_due_dates(now, labels), *_addressed(now, labels)]
    if not wanted:
        return []
    claimed = set(
        ActionNotice.objects.filter(
            kind__in={p.due.kind for p in wanted},
            cycle_id__in={p.due.cycle_id for p in wanted},
            employee_id__in={p.due.employee_id for p in wanted},
            subject__in={p.due.subject for p in wanted},
        ).values_list("kind", "cycle_id", "employee_id", "subject")
    )
    unique = {p.due: p for p in wanted if tuple(p.due.as_list()) not in claimed}
    return [unique[due] for due in sorted(unique)]


def notices_due(*, now: datetime.datetime | None = None) -> list[Due]:
    """The keys of the emails due at `now` that nobody has claimed yet."""
    return [p.due for p in notices_plan(now=now)]


def message(planned: Planned) -> EmailMultiAlternatives:
    """The email of one planned notice (`templates/emails/action_<kind>`)."""
    user = planned.employee.user
    context = {
        "name": user.get_short_name(),
        "cascade_days": settings.CHAINSURVEY_CASCADE_DAYS,
        "due_soon_days": DUE_SOON_DAYS,
        **planned.context,
    }
    return email_message(f"action_{planned.due.kind}", context, to=user.email, language=language_of(planned.employee))


def notice_claim(due: Due) -> int | None:
    """Claim one email before it is sent: the id of the row this call recorded (committed unless
    the caller holds a transaction), or None if someone else had claimed it."""
    try:
        with transaction.atomic():
            notice = ActionNotice.objects.create(
                kind=due.kind, cycle_id=due.cycle_id, employee_id=due.employee_id, subject=due.subject
            )
    except IntegrityError:
        return None
    return notice.pk


def notices_send(*, only: Collection[Due] | None = None, now: datetime.datetime | None = None) -> Outcome:
    """Plan what is due now (of `only`, when given), claim it and send it over one connection.

    On a refusal the sent ones are recorded, the claims of the rest are withdrawn and
    NoticeSendError is raised, for the caller to retry later.
    """
    planned = notices_plan(now=now)
    if only is not None:
        wanted = set(only)
        planned = [p for p in planned if p.due in wanted]
    claimed = [(p, pk) for p in planned if (pk := notice_claim(p.due)) is not None]
    sent, exc = send_in_order(claimed, lambda each: message(each[0]))
    if sent:
        ActionNotice.objects.filter(pk__in=[pk for _, pk in sent]).update(sent_at=timezone.now())
    if exc is not None:
        unsent = claimed[len(sent) :]
        ActionNotice.objects.filter(pk__in=[pk for _, pk in unsent]).delete()
        error = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "Mail server refused commitment notices: %d sent, %d to retry: %s", len(sent), len(unsent), error
        )
        raise NoticeSendError(error) from exc
    return Outcome(taken=len(claimed), sent=len(sent))
