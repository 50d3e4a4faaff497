"""The survey's screener at 200 departments in a real browser: search as one types, the keyboard
alone (type, arrows, space), ticked departments kept in view and summed up, at phone width too;
the plain list without JS; and nothing of a person's choices kept in the browser after they
submit (no local or session storage, no cookie beyond the session's and CSRF's)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import expect

from surveys.models import Department, Draft, Participation
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in
from .test_survey_page import rate_all

SHOWN = "[...document.querySelectorAll('.screener-boxes .form-check')].filter(e => !e.hidden).length"


@pytest.fixture
def company():
    cache.clear()  # what an earlier test's pages cached (the live server shares this process's cache)
    DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales = DepartmentFactory(name="Sales", slug="sales")
    Department.objects.bulk_create(
        Department(name=f"Department {i:03d}", slug=f"department-{i:03d}") for i in range(1, 199)
    )
    EmployeeFactory(department=sales, user__email="emma@example.com")
    OpenCycleFactory(name="2026-Q4")


def open_screener(new_page, live_server, viewport, **kwargs):
    page = new_page(viewport, **kwargs)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    return page


def shown(page) -> int:
    return page.evaluate(f"() => {SHOWN}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_typing_filters_the_list_and_the_keyboard_alone_ticks_departments(
    new_page, live_server, company, viewport, shots
):
    page = open_screener(new_page, live_server, viewport)
    total = shown(page)
    assert total == 198  # every department but the Executive Office (always on) and their own
    search = page.get_by_label("Find a department")
    assert serious_violations(page) == []

    search.focus()
    page.keyboard.type("department 12", delay=20)
    page.wait_for_function(f"() => {SHOWN} === 10")  # 120–129
    assert "10 of 198 departments shown." in page.locator("[data-screener-status]").inner_text()
    page.keyboard.press("ArrowDown")  # to the first match
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.get_by_label("Department 121", exact=True).is_checked()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # back in the search box
    assert page.evaluate("document.activeElement.id") == "screener-search"
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => {SHOWN} === {total}")
    page.keyboard.type("007")
    page.keyboard.press("Enter")  # to the list, not a submission
    page.keyboard.press("Space")
    assert page.get_by_label("Department 007", exact=True).is_checked()
    # What is ticked stays in the list whatever is typed, and is summed up.
    search.fill("zzz")
    expect(page.locator("[data-screener-status]")).to_contain_text("No department matches")
    assert shown(page) == 2
    assert page.get_by_label("Department 121", exact=True).is_visible()
    summary = page.locator("[data-screener-ticked]").inner_text()
    assert "Ticked (2)" in summary and "Department 007" in summary and "Department 121" in summary
    name = "desktop" if viewport == DESKTOP else "phone"
    page.screenshot(path=shots / f"screener-200-search-{name}.png", full_page=False)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.url.endswith("/survey/")  # Enter submitted nothing


def test_without_javascript_the_screener_is_the_plain_list(new_page, live_server, company):
    page = open_screener(new_page, live_server, DESKTOP, java_script_enabled=False)
    assert not page.get_by_label("Find a department").is_visible()
    assert page.locator(".screener-boxes input[type=checkbox]:visible").count() == 198
    page.get_by_label("Department 150", exact=True).check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Continue to the questions").click()
    assert page.get_by_role("group", name="Department 150 — Courtesy").count() == 1


def test_nothing_of_the_choices_is_kept_in_the_browser_after_submitting(new_page, live_server, company):
    page = open_screener(new_page, live_server, DESKTOP)
    page.get_by_label("Find a department").fill("Department 042")
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Continue to the questions").click()
    rate_all(page, "Executive Office")
    page.get_by_label("I did not deal with Department 042 after all").check()
    page.get_by_label("I did not deal with Your management (Sales) after all").check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Submit my answers").click()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Yes, submit my answers").click()
    assert Participation.objects.count() == 1
    assert not Draft.objects.exists()  # the server's draft is gone with the submission

    stored = page.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert stored == [0, 0]
    cookies = {c["name"] for c in page.context.cookies()}
    assert cookies <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    # Back at the survey: nothing of the choices comes back.
    page.goto(f"{live_server.url}/survey/")
    assert page.locator("input[type=checkbox]:checked").count() == 0
