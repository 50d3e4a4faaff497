"""HR sees in the admin how many invitations and reminders of each cycle went out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invitations.models import Notice
from tests.factories import CycleFactory, EmployeeFactory, OpenCycleFactory

pytestmark = pytest.mark.django_db


def send(cycle, people, kind, status=Notice.Status.SENT):
    Notice.objects.bulk_create([Notice(employee=p, cycle=cycle, kind=kind, status=status) for p in people])


@pytest.fixture
def cycle_with_emails(org, hr):
    cycle = OpenCycleFactory(name="2026-Q4")
    people = [EmployeeFactory(department=org["sales"]) for _ in range(4)]
    send(cycle, people, Notice.Kind.INVITATION)
    send(cycle, people[:2], Notice.Kind.REMINDER)
    send(cycle, [hr], Notice.Kind.INVITATION, status=Notice.Status.FAILED)
    return cycle


def test_the_cycle_list_shows_invitations_and_reminders_sent(client, hr, cycle_with_emails):
    client.force_login(hr.user)
    response = client.get(reverse("admin:surveys_cycle_changelist"))
    row = response.context["cl"].result_list.get(pk=cycle_with_emails.pk)
    assert (row.invitations_sent, row.reminders_sent) == (4, 2)
    page = response.content.decode()
    assert "Invitations sent" in page and "Reminders sent" in page


def test_the_cycle_page_shows_sent_and_failed_emails(client, hr, cycle_with_emails):
    client.force_login(hr.user)
    page = client.get(reverse("admin:surveys_cycle_change", args=[cycle_with_emails.pk])).content.decode()
    assert "4 invitations sent; 2 reminders sent; 1 failed" in page


def test_hr_lists_each_email_sent(client, hr, cycle_with_emails):
    client.force_login(hr.user)
    response = client.get(reverse("admin:invitations_notice_changelist"))
    assert response.status_code == 200 and response.context["cl"].result_count == 7


def test_the_cycle_list_costs_the_same_queries_for_many_cycles_and_emails(client, hr, cycle_with_emails, org):
    client.force_login(hr.user)
    url = reverse("admin:surveys_cycle_changelist")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    people = [EmployeeFactory(department=org["it"]) for _ in range(5)]
    for year in range(2020, 2025):
        send(CycleFactory(name=f"{year}-Q1", status="closed"), people, Notice.Kind.INVITATION)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_opening_a_cycle_in_the_admin_says_when_the_invitations_go_out(client, hr, settings):
    cycle = CycleFactory(name="2027-Q1")
    client.force_login(hr.user)
    settings.CELERY_TASK_ALWAYS_EAGER, settings.CHAINSURVEY_NOTICES_EVERY = False, 300
    action = {"action": "open_cycles", "_selected_action": [cycle.pk]}
    response = client.post(reverse("admin:surveys_cycle_changelist"), action, follow=True)
    page = response.content.decode()
    assert "Cycle 2027-Q1 opened." in page
    assert "Invitations are emailed to every active employee within 5 minutes." in page
