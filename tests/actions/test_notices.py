"""Reminders and news about commitments (actions.notices): who is emailed what, when, and never twice."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail

from actions import notices
from actions.cascade import cascade_for, top_departments
from actions.models import ActionNotice, Commitment
from actions.services import Draft, commitment_create
from actions.tasks import send_due_commitment_notices
from invitations.mail import NoticeSendError
from reports.models import CycleSummary
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PUBLISHED = datetime.datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # the 2026-Q3 results
Kind = ActionNotice.Kind


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CHAINSURVEY_SITE_URL = "https://survey.example.com"
    settings.CHAINSURVEY_CASCADE_DAYS = 7


@pytest.fixture
def people(org):
    """The top (an executive and a colleague), Sales and IT with a manager and an employee each,
    a Sales manager who left, and HR."""
    eo, sales, it = org["executive_office"], org["sales"], org["it"]
    hr = DepartmentFactory(name="Human Resources", slug="human-resources")
    made = {
        "erin": (eo, Role.EXECUTIVE),
        "eve": (eo, Role.EMPLOYEE),
        "mark": (sales, Role.MANAGER),
        "emma": (sales, Role.EMPLOYEE),
        "ivan": (it, Role.MANAGER),
        "ben": (it, Role.EMPLOYEE),
        "hana": (hr, Role.HR),
    }
    found = {
        name: EmployeeFactory(
            department=dept, role=role, user__email=f"{name}@example.com", user__full_name=name.title()
        )
        for name, (dept, role) in made.items()
    }
    found["gone"] = EmployeeFactory(
        department=sales, role=Role.MANAGER, user__email="gone@example.com", user__is_active=False
    )
    return found


def results(name="2026-Q3", *, published_at=PUBLISHED, rolled_up=True) -> Cycle:
    cycle = CycleFactory(
        name=name,
        status=Cycle.Status.PUBLISHED,
        opens_at=published_at - datetime.timedelta(days=40),
        closed_at=published_at - datetime.timedelta(days=10),
        published_at=published_at,
    )
    if rolled_up:
        CycleSummary.objects.create(cycle=cycle, computed_at=published_at, answers_count=0)
    return cycle


@pytest.fixture
def cycle(people):
    return results()


def commitment(cycle, department, owner, *, published_at, due, scope="supplier", especially_for=(), **fields):
    made = Commitment.objects.create(
        cycle=cycle,
        department=department,
        owner=owner,
        scope=scope,
        dimension=fields.pop("dimension", "ownership"),
        text=fields.pop("text", f"{department.name} answers every request within a day."),
        due=due,
        published_at=published_at,
        **fields,
    )
    made.especially_for.set(especially_for)
    return made


def tick(at: datetime.datetime) -> dict:
    """One beat tick at `at` (tasks run in-process here): what it found due."""
    with time_machine.travel(at, tick=False):
        return send_due_commitment_notices.delay().get()


def to(kind: str) -> list[str]:
    """Who was emailed `kind` so far, in order of address."""
    subjects = {
        Kind.TOP_OPENS: "open the cascade",
        Kind.MAY_PUBLISH: "may now publish",
        Kind.DUE_SOON: "Due ",
        Kind.OVERDUE: "Past its due date",
        Kind.ADDRESSED: "New commitments for",
    }
    return sorted(m.to[0].split("@")[0] for m in mail.outbox if subjects[kind] in m.subject)


def by(name: str, kind_words: str) -> mail.EmailMessage:
    [found] = [m for m in mail.outbox if m.to[0] == f"{name}@example.com" and kind_words in m.subject]
    return found


def at_day(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


# ---- The cascade: the top when results are published, the others when they may publish ----


def test_the_top_is_told_once_when_the_results_are_published_and_not_before(people):
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, closed_at=PUBLISHED - datetime.timedelta(days=3))
    CycleSummary.objects.create(cycle=cycle, computed_at=PUBLISHED, answers_count=0)
    tick(PUBLISHED - datetime.timedelta(hours=1))  # closed and rolled up, not published yet
    assert mail.outbox == []

    cycle.status, cycle.published_at = Cycle.Status.PUBLISHED, PUBLISHED
    cycle.save()
    assert tick(PUBLISHED + datetime.timedelta(minutes=5)) == {Kind.TOP_OPENS: 1}
    assert to(Kind.TOP_OPENS) == ["erin"]  # not Eve (no manager), nobody outside the top

    for later in (datetime.timedelta(hours=1), datetime.timedelta(days=2), datetime.timedelta(days=6)):
        assert tick(PUBLISHED + later) == {}
    assert len(mail.outbox) == 1

    message = by("erin", "open the cascade")
    page = "https://survey.example.com/actions/2026-Q3/departments/executive-office/"
    assert message.subject == "2026-Q3 results are published: your commitments open the cascade"
    assert page in message.body and "Hello Erin" in message.body
    assert message.alternatives[0].mimetype == "text/html" and page in message.alternatives[0].content


def test_the_other_departments_managers_are_told_the_moment_the_top_publishes_a_commitment(cycle, people, org):
    tick(PUBLISHED + datetime.timedelta(minutes=5))
    assert to(Kind.MAY_PUBLISH) == []

    top_publishes = PUBLISHED + datetime.timedelta(days=2)
    with time_machine.travel(top_publishes, tick=False):
        draft = Draft(
            scope="management",
            dimension="communication",
            text="We explain every decision to our staff within a week.",
            owner=people["erin"],
            due=datetime.date(2026, 12, 15),
        )
        commitment_create(
            cycle=cycle, department=org["executive_office"], draft=draft, by=people["erin"].user, publish=True
        )
    tick(top_publishes - datetime.timedelta(minutes=1))
    assert to(Kind.MAY_PUBLISH) == []

    at = top_publishes + datetime.timedelta(minutes=5)
    assert tick(at) == {Kind.MAY_PUBLISH: 2}
    # Sales's and IT's managers (not the one who left, not employees, not the top, not HR).
    assert to(Kind.MAY_PUBLISH) == ["ivan", "mark"]
    assert cascade_for(cycle=cycle, department_id=org["sales"].pk, now=at).may_publish
    message = by("mark", "may now publish")
    assert message.subject == "Sales may now publish its commitments on the 2026-Q3 results"
    assert "The top of the company has published its commitments" in message.body
    assert "https://survey.example.com/actions/2026-Q3/departments/sales/" in message.body

    tick(at + datetime.timedelta(hours=1))
    tick(PUBLISHED + datetime.timedelta(days=7, minutes=5))  # the days rule passes too: nothing new
    assert to(Kind.MAY_PUBLISH) == ["ivan", "mark"]


def test_without_the_top_the_others_may_publish_cascade_days_after_the_results(cycle, people, org):
    opens = PUBLISHED + datetime.timedelta(days=7)
    tick(opens - datetime.timedelta(minutes=1))
    assert to(Kind.MAY_PUBLISH) == []
    assert not cascade_for(
        cycle=cycle, department_id=org["it"].pk, now=opens - datetime.timedelta(minutes=1)
    ).may_publish

    tick(opens + datetime.timedelta(minutes=1))
    assert to(Kind.MAY_PUBLISH) == ["ivan", "mark"]
    assert "7 days have passed since the 2026-Q3 results" in by("ivan", "may now publish").body
    tick(opens + datetime.timedelta(days=1))
    assert to(Kind.MAY_PUBLISH) == ["ivan", "mark"]


def test_only_the_latest_cycle_with_results_opens_a_cascade_and_none_opened_long_ago_is_announced(people):
    results("2026-Q2", published_at=PUBLISHED - datetime.timedelta(days=3))
    results("2026-Q3")
    tick(PUBLISHED + datetime.timedelta(minutes=5))
    assert [notice.cycle.name for notice in ActionNotice.objects.all()] == ["2026-Q3"]

    mail.outbox.clear()
    ActionNotice.objects.all().delete()
    # A week and more after the results (an outage, history imported, a seeded demo): too late to announce.
    tick(PUBLISHED + datetime.timedelta(days=14, minutes=1))
    assert mail.outbox == []


# ---- Due dates: before, and once after while still open ----


@pytest.fixture
def sales_promise(cycle, people, org):
    """Sales's published promise, owned by Emma, due on 16 November."""
    return commitment(
        cycle,
        org["sales"],
        people["emma"],
        published_at=PUBLISHED + datetime.timedelta(days=8),
        due=datetime.date(2026, 11, 16),
    )


