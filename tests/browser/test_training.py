"""Training in a real browser: the list by dimension, a module, marking it done and taking it back,
a manager's coaching guide. No serious accessibility violation, no console error, nothing too wide."""

import pytest

from actions import training
from actions.models import TrainingCompletion, TrainingModule
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in


@pytest.fixture
def company():
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    EmployeeFactory(department=eo, role=Role.EXECUTIVE)
    sales = DepartmentFactory(name="Sales", slug="sales")
    emma = EmployeeFactory(department=sales, user__email="emma@example.com", user__full_name="Emma Stone")
    colleagues = [EmployeeFactory(department=sales) for _ in range(11)]
    manager = EmployeeFactory(department=sales, role=Role.MANAGER, user__email="mark@example.com")
    it = DepartmentFactory(name="IT", slug="it")
    for _ in range(3):
        EmployeeFactory(department=it)
    ownership = TrainingModule.objects.get(slug="ownership")
    for person in colleagues[:6]:
        training.module_complete(module=ownership, employee=person)
    return {"employee": emma, "manager": manager}


def wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > page.viewport_size["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_employee_reads_a_module_and_marks_it_done(new_page, live_server, company, viewport, tmp_path):
    page = new_page(viewport)
    sign_in(page, live_server, "emma@example.com")
    if viewport is PHONE:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Training", exact=True).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Training for every department").is_visible()
    assert page.get_by_role("heading", name="Ownership", exact=True).is_visible()
    assert page.get_by_text("Coaching guide for managers").count() == 0

    ownership = page.get_by_role("article", name="Ownership: never “that's not my job”")
    ownership.get_by_text("Completion by department").click()
    counts = ownership.get_by_role("region", name="completion by department")
    assert counts.get_by_role("row", name="Sales").get_by_text("6 of 13 people").is_visible()
    assert counts.get_by_role("row", name="IT").get_by_text("not shown: fewer than 9 people").is_visible()
    assert not wide(page)
    assert serious_violations(page) == []
    page.screenshot(path=tmp_path / f"training-index-{viewport['width']}.png", full_page=True)

    ownership.get_by_role("link", name="Ownership: never “that's not my job”").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="The “that's not my job” moments").is_visible()
    assert page.get_by_role("heading", name="Self-check").is_visible()
    assert serious_violations(page) == []

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Mark as done").click()
    assert page.get_by_role("status").get_by_text("Marked as done.").is_visible()
    assert page.get_by_role("button", name="Mark as not done").is_visible()
    assert TrainingCompletion.objects.filter(employee=company["employee"]).count() == 1
    assert not wide(page)
    assert serious_violations(page) == []
    page.screenshot(path=tmp_path / f"training-module-{viewport['width']}.png", full_page=True)

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Mark as not done").click()
    assert page.get_by_role("button", name="Mark as done").is_visible()
    assert not TrainingCompletion.objects.filter(employee=company["employee"]).exists()


def test_a_manager_reads_a_coaching_guide(new_page, live_server, company, tmp_path):
    page = new_page(DESKTOP)
    sign_in(page, live_server, "mark@example.com")
    page.goto(f"{live_server.url}/training/")
    page.get_by_role("link", name="Coaching guide: talking about ownership with your team").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="What not to do").is_visible()
    assert page.get_by_text("Completion by department").count() == 0
    assert serious_violations(page) == []
    page.screenshot(path=tmp_path / "training-coaching.png", full_page=True)
