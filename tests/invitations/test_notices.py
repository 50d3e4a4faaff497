"""Invitations and reminders: who gets which email when, never twice, and what HR is shown."""

import datetime
import re
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from invitations import services
from invitations.models import Notice
from invitations.selectors import NoticeCounts, invitation_counts
from invitations.tasks import send_due_notices
from surveys.models import Participation
from surveys.services.cycles import cycle_close, cycle_open
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

OPENED = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)
CLOSES_ON = datetime.date(2026, 10, 21)  # reminders (3 days before) on 18 October


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CHAINSURVEY_SITE_URL = "https://survey.example.com"
    settings.CHAINSURVEY_REMINDER_DAYS = 3


@pytest.fixture
def people(org):
    """Three active people (one who signed in before) and one who left."""
    signed_in = EmployeeFactory(department=org["sales"], user__email="ana@example.com")
    signed_in.user.last_login = OPENED - datetime.timedelta(days=90)
    signed_in.user.save()
    return {
        "ana": signed_in,
        "ben": EmployeeFactory(department=org["it"], user__email="ben@example.com"),
        "cy": EmployeeFactory(department=org["sales"], user__email="cy@example.com"),
        "gone": EmployeeFactory(department=org["it"], user__email="gone@example.com", user__is_active=False),
    }


def tick(at: datetime.datetime) -> dict:
    """One beat tick of the schedule at `at` (the tasks run in-process here)."""
    with time_machine.travel(at, tick=False):
        return send_due_notices.delay().get()


def recipients(kind_word: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if kind_word in m.subject)


@pytest.fixture
def cycle(people):
    with time_machine.travel(OPENED, tick=False):
        return cycle_open(name="2026-Q4", closes_on=CLOSES_ON)


def test_every_active_person_is_invited_once_when_the_cycle_opens_and_reminded_three_days_before_it_closes(
    cycle, people
):
    tick(OPENED + datetime.timedelta(minutes=5))
    assert recipients("is open") == ["ana@example.com", "ben@example.com", "cy@example.com"]
    assert recipients("Reminder") == []

    # Later ticks before the reminder day send nothing more: each person gets each email once.
    for day in (2, 10, 16):
        tick(OPENED + datetime.timedelta(days=day))
    assert len(mail.outbox) == 3

    Participation.objects.create(employee=people["ben"], cycle=cycle, department=people["ben"].department)
    tick(datetime.datetime(2026, 10, 17, 23, 0, tzinfo=datetime.UTC))  # the day before the reminder day
    assert recipients("Reminder") == []

    tick(datetime.datetime(2026, 10, 18, 8, 0, tzinfo=datetime.UTC))
    # Ben took part: never reminded. Nobody is invited twice.
    assert recipients("Reminder") == ["ana@example.com", "cy@example.com"]
    tick(datetime.datetime(2026, 10, 19, 8, 0, tzinfo=datetime.UTC))
    assert len(mail.outbox) == 5

    assert invitation_counts(cycle=cycle) == NoticeCounts(invitations_sent=3, reminders_sent=2)


def test_nothing_is_sent_once_the_cycle_is_closed(cycle):
    with time_machine.travel(OPENED + datetime.timedelta(days=1), tick=False):
        cycle_close(cycle=cycle)
    tick(datetime.datetime(2026, 10, 18, 8, 0, tzinfo=datetime.UTC))
    assert mail.outbox == []


