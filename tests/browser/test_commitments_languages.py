"""Commitments and the HR workspace in German, in the browser: the page is German (lang, heading,
the contract's form labels in German), axe finds no serious violation, and screenshots are saved
(SCREENSHOT_DIR) for a person to read."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Commitment
from surveys.roles import Role
from tests.actions.builders import published_cycle
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, serious_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_department_commitments_page_and_the_hr_workspace_in_german(new_page, live_server, shots):
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales = DepartmentFactory(name="Sales", slug="sales")
    it = DepartmentFactory(name="IT", slug="it")
    hr_department = DepartmentFactory(name="Human Resources", slug="human-resources")
    manager = EmployeeFactory(department=sales, role=Role.MANAGER, user__email="mark@example.com", language="de")
    EmployeeFactory(department=eo, role=Role.EXECUTIVE, user__email="erin@example.com")
    hr = EmployeeFactory(department=hr_department, role=Role.HR, user__email="hana@example.com", language="de")
    published_cycle(
        "2026-Q1",
        {(sales, it): 3, (eo, sales): 2, (it, sales): 3, (sales, sales): 3, (it, eo): 3},
        published_at=timezone.now() - datetime.timedelta(days=100),
    )
    q2 = published_cycle("2026-Q2", {(sales, it): 4, (eo, sales): 4, (it, sales): 3, (sales, sales): 4, (it, eo): 3})
    Commitment.objects.create(
        cycle=q2,
        department=sales,
        scope="supplier",
        dimension="responsiveness",
        text="Wir beantworten jede Anfrage innerhalb eines Arbeitstages.",
        owner=manager,
        due=timezone.localdate() + datetime.timedelta(days=45),
        published_at=timezone.now(),
    )

    page = new_page(DESKTOP)
    sign_in(page, live_server, "mark@example.com")
    page.goto(f"{live_server.url}/actions/2026-Q2/departments/sales/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == "Sales: wozu wir uns nach 2026-Q2 verpflichten"
    for label in ("Was wir tun werden", "Verantwortlich", "Fällig bis"):
        assert page.get_by_label(label).count() >= 1, label
    assert page.get_by_role("button", name="Veröffentlichen").count() >= 1
    page.screenshot(path=shots / "commitments-de.png", full_page=True)
    assert serious_violations(page) == []

    page.context.clear_cookies()
    sign_in(page, live_server, hr.user.email)
    for path, heading, name in (
        ("/hr/cycles/", "Umfragezyklen", "hr-cycles-de.png"),
        ("/hr/org/", "Organisation hochladen", "hr-org-de.png"),
        ("/actions/2026-Q2/", "Zusagen zu den Ergebnissen von 2026-Q2", "commitments-overview-de.png"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", level=1).inner_text() == heading
        page.screenshot(path=shots / name, full_page=True)
        assert serious_violations(page) == [], path