def test_the_owner_and_managers_are_reminded_a_week_before_the_due_date_and_the_day_after_it(sales_promise):
    due = sales_promise.due
    tick(at_day(due - datetime.timedelta(days=8), 12))
    tick(at_day(due - datetime.timedelta(days=7), 6))  # that day's emails wait for the morning
    assert to(Kind.DUE_SOON) == []

    tick(at_day(due - datetime.timedelta(days=7), 8))
    assert to(Kind.DUE_SOON) == ["emma", "mark"]  # the owner and Sales's managers, not the one who left
    for day in (6, 3, 1, 0):
        tick(at_day(due - datetime.timedelta(days=day), 9))
    tick(at_day(due + datetime.timedelta(days=1), 6))
    assert to(Kind.DUE_SOON) == ["emma", "mark"]
    assert to(Kind.OVERDUE) == []

    tick(at_day(due + datetime.timedelta(days=1), 8))
    assert to(Kind.OVERDUE) == ["emma", "mark"]
    for day in (2, 5, 30):
        tick(at_day(due + datetime.timedelta(days=day), 9))
    assert to(Kind.OVERDUE) == ["emma", "mark"]

    owner, manager = by("emma", "Due "), by("mark", "Due ")
    assert owner.subject == "Due 16 November: Sales's commitment on Ownership"
    assert "A commitment you own is due on Monday 16 November 2026" in owner.body
    assert "Sales answers every request within a day." in owner.body
    # The owner reads the commitments; the managers get the page where they update it.
    assert "https://survey.example.com/actions/\n" in owner.body
    assert "https://survey.example.com/actions/2026-Q3/departments/sales/" in manager.body
    assert "was due on Monday 16 November 2026 and is still open" in by("mark", "Past its due date").body


