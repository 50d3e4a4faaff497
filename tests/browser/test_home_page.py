"""The home page in every survey state, and the confirmation and thank-you pages, in a real browser
at desktop and phone widths: what it says, no serious accessibility violation, nothing off the side
of a phone. Screenshots go to $SCREENSHOT_DIR (or the test's temp folder)."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Cycle, Draft, Participation
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory, OpenCycleFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in
from .test_survey_page import FINAL, choose

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


@pytest.fixture
def company():
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales = DepartmentFactory(name="Sales", slug="sales")
    it = DepartmentFactory(name="IT", slug="it")
    person = EmployeeFactory(department=sales, user__email="emma@example.com", user__full_name="Emma Stone")
    return {"eo": eo, "sales": sales, "it": it, "employee": person}


def open_home(new_page, live_server, viewport):
    page = new_page(viewport)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/")
    return page


def check(page, viewport, shots, name):
    page.screenshot(path=shots / f"home-{name}-{'phone' if viewport is PHONE else 'desktop'}.png", full_page=True)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@VIEWPORTS
def test_home_not_started_draft_and_submitted(new_page, live_server, company, viewport, shots):
    cycle = OpenCycleFactory(name="2026-Q4", closes_on=datetime.date(2026, 12, 28))
    page = open_home(new_page, live_server, viewport)
    card = page.locator(".home-survey")
    assert "Survey 2026-Q4: not started" in card.inner_text()
    assert "open until the end of Monday 28 December 2026" in card.inner_text()
    assert page.get_by_role("link", name="Start my survey").is_visible()
    check(page, viewport, shots, "not-started")

    draft = Draft(employee=company["employee"], cycle=cycle, providers=[company["eo"].id, company["sales"].id])
    draft.keyed_answers = {(company["eo"].id, "courtesy"): 4, (company["eo"].id, "expectation"): 4}
    draft.save()
    page.reload()
    assert "draft saved, not submitted" in card.inner_text()
    assert "1 of 2 departments done" in card.inner_text()
    assert page.get_by_role("link", name="Continue my survey").is_visible()
    check(page, viewport, shots, "draft")

    draft.delete()
    Participation.objects.create(employee=company["employee"], cycle=cycle, department=company["sales"])
    page.reload()
    assert f"submitted on {timezone.localdate():%-d %B %Y}" in card.inner_text()
    assert "Results come after the survey closes on 28 December 2026" in card.inner_text()
    check(page, viewport, shots, "submitted")


@VIEWPORTS
def test_home_after_the_cycle_closed_and_once_results_are_published(new_page, live_server, company, viewport, shots):
    closed = timezone.make_aware(datetime.datetime(2026, 9, 30, 17, 0))
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, closed_at=closed, closes_on=closed.date())
    Participation.objects.create(employee=company["employee"], cycle=cycle, department=company["sales"])
    page = open_home(new_page, live_server, viewport)
    card = page.locator(".home-survey")
    assert "No survey is open right now" in card.inner_text()
    assert "The survey 2026-Q3 closed on 30 September 2026; thank you for taking part" in card.inner_text()
    assert "Its results are being prepared" in card.inner_text()
    check(page, viewport, shots, "results-pending")

    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED, published_at=closed + datetime.timedelta(7))
    page.reload()
    assert "Its results are published (since 7 October 2026)" in card.inner_text()
    assert card.get_by_role("link", name="What the departments promised to do about them").is_visible()
    check(page, viewport, shots, "results-published")


@VIEWPORTS
def test_the_confirmation_and_thank_you_pages(new_page, live_server, company, viewport, shots):
    cycle = OpenCycleFactory(name="2026-Q4", closes_on=datetime.date(2026, 12, 28))
    Draft.objects.create(employee=company["employee"], cycle=cycle, providers=[company["eo"].id, company["sales"].id])
    page = new_page(viewport)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    for provider in ("Executive Office", "Your management (Sales)"):
        for question, word in (("Courtesy", "Good"), ("What you expected", "High")):
            choose(page, provider, question, word)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Submit my answers").click()
    assert page.get_by_role("heading", name=FINAL).is_visible()
    name = "phone" if viewport is PHONE else "desktop"
    page.screenshot(path=shots / f"survey-confirm-{name}.png", full_page=True)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Yes, submit my answers").click()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    assert "closes at the end of 28 December 2026. Results come after that" in page.inner_text("main")
    page.screenshot(path=shots / f"survey-thank-you-{name}.png", full_page=True)
    assert serious_violations(page) == []
    assert Participation.objects.count() == 1
