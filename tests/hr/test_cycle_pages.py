"""HR's cycle pages: create, open, close, publish with confirmations; participation while open
(counts, rates only for big enough departments, never a score); the roll-up's progress."""

import datetime
import re

import pytest
from django.utils import timezone

from invitations.models import Notice
from reports.models import RollupRun
from reports.services import rollup_cycle
from surveys.models import Cycle, CycleHeadcount, Participation
from surveys.roles import Role
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory, OpenCycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr.user)
    return client


@pytest.mark.parametrize("url", ["/hr/", "/hr/cycles/", "/hr/cycles/2026-Q4/", "/hr/cycles/2026-Q4/close/", "/hr/org/"])
@pytest.mark.parametrize("persona", ["employee", "manager", "executive"])
def test_people_who_are_not_hr_get_403(client, request, persona, url, open_cycle):
    client.force_login(request.getfixturevalue(persona).user)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Cycle.objects.get(pk=open_cycle.pk).status == Cycle.Status.OPEN


def test_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/hr/cycles/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_workspace_address_hr_leads_to_the_cycles(hr_client):
    response = hr_client.get("/hr/")
    assert response.status_code == 302 and response.url == "/hr/cycles/"
    assert hr_client.get(response.url).status_code == 200


def test_hr_creates_a_draft_cycle_with_the_next_quarter_suggested(hr_client):
    CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED)
    page = hr_client.get("/hr/cycles/").content.decode()
    assert 'value="2026-Q4"' in page
    response = hr_client.post("/hr/cycles/", {"name": "2026-Q4", "closes_on": ""})
    assert response.status_code == 302 and response.url == "/hr/cycles/2026-Q4/"
    assert Cycle.objects.get(name="2026-Q4").status == Cycle.Status.DRAFT


@pytest.mark.parametrize(
    ("name", "message"), [("2026-4", "YYYY-Qn"), ("2026-Q3", "exists already")], ids=["malformed", "taken"]
)
def test_a_refused_cycle_name_says_why_and_creates_nothing(hr_client, name, message):
    CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED)
    response = hr_client.post("/hr/cycles/", {"name": name})
    assert response.status_code == 400 and message in response.content.decode()
    assert Cycle.objects.count() == 1


def test_open_close_publish_through_confirmation_pages(hr_client, employee, django_capture_on_commit_callbacks):
    cycle = CycleFactory(name="2026-Q4")
    confirm = hr_client.get("/hr/cycles/2026-Q4/open/").content.decode()
    assert "Open for answers: 2026-Q4?" in confirm
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.DRAFT  # a GET only asks
    closes = timezone.localdate() + datetime.timedelta(days=10)
    response = hr_client.post("/hr/cycles/2026-Q4/open/", {"closes_on": closes.isoformat()})
    assert response.url == "/hr/cycles/2026-Q4/"
    cycle.refresh_from_db()
    assert (cycle.status, cycle.closes_on) == (Cycle.Status.OPEN, closes)

    assert "cannot be reopened" in hr_client.get("/hr/cycles/2026-Q4/close/").content.decode()
    # Nobody took part (0 % is below the threshold): both steps need the explicit confirmation.
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post("/hr/cycles/2026-Q4/close/", {"acknowledge": "yes"})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert "Computed over" in page and "Last completed" in page
    assert "Publish the results of 2026-Q4" in page

    response = hr_client.post("/hr/cycles/2026-Q4/publish/", {"acknowledge": "yes"}, follow=True)
    assert "Cycle 2026-Q4 published." in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED
    assert "/reports/2026-Q4/scorecards.xlsx" in response.content.decode()


def test_publishing_before_the_rollup_finished_is_refused_with_the_reason(hr_client):
    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED)
    RollupRun.objects.create(cycle=cycle, state=RollupRun.State.STARTED, started_at=timezone.now())
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert "Computing the results" in page and "Publish (once the results are computed)" in page
    response = hr_client.post("/hr/cycles/2026-Q4/publish/", follow=True)
    assert "not computed yet" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED


