"""A manager's commitments in a real browser: the demo's Customer Service manager reads the
suggested focus, drafts a commitment, publishes it (the top has published, so the cascade lets
them), adds a progress update and marks it done; once the next cycle has results, the verdict
appears on /actions/. Axe finds nothing serious at desktop and phone widths."""

import datetime

import pytest
from django.core.cache import cache

from actions.demo import seed_demo
from surveys.models import Cycle, Department
from surveys.services.cycles import cycle_close, cycle_publish
from tests.reports.builders import add_answers, full_survey

from .conftest import DESKTOP, PHONE, serious_violations, sign_in

MANAGER = "marcus.reed@demo.example"
PASSWORD = "chain-survey-demo"


@pytest.fixture
def demo():
    cache.clear()
    return seed_demo(today=datetime.date(2026, 11, 15))


def _next_quarter_rates_customer_service_higher():
    """2026-Q4 closes with Customer Service rated 5 on courtesy by 8 people of each of three departments."""
    q4 = Cycle.objects.get(name="2026-Q4")
    provider = Department.objects.get(name="Customer Service")
    rows = []
    for d, rater in enumerate(Department.objects.filter(name__in=["Sales", "IT", "Finance"])):
        for i in range(8):
            rows += full_survey(10_000 + 100 * d + i, rater, provider, 5 if i % 4 else 4)
    add_answers(q4, rows)
    cycle_close(cycle=q4)
    cycle_publish(cycle=Cycle.objects.get(pk=q4.pk))


def test_a_manager_drafts_publishes_and_updates_a_commitment_and_sees_its_verdict(new_page, live_server, demo, shots):
    page = new_page(DESKTOP)
    sign_in(page, live_server, MANAGER, PASSWORD)
    page.goto(f"{live_server.url}/actions/")
    page.get_by_role("link", name="Our department's commitments").click()
    page.get_by_role("heading", name="Suggested focus").wait_for()
    assert page.get_by_text("you may publish yours").is_visible()  # the Executive Office has published
    page.screenshot(path=shots / "commitments-department-desktop.png", full_page=True)
    assert serious_violations(page) == []

    page.get_by_label("To the departments we serve (supplier)").check()
    page.get_by_label("Dimension").select_option("courtesy")
    page.get_by_label("What we will do").fill("We greet every caller by name and say who will follow up.")
    page.get_by_label("Due by").fill("2027-01-31")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    card = page.locator("article.commitment", has_text="greet every caller")
    assert card.get_by_text("Draft", exact=True).is_visible()
    card.get_by_role("button", name="Publish").click()
    page.get_by_text("Commitment published").wait_for()
    card = page.locator("article.commitment", has_text="greet every caller")
    card.get_by_label("Progress update").fill("Scripts updated; team briefed.")
    card.get_by_role("button", name="Add update").click()
    page.get_by_text("Update added").wait_for()
    card = page.locator("article.commitment", has_text="greet every caller")
    card.get_by_label("Status").select_option("done")
    card.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved").wait_for()
    assert page.locator("article.commitment", has_text="greet every caller").get_by_text("Scripts updated").is_visible()

    phone = new_page(PHONE)
    sign_in(phone, live_server, MANAGER, PASSWORD)
    phone.goto(page.url)
    phone.get_by_role("heading", name="Suggested focus").wait_for()
    phone.screenshot(path=shots / "commitments-department-phone.png", full_page=True)
    assert serious_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    _next_quarter_rates_customer_service_higher()
    page.goto(f"{live_server.url}/actions/")
    item = page.locator("li", has_text="greet every caller")
    assert "Improved" in item.inner_text()
    page.screenshot(path=shots / "commitments-index-desktop.png", full_page=True)
    assert serious_violations(page) == []
