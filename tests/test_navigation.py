"""The navigation bar: the dashboard is one click away, from every page, for those who may see it."""

import re

import pytest
from django.utils import timezone

from reports.models import CycleSummary, RollupRun
from surveys.models import Cycle
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

DASHBOARD_LINK = re.compile(r'<a class="nav-link[^"]*"[^>]*href="/reports/[^"]*"[^>]*>Dashboard</a>')


@pytest.mark.parametrize("url", ["/", "/survey/", "/accounts/password_change/"])
@pytest.mark.parametrize(
    ("persona", "sees"), [("employee", False), ("manager", False), ("executive", True), ("hr", True)]
)
def test_the_dashboard_is_in_the_navigation_of_those_who_may_see_it(client, request, persona, sees, url, open_cycle):
    client.force_login(request.getfixturevalue(persona).user)
    page = client.get(url).content.decode()
    assert bool(DASHBOARD_LINK.search(page)) is sees


def test_hr_sees_the_dashboard_link_on_its_own_workspace(client, hr):
    client.force_login(hr.user)
    page = client.get("/hr/cycles/").content.decode()
    assert DASHBOARD_LINK.search(page)


def test_a_signed_out_visitor_sees_no_navigation_links(client):
    page = client.get("/accounts/login/").content.decode()
    assert "nav-link" not in page


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/survey/", "My survey"),
        ("/reports/", "Dashboard"),
        ("/hr/cycles/", "Cycles"),
        ("/hr/org/", "Org"),
        ("/", None),
    ],
)
def test_the_navigation_marks_the_section_of_the_page(client, hr, open_cycle, url, current):
    client.force_login(hr.user)
    navbar = client.get(url).content.decode().split("</nav>")[0]  # the main bar, not a page's own tabs
    marked = re.findall(r'<a class="nav-link active" aria-current="page" href="[^"]*">([^<]+)</a>', navbar)
    assert marked == ([current] if current else [])


def published_cycle(name):
    """A published cycle with a (empty) roll-up: what makes its results visible."""
    cycle = CycleFactory(name=name, status=Cycle.Status.PUBLISHED)
    run = RollupRun.objects.create(cycle=cycle, state=RollupRun.State.DONE, answers_count=0)
    CycleSummary.objects.create(cycle=cycle, run=run, computed_at=timezone.now(), answers_count=0)


MY_DEPARTMENT_LINK = re.compile(r'<a class="nav-link[^"]*"[^>]*href="/reports/my-department/"[^>]*>My department</a>')


@pytest.mark.parametrize(
    ("persona", "sees"), [("employee", False), ("manager", True), ("executive", False), ("hr", False)]
)
def test_managers_get_their_department_in_the_navigation(client, request, persona, sees, open_cycle):
    client.force_login(request.getfixturevalue(persona).user)
    assert bool(MY_DEPARTMENT_LINK.search(client.get("/survey/").content.decode())) is sees


def test_my_department_leads_a_manager_to_their_scorecard_in_the_latest_cycle_with_results(client, manager):
    published_cycle("2026-Q1")
    published_cycle("2026-Q2")
    client.force_login(manager.user)
    response = client.get("/reports/my-department/")
    assert response.status_code == 302 and response.url == "/reports/2026-Q2/departments/sales/"
    page = client.get(response.url).content.decode().split("</nav>")[0]
    assert re.search(r'class="nav-link active" aria-current="page" href="/reports/my-department/"', page)


def test_my_department_before_any_results_says_so(client, manager, open_cycle):
    client.force_login(manager.user)
    response = client.get("/reports/my-department/")
    assert response.status_code == 200
    assert "your department's scorecard appears here" in response.content.decode()


def test_my_department_is_refused_to_an_employee(client, employee):
    client.force_login(employee.user)
    assert client.get("/reports/my-department/").status_code == 403