def test_a_commitment_done_or_dropped_is_not_reminded(sales_promise, people, org):
    dropped = commitment(
        sales_promise.cycle,
        org["it"],
        people["ben"],
        published_at=sales_promise.published_at,
        due=sales_promise.due,
        status=Commitment.Status.DROPPED,
    )
    tick(at_day(sales_promise.due - datetime.timedelta(days=7), 8))
    assert to(Kind.DUE_SOON) == ["emma", "mark"]  # nothing about IT's dropped one
    Commitment.objects.filter(pk=sales_promise.pk).update(status=Commitment.Status.DONE)
    tick(at_day(sales_promise.due + datetime.timedelta(days=1), 8))
    assert to(Kind.OVERDUE) == []
    assert not ActionNotice.objects.filter(subject=str(dropped.pk)).exists()


# ---- News: commitments addressed to a department ----


@pytest.fixture
def promised(cycle, people, org):
    """On 13 October, IT promises Sales (especially) better responsiveness and its own staff
    better communication; Sales promises the departments it serves something, naming none."""
    day = datetime.datetime(2026, 10, 13, 10, 0, tzinfo=UTC)
    due = datetime.date(2027, 1, 31)
    return {
        "it_to_sales": commitment(
            cycle,
            org["it"],
            people["ivan"],
            published_at=day,
            due=due,
            dimension="responsiveness",
            text="Tickets from Sales <b>answered</b> within 4 hours & tracked.",
            especially_for=[org["sales"]],
        ),
        "it_to_staff": commitment(
            cycle, org["it"], people["ivan"], published_at=day, due=due, scope="management", dimension="communication"
        ),
        "sales_to_all": commitment(cycle, org["sales"], people["mark"], published_at=day, due=due),
    }