def test_a_closed_cycle_cannot_be_reopened_from_the_page(hr_client):
    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED)
    assert "not possible now" in hr_client.get("/hr/cycles/2026-Q4/open/").content.decode()
    response = hr_client.post("/hr/cycles/2026-Q4/open/", {"closes_on": "2099-01-01"}, follow=True)
    assert "never reopened" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED


def test_a_failed_rollup_shows_its_error_and_can_be_requested_again(hr_client, django_capture_on_commit_callbacks):
    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED)
    RollupRun.objects.create(cycle=cycle, state=RollupRun.State.FAILED, error="database went away")
    assert "database went away" in hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post("/hr/cycles/2026-Q4/rollup/")
    assert RollupRun.objects.filter(cycle=cycle).latest("requested_at").state == RollupRun.State.DONE
    assert hr_client.get("/hr/cycles/2026-Q4/status.json").json() == {"status": "closed", "rollup": "done"}


def open_with_participation(departments: int, *, staff: int, took_part: int):
    cycle = OpenCycleFactory(name="2026-Q4", min_group_size=5)
    for i in range(departments):
        department = DepartmentFactory(name=f"Team {i:02d}", slug=f"team-{i}")
        people = [EmployeeFactory(department=department) for _ in range(took_part)]
        CycleHeadcount.objects.create(cycle=cycle, department=department, eligible=staff)
        Participation.objects.bulk_create(
            [Participation(employee=p, cycle=cycle, department=department) for p in people]
        )
    return cycle


def test_participation_while_open_shows_counts_and_rates_but_no_rate_for_small_departments(hr_client):
    cycle = open_with_participation(1, staff=8, took_part=6)
    small = DepartmentFactory(name="Tiny", slug="tiny")
    CycleHeadcount.objects.create(cycle=cycle, department=small, eligible=3)
    Participation.objects.create(employee=EmployeeFactory(department=small), cycle=cycle, department=small)
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    team = re.search(r"Team 00</th>(.*?)</tr>", page, re.S).group(1)
    assert [cell.strip() for cell in re.findall(r">([^<>]*)<", team) if cell.strip()] == ["6", "8", "75 %"]
    tiny = re.search(r"Tiny</th>(.*?)</tr>", page, re.S).group(1)
    assert "not shown" in tiny and "%" not in tiny
    assert "Taken part so far: 7 of 11" in page
    for word in ("mean", "favorable", "score:"):
        assert word not in page.lower()


@pytest.mark.parametrize("departments", [2, 40], ids=["two", "forty"])
def test_cycle_page_runs_a_fixed_number_of_queries(hr_client, departments, django_assert_num_queries):
    open_with_participation(departments, staff=6, took_part=1)
    # The session with its user (one statement), permissions (user and group), the cycle with its counts and roll-up
    # state, latest run, last finished run, headcounts, participation counts, department names, emails sent.
    with django_assert_num_queries(10):
        response = hr_client.get("/hr/cycles/2026-Q4/")
    assert response.status_code == 200


def test_cycles_list_runs_a_fixed_number_of_queries(hr_client, django_assert_num_queries):
    for i in range(12):
        CycleFactory(name=f"{2020 + i // 4}-Q{i % 4 + 1}", status=Cycle.Status.PUBLISHED)
    # The session with its user (one statement), permissions (user and group), the cycles with counts and roll-up
    # states.
    with django_assert_num_queries(4):
        hr_client.get("/hr/cycles/")


def test_published_cycle_lists_a_pdf_per_department(hr_client, org):
    from tests.reports.builders import add_answers, full_survey

    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, min_group_size=1)
    add_answers(cycle, full_survey(1, org["sales"], org["it"], 4))
    rollup_cycle(cycle_id=cycle.id)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    page = hr_client.get("/hr/cycles/2026-Q3/").content.decode()
    assert "/reports/2026-Q3/departments/it/scorecard.pdf" in page


@pytest.mark.parametrize(("historical", "listed"), [(False, False), (True, True)], ids=["closed", "history"])
def test_a_rolled_up_cycle_lists_pdfs_only_once_its_results_may_be_shown(hr_client, org, historical, listed):
    from tests.reports.builders import add_answers, full_survey

    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, min_group_size=1, is_historical=historical)
    add_answers(cycle, full_survey(1, org["sales"], org["it"], 4))
    rollup_cycle(cycle_id=cycle.id)
    page = hr_client.get("/hr/cycles/2026-Q3/").content.decode()
    assert ("/reports/2026-Q3/departments/it/scorecard.pdf" in page) is listed


