"""The admin site: HR manages the org and cycles there; answers and comments never appear."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import RollupRun
from surveys.models import Answer, Ballot, Comment, Cycle, Department, Dimension, Draft, Employee, Participation
from tests.factories import CycleFactory, EmployeeFactory, OpenCycleFactory, UserFactory

pytestmark = pytest.mark.django_db


CHANGELISTS = [
    "/admin/surveys/department/",
    "/admin/surveys/employee/",
    "/admin/surveys/cycle/",
    "/admin/surveys/dimension/",
    "/admin/surveys/participation/",
    "/admin/reports/rolluprun/",
]


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture(params=["hr", "superuser"])
def admin_client(request, client, org):
    user = request.getfixturevalue("hr").user if request.param == "hr" else request.getfixturevalue("superuser")
    client.force_login(user)
    return client


def _make_rows(org, count: int, start: int) -> None:
    cycles = []
    for index in range(count):
        department = Department.objects.create(name=f"Dept {start + index}", slug=f"dept-{start + index}")
        person = EmployeeFactory(department=department)
        cycle = CycleFactory(name=f"{2000 + start + index}-Q1", status=Cycle.Status.PUBLISHED)
        Participation.objects.create(employee=person, cycle=cycle, department=department)
        RollupRun.objects.create(cycle=cycle)
        cycles.append(cycle)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelists_render_with_a_query_count_that_does_not_grow_with_rows(admin_client, org, url):
    _make_rows(org, 2, start=0)
    few = _queries(admin_client, url)
    _make_rows(org, 25, start=100)
    assert _queries(admin_client, url) == few


def test_employee_changelist_costs_a_fixed_number_of_queries(client, hr, org, django_assert_num_queries):
    EmployeeFactory.create_batch(30, department=org["sales"])
    client.force_login(hr.user)
    # the session with its user (one statement: accounts.sessions), user permissions, group permissions, the
    # department filter's choices, the filtered count, the unfiltered count, one page of employees joined to user and
    # department
    with django_assert_num_queries(7):
        response = client.get("/admin/surveys/employee/")
    assert response.content.count(b'class="action-select"') == 31


def test_employee_changelist_shows_the_contract_columns_and_searches_by_email(client, hr, org):
    EmployeeFactory(
        employee_id="E-77", department=org["it"], user__email="zoe.quinn@example.com", user__full_name="Zoe Quinn"
    )
    client.force_login(hr.user)
    page = client.get("/admin/surveys/employee/", {"q": "zoe.quinn"}).content.decode()
    for column in ("Employee ID", "Name", "Email", "Department", "Role", "Active"):
        assert column in page
    assert "E-77" in page and "Zoe Quinn" in page and "IT" in page
    assert "hana@example.com" not in page


def test_answers_comments_ballots_and_drafts_are_not_in_the_admin(client, superuser):
    assert Answer not in admin.site._registry
    assert Comment not in admin.site._registry
    assert Draft not in admin.site._registry
    assert Ballot not in admin.site._registry
    client.force_login(superuser)
    index = client.get("/admin/").content.decode()
    assert "/admin/surveys/answer/" not in index and "/admin/surveys/comment/" not in index
    assert client.get("/admin/surveys/answer/").status_code == 404


def test_employees_are_deactivated_not_deleted(client, hr, org):
    people = EmployeeFactory.create_batch(2, department=org["it"])
    client.force_login(hr.user)
    page = client.get("/admin/surveys/employee/").content.decode()
    assert "delete_selected" not in page
    response = client.post(
        "/admin/surveys/employee/",
        {"action": "deactivate", "_selected_action": [p.pk for p in people]},
        follow=True,
    )
    assert "2 people deactivated" in response.content.decode()
    assert Employee.objects.filter(pk__in=[p.pk for p in people], user__is_active=False).count() == 2
    assert Employee.objects.count() >= 3


def test_hr_adds_an_employee_who_then_sets_their_own_password(client, hr, org):
    client.force_login(hr.user)
    response = client.post(
        "/admin/surveys/employee/add/",
        {
            "employee_id": "E-900",
            "full_name": "New Person",
            "email": "New.Person@Example.com",
            "department": org["it"].pk,
            "role": "manager",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Employee.objects.select_related("user").get(employee_id="E-900")
    assert person.user.email == "new.person@example.com"
    assert not person.user.has_usable_password()
    assert person.user.has_perm("surveys.view_own_department_results")


def test_hr_opens_closes_and_publishes_a_cycle_with_admin_actions(client, hr, django_capture_on_commit_callbacks):
    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.DRAFT)
    client.force_login(hr.user)
    url = "/admin/surveys/cycle/"
    client.post(url, {"action": "open_cycles", "_selected_action": [cycle.pk]})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert cycle.closes_on == timezone.localdate() + datetime.timedelta(days=21)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "close_cycles", "_selected_action": [cycle.pk]})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert RollupRun.objects.filter(cycle=cycle, state=RollupRun.State.DONE).exists()
    client.post(url, {"action": "publish_cycles", "_selected_action": [cycle.pk]})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED


def test_a_refused_admin_transition_shows_the_reason_and_changes_nothing(client, hr):
    OpenCycleFactory(name="2026-Q3")
    second = CycleFactory(name="2026-Q4", status=Cycle.Status.DRAFT)
    client.force_login(hr.user)
    response = client.post(
        "/admin/surveys/cycle/", {"action": "open_cycles", "_selected_action": [second.pk]}, follow=True
    )
    assert "2026-Q3 is open" in response.content.decode()
    second.refresh_from_db()
    assert second.status == Cycle.Status.DRAFT


def test_cycle_history_fields_are_read_only(client, hr):
    cycle = CycleFactory(name="2026-Q1", status=Cycle.Status.PUBLISHED, min_group_size=5)
    client.force_login(hr.user)
    page = client.get(f"/admin/surveys/cycle/{cycle.pk}/change/").content.decode()
    for field in ("name", "status", "min_group_size", "closes_on"):
        assert f'name="{field}"' not in page
    assert (
        "delete" not in client.get("/admin/surveys/cycle/").content.decode().split("<select")[1].split("</select>")[0]
    )


def test_a_manager_cannot_use_the_admin(client, manager):
    client.force_login(manager.user)
    assert client.get("/admin/surveys/cycle/").status_code == 302


def test_dimension_labels_are_editable_but_slugs_are_not(client, hr):
    dimension = Dimension.objects.get(slug="ownership")
    client.force_login(hr.user)
    url = f"/admin/surveys/dimension/{dimension.pk}/change/"
    assert 'name="slug"' not in client.get(url).content.decode()
    client.post(url, {"label": "Taking ownership", "question": "They own it.", "slug": "hacked"})
    dimension.refresh_from_db()
    assert (dimension.slug, dimension.label) == ("ownership", "Taking ownership")
    assert client.get("/admin/surveys/dimension/add/").status_code == 403


def test_participations_and_rollup_runs_are_read_only(client, hr, employee, open_cycle):
    participation = Participation.objects.create(employee=employee, cycle=open_cycle, department=employee.department)
    run = RollupRun.objects.create(cycle=open_cycle)
    client.force_login(hr.user)
    assert client.get("/admin/surveys/participation/add/").status_code == 403
    assert 'name="_save"' not in client.get(f"/admin/surveys/participation/{participation.pk}/change/").content.decode()
    assert client.get(f"/admin/reports/rolluprun/{run.pk}/delete/").status_code == 403


def test_hr_adds_a_draft_cycle_that_takes_the_configured_group_size(client, hr, settings):
    settings.MIN_GROUP_SIZE = 8
    client.force_login(hr.user)
    assert client.get("/admin/surveys/cycle/add/").status_code == 200
    response = client.post("/admin/surveys/cycle/add/", {"name": "2027-Q1", "closes_on": ""})
    assert response.status_code == 302
    cycle = Cycle.objects.get(name="2027-Q1")
    assert (cycle.status, cycle.min_group_size) == (Cycle.Status.DRAFT, 8)
    bad = client.post("/admin/surveys/cycle/add/", {"name": "2027-Q7", "closes_on": ""})
    assert bad.status_code == 200 and "YYYY-Qn" in bad.content.decode()
