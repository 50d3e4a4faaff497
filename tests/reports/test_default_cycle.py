"""The default cycle (reports.selectors.default_cycle): the latest cycle whose results say
something. A published cycle where every figure is hidden never becomes what /reports/, "My
department", /actions/ and the home page open on; it stays reachable by its own address."""

import pytest
from django.utils import timezone

from reports import selectors
from reports.models import CycleSummary
from reports.services import rollup_cycle
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import CycleFactory, EmployeeFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def published(name: str, org, *, raters: int) -> Cycle:
    """A published cycle (minimum group size 3) where `raters` Sales people rated IT and their own management."""
    cycle = CycleFactory(name=name, status=Cycle.Status.PUBLISHED, min_group_size=3, published_at=timezone.now())
    rows = []
    for r in range(1, raters + 1):
        rows += full_survey(r, org["sales"], org["it"], 4, expectation=4)
        rows += full_survey(100 + r, org["sales"], org["sales"], 3)
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=cycle.id)
    return cycle


@pytest.fixture
def full_then_empty(org):
    """2026-Q3 with results (4 raters), then 2026-Q4 with a single answer: everything hidden."""
    return published("2026-Q3", org, raters=4), published("2026-Q4", org, raters=1)


def test_the_rollup_stores_whether_anything_is_shown(full_then_empty):
    full, empty = full_then_empty
    assert CycleSummary.objects.get(cycle=full).shows_anything is True
    assert CycleSummary.objects.get(cycle=empty).shows_anything is False


def test_a_cycle_that_shows_nothing_is_never_the_default(full_then_empty):
    cycles = selectors.visible_cycles()
    assert [c.name for c in cycles] == ["2026-Q4", "2026-Q3"]  # both are published and listed
    assert selectors.default_cycle(cycles).name == "2026-Q3"


def test_with_only_empty_cycles_there_is_no_default(org):
    published("2026-Q4", org, raters=1)
    assert selectors.default_cycle(selectors.visible_cycles()) is None


def test_the_dashboard_opens_on_the_latest_cycle_that_shows_something(client, executive, full_then_empty):
    client.force_login(executive.user)
    page = client.get("/reports/").content.decode()
    assert "Where the chain breaks · 2026-Q3" in page
    # The empty cycle is still in the picker and at its own address.
    assert '<option value="2026-Q4"' in page
    assert client.get("/reports/2026-Q4/").status_code == 200


def test_with_only_empty_cycles_the_dashboard_says_why_and_links_them(client, executive, org):
    published("2026-Q4", org, raters=1)
    client.force_login(executive.user)
    page = client.get("/reports/").content.decode()
    assert "The published cycle 2026-Q4 shows no figure: too few people answered" in page
    assert 'href="/reports/2026-Q4/"' in page


def test_my_department_opens_on_the_default_cycle(client, manager, full_then_empty):
    client.force_login(manager.user)
    response = client.get("/reports/my-department/")
    assert response.status_code == 302 and response.url == "/reports/2026-Q3/departments/sales/"


def test_the_actions_page_is_about_the_default_cycle(client, employee, full_then_empty):
    client.force_login(employee.user)
    page = client.get("/actions/").content.decode()
    assert "On 2026-Q3's results" in page and "On 2026-Q4's results" not in page


def test_the_home_page_links_to_the_default_cycle(client, org, full_then_empty):
    boss = EmployeeFactory(department=org["executive_office"], role=Role.EXECUTIVE)
    client.force_login(boss.user)
    page = client.get("/").content.decode()
    assert "Open the dashboard (2026-Q3)" in page and "(2026-Q4)" not in page


def test_one_person_answered_reads_as_one_person(client, executive, org):
    from surveys.models import Participation

    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.PUBLISHED, min_group_size=3)
    Participation.objects.create(
        employee=EmployeeFactory(department=org["sales"]), cycle=cycle, department=org["sales"]
    )
    add_answers(cycle, full_survey(1, org["sales"], org["it"], 4))
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(executive.user)
    page = " ".join(client.get("/reports/2026-Q4/").content.decode().split())
    assert "1 person answered" in page and "1 people" not in page


def test_the_migration_marks_existing_snapshots_by_their_rows(full_then_empty):
    """Snapshots written before the flag existed: shown when any of their rows is not suppressed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0006_cyclesummary_shows_anything")
    CycleSummary.objects.update(shows_anything=True)
    migration.compute(apps, None)
    assert dict(CycleSummary.objects.values_list("cycle__name", "shows_anything")) == {
        "2026-Q3": True,
        "2026-Q4": False,
    }