def test_hr_home_links_to_the_workspace(client, hr):
    client.force_login(hr.user)
    page = client.get("/").content.decode()
    assert 'href="/hr/cycles/"' in page and 'href="/hr/org/"' in page


def test_employee_home_has_no_hr_links(client, employee):
    client.force_login(employee.user)
    assert "/hr/" not in client.get("/").content.decode()


def test_manager_role_is_not_enough_for_hr_pages(client, org):
    boss = EmployeeFactory(department=org["sales"], role=Role.MANAGER)
    client.force_login(boss.user)
    assert client.get("/hr/cycles/").status_code == 403


def test_cycle_page_says_how_many_invitations_and_reminders_went_out(hr_client):
    cycle = open_with_participation(2, staff=6, took_part=1)
    people = EmployeeFactory.create_batch(3)
    Notice.objects.create(employee=people[0], cycle=cycle, kind=Notice.Kind.INVITATION, status=Notice.Status.SENT)
    Notice.objects.create(employee=people[1], cycle=cycle, kind=Notice.Kind.INVITATION, status=Notice.Status.SENT)
    Notice.objects.create(employee=people[2], cycle=cycle, kind=Notice.Kind.REMINDER, status=Notice.Status.SENT)
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert "Invitations: 2 sent." in " ".join(page.split())
    assert "Reminders: 1 sent." in " ".join(page.split())


def test_closing_with_the_broker_down_says_so_and_the_page_says_what_the_rollup_waits_for(
    hr_client, django_capture_on_commit_callbacks
):
    from unittest import mock

    import kombu.exceptions

    from reports import tasks

    OpenCycleFactory(name="2026-Q4")
    outage = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(tasks.rollup_cycle, "delay", side_effect=outage),
        django_capture_on_commit_callbacks(execute=True),
    ):
        hr_client.post("/hr/cycles/2026-Q4/close/")
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert Cycle.objects.get(name="2026-Q4").status == Cycle.Status.CLOSED
    assert "Waiting for the task queue (Redis)" in page
    assert "Waiting for a worker" not in page


# --- Response rates before closing and publishing (CHAINSURVEY_PUBLISH_MIN_RESPONSE) -----------------


def rolled_up_closed(org, *, staff: int, took_part: int) -> Cycle:
    """2026-Q4 closed and rolled up: `took_part` of Sales's `staff` took part and rated IT."""
    from tests.reports.builders import add_answers, full_survey

    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED, min_group_size=3, closed_at=timezone.now())
    CycleHeadcount.objects.create(cycle=cycle, department=org["sales"], eligible=staff)
    for _ in range(took_part):
        Participation.objects.create(
            employee=EmployeeFactory(department=org["sales"]), cycle=cycle, department=org["sales"]
        )
    add_answers(cycle, [row for r in range(took_part) for row in full_survey(r + 1, org["sales"], org["it"], 4)])
    rollup_cycle(cycle_id=cycle.id)
    return cycle


def test_closing_with_a_low_response_shows_the_rates_and_needs_an_explicit_confirmation(hr_client, settings):
    settings.CHAINSURVEY_PUBLISH_MIN_RESPONSE = 30
    cycle = open_with_participation(2, staff=10, took_part=2)  # 20 % in each of two teams
    page = hr_client.get("/hr/cycles/2026-Q4/close/").content.decode()
    assert "Response below 30 %" in page and "Team 00 (20 %), Team 01 (20 %)" in page
    assert 'name="acknowledge"' in page and "btn-danger" in page
    # A bare POST (an old tab, a script) is refused and changes nothing.
    response = hr_client.post("/hr/cycles/2026-Q4/close/")
    assert response.status_code == 400 and "Tick this box to confirm: nothing was changed." in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN
    hr_client.post("/hr/cycles/2026-Q4/close/", {"acknowledge": "yes"})
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED


def test_closing_above_the_threshold_needs_no_extra_confirmation(hr_client, settings):
    settings.CHAINSURVEY_PUBLISH_MIN_RESPONSE = 30
    cycle = open_with_participation(1, staff=10, took_part=6)
    page = hr_client.get("/hr/cycles/2026-Q4/close/").content.decode()
    assert 'name="acknowledge"' not in page and "60 %" in page
    hr_client.post("/hr/cycles/2026-Q4/close/")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED


def test_the_threshold_is_hrs_setting(hr_client, settings):
    open_with_participation(1, staff=10, took_part=6)  # 60 %
    settings.CHAINSURVEY_PUBLISH_MIN_RESPONSE = 75
    assert "Response below 75 %" in hr_client.get("/hr/cycles/2026-Q4/close/").content.decode()


def test_publishing_a_low_response_cycle_shows_the_rates_and_needs_an_explicit_confirmation(hr_client, org):
    cycle = rolled_up_closed(org, staff=20, took_part=3)  # 15 %
    page = hr_client.get("/hr/cycles/2026-Q4/publish/").content.decode()
    assert "Sales (15 %)" in page and 'name="acknowledge"' in page
    assert "Every rated department (1) has its results shown." in page
    assert 'href="/reports/2026-Q4/"' in page  # the preview
    assert hr_client.post("/hr/cycles/2026-Q4/publish/").status_code == 400
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED
    hr_client.post("/hr/cycles/2026-Q4/publish/", {"acknowledge": "yes"})
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED


def test_publishing_a_cycle_that_shows_nothing_says_so_and_needs_a_confirmation(hr_client, org, settings):
    settings.CHAINSURVEY_PUBLISH_MIN_RESPONSE = 0  # the rate alone would not ask
    cycle = rolled_up_closed(org, staff=2, took_part=2)  # below the minimum group size of 3
    page = hr_client.get("/hr/cycles/2026-Q4/publish/").content.decode()
    assert "Nothing would be shown" in page and 'name="acknowledge"' in page
    assert hr_client.post("/hr/cycles/2026-Q4/publish/").status_code == 400
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED


# --- The cycle pages say nothing stale ----------------------------------------------------------


def test_a_closed_cycles_participation_does_not_read_as_if_it_were_open(hr_client, org):
    rolled_up_closed(org, staff=20, took_part=3)
    Cycle.objects.filter(name="2026-Q4").update(status=Cycle.Status.PUBLISHED)
    page = " ".join(hr_client.get("/hr/cycles/2026-Q4/").content.decode().split())
    assert "Took part: 3 of 20" in page
    assert "so far" not in page and "No score is shown before the cycle closes" not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closing_says_the_results_are_computed_once_and_never_being_computed_and_done(hr_client):
    # A real commit, as in production: the in-process roll-up runs when the close commits.
    open_with_participation(1, staff=5, took_part=5)
    response = hr_client.post("/hr/cycles/2026-Q4/close/", follow=True)
    page = response.content.decode()
    assert "Cycle 2026-Q4 closed: its results are computed over 0 answers." in page
    assert "being computed" not in page and "roll-up is done" not in page
    assert 'href="/reports/2026-Q4/"' in page and "Preview the results" in page


def test_a_cycle_closed_early_says_when_it_closed_not_its_planned_day(hr_client):
    closes = timezone.localdate() + datetime.timedelta(days=20)
    CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED, closes_on=closes, closed_at=timezone.now())
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert f"closed early; planned until {closes:%-d %b %Y}" in page
    listing = hr_client.get("/hr/cycles/").content.decode()
    assert f"{closes:%-d %b %Y}" not in listing and f"{timezone.localdate():%-d %b %Y}" in listing


def test_one_person_is_one_person(hr_client):
    OpenCycleFactory(name="2026-Q4", min_group_size=1)
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert "at least 1 person." in page and "1 people" not in page


