"""The HR workspace's cycle page and the org preview in German, in the browser: German headings,
buttons and dates, axe finds no serious violation, screenshots saved (SCREENSHOT_DIR) to be read."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Cycle, CycleHeadcount, Participation
from surveys.roles import Role
from tests.actions.builders import published_cycle
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, serious_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_hr_cycle_pages_and_the_org_preview_in_german(new_page, live_server, shots, tmp_path):
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales = DepartmentFactory(name="Sales", slug="sales")
    it = DepartmentFactory(name="IT", slug="it")
    hr_department = DepartmentFactory(name="Human Resources", slug="human-resources")
    hr = EmployeeFactory(
        department=hr_department, role=Role.HR, employee_id="E-HR", user__email="hana@example.com", language="de"
    )
    ann = EmployeeFactory(department=sales, employee_id="E1", user__email="ann@example.com", user__full_name="Ann Lee")
    EmployeeFactory(department=it, employee_id="E2", user__email="bob@example.com", user__full_name="Bob Roe")
    published_cycle("2026-Q2", {(sales, it): 4, (eo, sales): 4, (it, sales): 3, (sales, sales): 4, (it, eo): 3})
    cycle = Cycle.objects.create(
        name="2026-Q3",
        status=Cycle.Status.OPEN,
        opens_at=timezone.now() - datetime.timedelta(days=3),
        closes_on=timezone.localdate() + datetime.timedelta(days=18),
    )
    for department, staff, took_part in ((sales, 10, 3), (it, 6, 5)):
        CycleHeadcount.objects.create(cycle=cycle, department=department, eligible=staff)
        for _ in range(took_part):
            person = EmployeeFactory(department=department)
            Participation.objects.create(employee=person, cycle=cycle, department=department)

    page = new_page(DESKTOP)
    sign_in(page, live_server, hr.user.email)
    for path, heading, name in (
        ("/hr/cycles/2026-Q3/", "Zyklus 2026-Q3 Offen", "hr-cycle-open-de.png"),
        ("/hr/cycles/2026-Q3/close/", "Schließen und Ergebnisse berechnen: 2026-Q3?", "hr-cycle-close-de.png"),
        ("/hr/cycles/2026-Q2/", "Zyklus 2026-Q2 Veröffentlicht", "hr-cycle-published-de.png"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "de"
        assert " ".join(page.get_by_role("heading", level=1).inner_text().split()) == heading
        page.screenshot(path=shots / name, full_page=True)
        assert serious_violations(page) == [], path
    page.goto(f"{live_server.url}/hr/cycles/2026-Q3/")
    assert page.get_by_role("link", name="2026-Q3 schließen und das Antworten beenden …").count() == 1
    assert page.get_by_role("region", name="Beteiligung je Abteilung").count() == 1

    org = tmp_path / "org.csv"
    org.write_text(
        "employee_id,email,full_name,department,role\n"
        f"E-HR,hana@example.com,{hr.user.full_name},Human Resources,hr\n"
        "E1,ann@example.com,Ann Lee-Park,IT,manager\n"
        "E9,zoe@example.com,Zoë Núñez,Légal,employee\n"
    )
    page.goto(f"{live_server.url}/hr/org/")
    page.get_by_label("Organisationsdatei (CSV)").set_input_files(str(org))
    page.get_by_role("button", name="Änderungen ansehen").click()
    page.wait_for_url("**/hr/org/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Was org.csv ändern würde"
    assert page.get_by_role("heading", name="Neue Personen (1)").count() == 1
    assert page.get_by_role("button", name="Bestätigen und diese Änderungen übernehmen").count() == 1
    typed = "Geben Sie zum Bestätigen die Zahl der Personen ein, die dadurch deaktiviert werden"
    assert page.get_by_label(typed).count() == 1
    page.screenshot(path=shots / "hr-org-preview-de.png", full_page=True)
    assert serious_violations(page) == []
    ann.user.refresh_from_db()
    assert ann.user.full_name == "Ann Lee"  # nothing is written before the confirmation