def test_everyone_in_a_department_hears_once_of_the_commitments_addressed_to_it(promised, people, org):
    published_on = datetime.date(2026, 10, 13)
    tick(at_day(published_on, 15))
    assert to(Kind.ADDRESSED) == []  # the news of a day goes out the next morning

    tick(at_day(published_on + datetime.timedelta(days=1), 8))
    # Sales hears of IT's promise to it; IT's staff of their management's promise to them (not
    # Ivan, who made it); nobody hears of Sales's promise to no one in particular.
    assert to(Kind.ADDRESSED) == ["ben", "emma", "mark"]
    emma = by("emma", "New commitments")
    assert emma.subject == "New commitments for Sales on the 2026-Q3 results"
    assert "IT, on Responsiveness, by 31 January 2027" in emma.body
    assert "Tickets from Sales <b>answered</b> within 4 hours & tracked." in emma.body  # text: as written
    html = emma.alternatives[0].content
    assert "&lt;b&gt;answered&lt;/b&gt; within 4 hours &amp; tracked." in html and "<b>answered" not in html
    assert "communication" not in emma.body.lower()
    ben = by("ben", "New commitments")
    assert "From your own management, to its staff" in ben.body and "On Communication" in ben.body
    assert "Responsiveness" not in ben.body

    # One email a day at most: what is published later that day waits for the next morning, and
    # the next email lists only what is new.
    commitment(
        promised["it_to_sales"].cycle,
        org["executive_office"],
        people["erin"],
        published_at=at_day(published_on + datetime.timedelta(days=1), 9),
        due=datetime.date(2027, 1, 31),
        dimension="courtesy",
        text="We thank Sales in person.",
        especially_for=[org["sales"]],
    )
    tick(at_day(published_on + datetime.timedelta(days=1), 10))
    assert to(Kind.ADDRESSED) == ["ben", "emma", "mark"]
    tick(at_day(published_on + datetime.timedelta(days=2), 8))
    tick(at_day(published_on + datetime.timedelta(days=2), 12))
    assert to(Kind.ADDRESSED) == ["ben", "emma", "emma", "mark", "mark"]
    latest = [m for m in mail.outbox if m.to == ["emma@example.com"]][-1]
    assert "We thank Sales in person." in latest.body and "Tickets from Sales" not in latest.body
    for day in range(3, 12):
        tick(at_day(published_on + datetime.timedelta(days=day), 8))
    assert len(to(Kind.ADDRESSED)) == 5


def test_news_goes_to_the_people_in_the_department_when_it_is_sent(promised, people, org):
    people["emma"].user.is_active = False
    people["emma"].user.save()
    people["ben"].department = org["sales"]
    people["ben"].save()
    tick(at_day(datetime.date(2026, 10, 14), 8))
    assert to(Kind.ADDRESSED) == ["ben", "mark"]  # Ben moved to Sales: he hears of IT's promise to it
    assert "IT, on Responsiveness" in by("ben", "New commitments").body


# ---- Never for drafts, people who left, or cycles without visible results ----


def test_nothing_for_drafts_people_who_left_or_cycles_whose_results_are_not_visible(people, org):
    published = results()
    CycleFactory(name="2026-Q4", status=Cycle.Status.OPEN, opens_at=PUBLISHED)
    unrolled = results("2026-Q1", published_at=PUBLISHED, rolled_up=False)  # published, not rolled up yet
    closed = CycleFactory(name="2026-Q2", status=Cycle.Status.CLOSED, closed_at=PUBLISHED)
    CycleSummary.objects.create(cycle=closed, computed_at=PUBLISHED, answers_count=0)
    due = datetime.date(2026, 11, 16)
    seven_days_before = at_day(due - datetime.timedelta(days=7), 8)
    for each in (unrolled, closed):
        commitment(each, org["sales"], people["emma"], published_at=PUBLISHED, due=due, especially_for=[org["it"]])
    commitment(published, org["sales"], people["emma"], published_at=None, due=due, especially_for=[org["it"]])
    commitment(published, org["it"], people["gone"], published_at=PUBLISHED, due=due, especially_for=[])
    people["erin"].user.is_active = False  # the top's only executive left: no top, nothing to open
    people["erin"].user.save()
    people["ivan"].user.is_active = False
    people["ivan"].user.save()
    assert top_departments() == frozenset()

    for at in (
        PUBLISHED + datetime.timedelta(minutes=5),
        at_day(PUBLISHED.date() + datetime.timedelta(days=1), 8),
        PUBLISHED + datetime.timedelta(days=7, hours=1),
    ):
        tick(at)
    tick(seven_days_before)
    tick(at_day(due + datetime.timedelta(days=1), 8))
    # Only Mark hears, that Sales may publish: the draft, the unpublished and not rolled-up
    # cycles, IT's commitment owned by someone who left (and its manager who left) say nothing.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("mark@example.com", "Sales may now publish its commitments on the 2026-Q3 results")
    ]


