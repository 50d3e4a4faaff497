"""The navigation bar: the dashboard is one click away, from every page, for those who may see it."""

import re

import pytest

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