def test_a_cycle_opened_inside_the_reminder_window_gets_its_invitation_but_no_reminder(people):
    opened = datetime.datetime(2026, 10, 19, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(opened, tick=False):
        cycle_open(name="2026-Q4", closes_on=CLOSES_ON)
    tick(opened + datetime.timedelta(minutes=5))
    tick(opened + datetime.timedelta(days=1))
    assert len(recipients("is open")) == 3
    assert recipients("Reminder") == []


def test_people_who_never_signed_in_get_a_link_to_choose_their_password_that_works(client, cycle, people):
    tick(OPENED + datetime.timedelta(minutes=5))
    by_person = {m.to[0]: m for m in mail.outbox}
    assert "Choose your password" not in by_person["ana@example.com"].body  # signed in before
    assert "https://survey.example.com/survey/" in by_person["ana@example.com"].body

    body = by_person["ben@example.com"].body
    link = re.search(r"https://survey\.example\.com(/accounts/reset/\S+/)", body).group(1)
    html = by_person["ben@example.com"].alternatives[0]
    assert html.mimetype == "text/html" and link in html.content
    with time_machine.travel(OPENED + datetime.timedelta(minutes=10), tick=False):
        page = client.get(link, follow=True)
    assert "Choose your password" in page.content.decode()


@pytest.mark.parametrize("password_login", [True, False], ids=["password-login", "single-sign-on-only"])
def test_the_set_password_link_goes_out_only_while_password_sign_in_is_offered(cycle, people, settings, password_login):
    settings.CHAINSURVEY_PASSWORD_LOGIN = password_login
    tick(OPENED + datetime.timedelta(minutes=5))
    tick(datetime.datetime.combine(CLOSES_ON - datetime.timedelta(days=3), datetime.time(9), tzinfo=datetime.UTC))
    never_signed_in = [m for m in mail.outbox if m.to[0] == "ben@example.com"]
    assert [m.subject.startswith("Reminder") for m in never_signed_in] == [False, True]  # invitation, reminder
    for message in never_signed_in:
        html = message.alternatives[0].content
        assert ("/accounts/reset/" in message.body) is password_login
        assert ("/accounts/reset/" in html) is password_login
        assert ("Choose your password" in message.body + html) is password_login
        assert "https://survey.example.com/survey/" in message.body


def test_a_mail_server_refusal_keeps_the_unsent_for_a_retry_and_sends_nobody_twice(cycle, people, settings):
    settings.CHAINSURVEY_EMAIL_BATCH_SIZE = 10
    real_send = mail.get_connection().__class__.send_messages
    calls = []

    def refuse_the_second(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    with (
        time_machine.travel(OPENED, tick=False),
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse_the_second),
    ):
        plan = services.notices_due()
        with pytest.raises(services.NoticeSendError, match="unexpectedly closed"):
            services.notices_send_batch(cycle_id=cycle.pk, kind=Notice.Kind.INVITATION)
        assert len(mail.outbox) == 1
        assert invitation_counts(cycle=cycle) == NoticeCounts(invitations_sent=1, invitations_waiting=2)
        # The retry sends the two that were not accepted, and not the first one again.
        assert services.notices_send_batch(cycle_id=cycle.pk, kind=Notice.Kind.INVITATION).sent == 2

    assert plan.pending == {"invitation": 3}
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "ben@example.com", "cy@example.com"]
    refused = Notice.objects.get(employee__user__email=calls[1])
    assert refused.attempts == 2 and "unexpectedly closed" in refused.last_error


def test_a_person_who_keeps_being_refused_is_given_up_after_five_attempts(cycle, people):
    with (
        time_machine.travel(OPENED, tick=False),
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPRecipientsRefused({"x": (550, b"no")}),
        ),
    ):
        services.notices_due()
        for _ in range(services.MAX_ATTEMPTS):
            with pytest.raises(services.NoticeSendError):
                services.notices_send_batch(cycle_id=cycle.pk, kind=Notice.Kind.INVITATION, limit=1)
        # The first in line was given up on; the others still wait for their turn.
        assert invitation_counts(cycle=cycle) == NoticeCounts(invitations_waiting=2, invitations_failed=1)


def test_a_batch_claimed_by_a_worker_that_died_is_never_sent_again(cycle, people):
    with time_machine.travel(OPENED, tick=False):
        services.notices_due()
        taken, _ = services.notices_claim(cycle_id=cycle.pk, kind=Notice.Kind.INVITATION, limit=2)
    assert taken == 2  # ...and the worker died before sending
    tick(OPENED + datetime.timedelta(minutes=30))
    assert len(mail.outbox) == 1  # only the one nobody had claimed
    tick(OPENED + datetime.timedelta(hours=2))
    assert len(mail.outbox) == 1
    assert invitation_counts(cycle=cycle) == NoticeCounts(invitations_sent=1, invitations_failed=2)