# ---- Never twice: ticks, concurrent workers, crashes, refusals ----


def test_a_second_call_sends_nothing_and_a_worker_that_planned_the_same_emails_claims_none(promised):
    at = at_day(datetime.date(2026, 10, 14), 8)
    with time_machine.travel(at, tick=False):
        planned = notices.notices_plan()
        real_claim = notices.notice_claim
        other_worker_ran = []

        def claim_after_the_other_worker(due):
            if not other_worker_ran:  # the other worker plans, claims and sends everything first
                with mock.patch.object(notices, "notice_claim", real_claim):
                    other_worker_ran.append(notices.notices_send())
            return real_claim(due)

        with mock.patch.object(notices, "notice_claim", claim_after_the_other_worker):
            this_worker = notices.notices_send(only=[p.due for p in planned])
        again = notices.notices_send()

    # Mark and Ivan may publish (since 12 October), and three people hear of IT's promises.
    assert other_worker_ran[0].sent == len(planned) == len(mail.outbox) == 5
    assert this_worker == notices.Outcome(taken=0, sent=0)
    assert again == notices.Outcome(taken=0, sent=0)
    assert ActionNotice.objects.filter(sent_at__isnull=False).count() == 5


def test_emails_claimed_by_a_worker_that_died_before_sending_are_never_sent(promised):
    at = at_day(datetime.date(2026, 10, 14), 8)
    with time_machine.travel(at, tick=False):
        claimed = [notices.notice_claim(due) for due in notices.notices_due()[:2]]
    assert all(claimed)  # ...and the worker died before sending them
    tick(at + datetime.timedelta(minutes=5))
    tick(at + datetime.timedelta(days=1))
    assert len(mail.outbox) == 3  # the three nobody had claimed
    assert ActionNotice.objects.filter(pk__in=claimed, sent_at__isnull=True).count() == 2


def test_a_mail_server_refusal_withdraws_the_unsent_claims_and_the_retry_sends_each_once(promised):
    real_send = mail.get_connection().__class__.send_messages
    calls = []

    def refuse_the_second(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    at = at_day(datetime.date(2026, 10, 14), 8)
    with (
        time_machine.travel(at, tick=False),
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse_the_second),
    ):
        with pytest.raises(NoticeSendError, match="unexpectedly closed"):
            notices.notices_send()
        assert len(mail.outbox) == 1
        assert ActionNotice.objects.count() == 1  # the sent one; the others are due again
        assert notices.notices_send() == notices.Outcome(taken=4, sent=4)
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(sent) == len(set(sent)) == 5 and len(calls) == 6  # one refused, then sent once


def test_a_tick_fans_out_batches_that_each_send_their_own(promised, settings):
    settings.CHAINSURVEY_EMAIL_BATCH_SIZE = 1
    at = at_day(datetime.date(2026, 10, 14), 8)
    assert tick(at) == {Kind.MAY_PUBLISH: 2, Kind.ADDRESSED: 3}
    assert len(mail.outbox) == 5
    assert tick(at + datetime.timedelta(minutes=5)) == {}