def test_a_department_created_mid_cycle_appears_in_participation(hr_client):
    cycle = open_with_participation(1, staff=6, took_part=1)
    newcomers = DepartmentFactory(name="Data Office", slug="data-office")  # after the cycle opened
    EmployeeFactory(department=newcomers)
    Participation.objects.create(employee=EmployeeFactory(department=newcomers), cycle=cycle, department=newcomers)
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    row = re.search(r"Data Office</th>(.*?)</tr>", page, re.S).group(1)
    assert "new since opening" in row and ">1<" in row
    silent = DepartmentFactory(name="Quiet Team", slug="quiet-team")
    EmployeeFactory(department=silent)  # nobody there has taken part yet: listed all the same
    assert "Quiet Team</th>" in hr_client.get("/hr/cycles/2026-Q4/").content.decode()


def test_close_is_a_danger_action_whose_confirmation_says_what_it_ends(hr_client, org):
    from surveys.models import Draft

    cycle = open_with_participation(1, staff=6, took_part=1)
    Draft.objects.create(employee=EmployeeFactory(department=org["sales"]), cycle=cycle, providers=[org["it"].id])
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert re.search(r'class="btn btn-outline-danger[^"]*" href="/hr/cycles/2026-Q4/close/"', page)
    confirm = " ".join(hr_client.get("/hr/cycles/2026-Q4/close/").content.decode().split())
    assert "5 people have not taken part and can no longer do so." in confirm
    assert "1 saved but unsubmitted survey is deleted." in confirm
    assert "cannot be reopened" in confirm and 'class="btn btn-danger"' in confirm


# --- Invitations and reminders from the cycle page --------------------------------------------------


def test_invitations_are_sent_from_the_cycle_page_with_their_count(
    hr_client, mailoutbox, django_capture_on_commit_callbacks
):
    cycle = open_with_participation(1, staff=3, took_part=1)
    EmployeeFactory.create_batch(2)
    Notice.objects.create(
        employee=EmployeeFactory(), cycle=cycle, kind=Notice.Kind.INVITATION, status=Notice.Status.SENT
    )
    page = hr_client.get("/hr/cycles/2026-Q4/").content.decode()
    assert 'href="/hr/cycles/2026-Q4/invite/"' in page and 'href="/hr/cycles/2026-Q4/remind/"' in page
    assert "Scheduled:" in page
    # The two new people and HR themselves (an employee too); not whoever took part or was invited before.
    due = 3
    assert (
        f"{due} people</strong> get an invitation now" in hr_client.get("/hr/cycles/2026-Q4/invite/").content.decode()
    )
    assert Notice.objects.filter(kind=Notice.Kind.INVITATION).count() == 1  # the GET only counts
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post("/hr/cycles/2026-Q4/invite/", follow=True)
    assert f"{due} invitations on the way" in response.content.decode()
    assert len(mailoutbox) == due
    # Again: nobody gets a second one.
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post("/hr/cycles/2026-Q4/invite/", follow=True)
    assert "No invitation to send" in response.content.decode() and len(mailoutbox) == due


def test_reminders_go_only_to_those_who_have_not_taken_part(
    hr_client, hr, mailoutbox, django_capture_on_commit_callbacks
):
    open_with_participation(1, staff=3, took_part=2)
    waiting = EmployeeFactory()
    assert "2 people</strong> get a reminder now" in hr_client.get("/hr/cycles/2026-Q4/remind/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post("/hr/cycles/2026-Q4/remind/")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([waiting.user.email, hr.user.email])


def test_invitations_cannot_be_sent_for_a_closed_cycle(hr_client, mailoutbox):
    CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED)
    assert "not possible now" in hr_client.get("/hr/cycles/2026-Q4/invite/").content.decode()
    hr_client.post("/hr/cycles/2026-Q4/invite/")
    assert not Notice.objects.exists() and not mailoutbox


def test_publishing_says_how_many_departments_would_be_hidden(hr_client, org):
    from tests.reports.builders import add_answers, full_survey

    cycle = rolled_up_closed(org, staff=4, took_part=4)  # IT rated by four of Sales: shown
    add_answers(cycle, full_survey(90, org["sales"], org["executive_office"], 3))  # one rater only: hidden
    rollup_cycle(cycle_id=cycle.id)
    page = hr_client.get("/hr/cycles/2026-Q4/publish/").content.decode()
    assert "1 of 2 rated departments has its results shown; the other has too few responses." in page