def test_two_ticks_planning_at_once_record_each_person_once(cycle, people):
    services.notices_plan(cycle=cycle, kind=Notice.Kind.INVITATION)
    services.notices_plan(cycle=cycle, kind=Notice.Kind.INVITATION)
    # The unique (person, cycle, kind) row also refuses a duplicate that a racing tick would write.
    Notice.objects.bulk_create(
        [Notice(employee=people["ana"], cycle=cycle, kind=Notice.Kind.INVITATION)], ignore_conflicts=True
    )
    assert Notice.objects.filter(cycle=cycle).count() == 3


def test_send_notices_command_sends_what_is_due_and_says_so(cycle, capsys):
    with time_machine.travel(OPENED + datetime.timedelta(minutes=1), tick=False):
        call_command("send_notices")
        call_command("send_notices")
    out = capsys.readouterr().out
    assert "Invitations: 3 sent (of 3 due)." in out
    assert "Invitations: 0 sent (of 0 due)." in out
    assert len(mail.outbox) == 3


def test_send_notices_command_without_an_open_cycle_says_there_is_nothing_to_send(db, capsys):
    call_command("send_notices")
    assert "No cycle is open" in capsys.readouterr().out


def test_counts_for_hr_cost_one_query_whatever_the_number_of_people(cycle, people, django_assert_num_queries):
    tick(OPENED + datetime.timedelta(minutes=5))
    with django_assert_num_queries(1):
        counts = invitation_counts(cycle=cycle)
    assert counts.invitations_sent == 3
    assert connection.vendor  # keeps the import honest on every backend


def test_someone_who_submits_between_planning_and_sending_gets_no_reminder(cycle, people):
    reminder_day = datetime.datetime(2026, 10, 18, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(reminder_day, tick=False):
        services.notices_due()  # invitations and reminders recorded, none sent yet
        Participation.objects.create(employee=people["cy"], cycle=cycle, department=people["cy"].department)
        while services.notices_send_batch(cycle_id=cycle.pk, kind=Notice.Kind.REMINDER, limit=1).taken:
            pass
    assert recipients("Reminder") == ["ana@example.com", "ben@example.com"]
    assert Notice.objects.get(employee=people["cy"], kind=Notice.Kind.REMINDER).status == Notice.Status.SKIPPED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_worker_claiming_at_the_same_time_skips_the_rows_the_first_holds(cycle, people):
    from tests.machine_services import require_postgresql

    require_postgresql()
    import psycopg

    services.notices_plan(cycle=cycle, kind=Notice.Kind.INVITATION)
    first_two = list(Notice.objects.order_by("pk").values_list("pk", flat=True)[:2])
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], port=db["PORT"] or None
    ) as other_worker:
        # Another worker is in the middle of claiming two rows (it holds their locks).
        other_worker.execute("SELECT id FROM invitations_notice WHERE id = ANY(%s) FOR UPDATE", [first_two])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # waiting for those rows would fail the test, not hang it
        try:
            taken, notices = services.notices_claim(cycle_id=cycle.pk, kind=Notice.Kind.INVITATION, limit=10)
        finally:
            other_worker.rollback()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert taken == 1 and [n.pk for n in notices] == sorted(
        set(Notice.objects.values_list("pk", flat=True)) - set(first_two)
    )


def test_counts_of_many_cycles_in_one_query(cycle, people, django_assert_num_queries):
    from invitations.selectors import invitation_counts_by_cycle

    tick(OPENED + datetime.timedelta(minutes=5))
    with django_assert_num_queries(1):
        counts = invitation_counts_by_cycle(cycle_ids=[cycle.pk, cycle.pk + 1])
    assert counts == {cycle.pk: NoticeCounts(invitations_sent=3)}