def test_a_batch_sends_the_emails_named_by_its_arguments_as_a_broker_carries_them(promised):
    import json

    from actions.tasks import send_commitment_notice_batch

    at = at_day(datetime.date(2026, 10, 14), 8)
    with time_machine.travel(at, tick=False):
        due = notices.notices_due()
        carried = json.loads(json.dumps([d.as_list() for d in due[:2]]))
        assert send_commitment_notice_batch.delay(due=carried).get() == 2
        assert send_commitment_notice_batch.delay(due=carried).get() == 0  # redelivered: nothing twice
    assert len(mail.outbox) == 2


def test_the_beat_schedule_runs_the_commitment_notices_task(settings):
    from chainsurvey.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-due-commitment-notices"]
    assert entry["task"] == "actions.tasks.send_due_commitment_notices"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.CHAINSURVEY_NOTICES_EVERY


def test_the_day_of_dated_emails_is_the_companys_local_day(cycle, people, org, settings):
    settings.TIME_ZONE = "America/New_York"
    # 13 October, 22:00 in New York: that day's news goes out from 7:00 New York time on the 14th.
    commitment(
        cycle,
        org["it"],
        people["ivan"],
        published_at=datetime.datetime(2026, 10, 14, 2, 0, tzinfo=UTC),
        due=datetime.date(2027, 1, 31),
        especially_for=[org["sales"]],
    )
    tick(datetime.datetime(2026, 10, 14, 10, 30, tzinfo=UTC))  # 6:30 in New York
    assert to(Kind.ADDRESSED) == []
    tick(datetime.datetime(2026, 10, 14, 11, 30, tzinfo=UTC))
    assert to(Kind.ADDRESSED) == ["emma", "mark"]
    assert ActionNotice.objects.get(employee=people["emma"], kind=Kind.ADDRESSED).subject == "2026-10-14"


def test_planning_costs_the_same_queries_whatever_the_number_of_people(sales_promise, people, org):
    at = at_day(datetime.date(2026, 11, 9), 8)  # due-date reminders and news, all at once
    commitment(
        sales_promise.cycle,
        org["it"],
        people["ivan"],
        published_at=at - datetime.timedelta(days=1),
        due=datetime.date(2027, 1, 31),
        especially_for=[org["sales"]],
    )

    def queries() -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
            planned = notices.notices_plan()
        return len(planned), len(captured)

    few = queries()
    for n in range(10):
        EmployeeFactory(department=org["sales"], role=Role.MANAGER if n % 2 else Role.EMPLOYEE)
    more = queries()
    assert few[0] == 4 and more[0] == 4 + 5 + 10  # Emma and Mark: due soon and news; the newcomers
    assert more[1] == few[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sending_at_once_send_each_email_once(promised):
    import threading

    from django.db import connection

    from tests.machine_services import require_postgresql

    require_postgresql()
    at = at_day(datetime.date(2026, 10, 14), 8)
    start, outcomes = threading.Barrier(2), []

    def worker():
        try:
            start.wait()
            outcomes.append(notices.notices_send())
        finally:
            connection.close()

    with time_machine.travel(at, tick=False):
        expected = len(notices.notices_due())
        workers = [threading.Thread(target=worker) for _ in range(2)]
        for each in workers:
            each.start()
        for each in workers:
            each.join(timeout=60)
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert expected == 5 and len(outcomes) == 2 and sum(o.sent for o in outcomes) == 5
    assert len(sent) == len(set(sent)) == 5
    assert ActionNotice.objects.filter(sent_at__isnull=False).count() == 5


def test_the_command_sends_what_is_due_once(cycle, capsys):
    from django.core.management import call_command

    with time_machine.travel(PUBLISHED + datetime.timedelta(hours=1), tick=False):
        call_command("send_commitment_notices")
        assert "Commitment notices: 1 sent." in capsys.readouterr().out
        assert to(Kind.TOP_OPENS) == ["erin"]
        call_command("send_commitment_notices")
        assert "Nothing is due now." in capsys.readouterr().out
    assert len(mail.outbox) == 1
