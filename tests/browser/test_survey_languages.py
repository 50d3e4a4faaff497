"""The survey in German, French and Spanish at phone width: axe finds no serious violation in
German, and screenshots of each are saved (SCREENSHOT_DIR) for a person to read."""

import os
from pathlib import Path

import pytest

from surveys.models import Draft
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

from .conftest import PHONE, serious_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HEADINGS = {
    "de": "Wie haben diese Abteilungen Sie in diesem Quartal unterstützt?",
    "fr": "Comment ces services vous ont-ils servi ce trimestre ?",
    "es": "¿Cómo le atendieron estos departamentos este trimestre?",
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_survey_reads_in_the_persons_language_on_a_phone(new_page, live_server, language, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales = DepartmentFactory(name="Sales", slug="sales")
    it = DepartmentFactory(name="IT", slug="it")
    person = EmployeeFactory(department=sales, user__email="emma@example.com", language=language)
    cycle = OpenCycleFactory(name="2026-Q4")
    Draft.objects.create(employee=person, cycle=cycle, providers=[eo.id, it.id])
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == HEADINGS[language]
    page.screenshot(path=shots / f"survey-{language}-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if language == "de":
        assert serious_violations(page) == []
