"""HR runs a quarter in a real browser: uploads an org change (preview, then confirm) and takes a
cycle from draft through open, close and publish. No serious accessibility violation, no console
error, nothing wider than the screen; screenshots go to the test's temporary folder."""

import os
import shutil
from pathlib import Path

import pytest

from surveys.models import Cycle, Employee
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in

SHOTS = os.environ.get("HR_SCREENSHOTS")  # set to a folder to keep the screenshots for a look


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)


@pytest.fixture
def hr_person():
    hr = EmployeeFactory(
        employee_id="H1",
        department=DepartmentFactory(name="Human Resources", slug="human-resources"),
        role=Role.HR,
        user__email="hana@example.com",
        user__full_name="Hana Ito",
    )
    sales = DepartmentFactory(name="Sales", slug="sales")
    for i in range(6):
        EmployeeFactory(
            employee_id=f"S{i}", department=sales, user__email=f"s{i}@example.com", user__full_name=f"Sam {i}"
        )
    return hr


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_org_upload_shows_a_preview_and_applies_only_on_confirmation(
    new_page, live_server, hr_person, tmp_path, viewport
):
    org = tmp_path / "org.csv"
    lines = ["employee_id,email,full_name,department,role", "H1,hana@example.com,Hana Ito,Human Resources,hr"]
    lines += [f"S{i},s{i}@example.com,Sam {i},Sales,employee" for i in range(5)]  # S5 leaves
    lines += ["N1,zoe@example.com,Zoë Núñez,Relations Clientèle,manager"]
    org.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = new_page(viewport)
    sign_in(page, live_server, "hana@example.com")
    page.goto(f"{live_server.url}/hr/org/")
    page.get_by_label("Org file (CSV)").set_input_files(str(org))
    page.get_by_role("button", name="Preview the changes").click()
    page.get_by_role("heading", name="What org.csv would change").wait_for()
    assert page.get_by_role("heading", name="People who leave (deactivated) (1)").is_visible()
    assert page.get_by_role("cell", name="Zoë Núñez").is_visible()
    assert not Employee.objects.filter(employee_id="N1").exists()  # nothing yet
    # One of seven active people leaves (above 10 %): the number is asked for.
    assert page.get_by_text("This file deactivates 1 of 7 active people").is_visible()
    shot(page, tmp_path, f"org-preview-{viewport['width']}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_label("To confirm, type the number of people this deactivates").fill("1")
    page.get_by_role("button", name="Confirm and apply these changes").click()
    page.get_by_text("Org updated: 1 created").wait_for()
    assert Employee.objects.get(employee_id="N1").department.name == "Relations Clientèle"
    assert not Employee.objects.get(employee_id="S5").user.is_active


def test_org_upload_lists_row_errors(new_page, live_server, hr_person, tmp_path, console_errors):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "employee_id,email,full_name,department,role\nX1,nope,X,Sales,employee\n,a@b.example,Y,Sales,chief\n"
    )
    page = new_page()
    sign_in(page, live_server, "hana@example.com")
    page.goto(f"{live_server.url}/hr/org/")
    page.get_by_label("Org file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Preview the changes").click()
    page.get_by_text("The file was not imported").wait_for()
    assert (
        page.get_by_role("row").filter(has_text="malformed").first.is_visible()
        or page.get_by_role("rowheader", name="2").is_visible()
    )
    assert page.get_by_role("rowheader", name="3").first.is_visible()
    shot(page, tmp_path, "org-errors")
    assert serious_violations(page) == []
    # A refused upload is a 400: the browser logs the failed load, which is not a script error.
    console_errors[:] = [error for error in console_errors if "400 (Bad Request)" not in error]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_cycle_goes_from_draft_to_open_closed_and_published(
    new_page, live_server, hr_person, tmp_path, viewport, console_errors
):
    page = new_page(viewport)
    sign_in(page, live_server, "hana@example.com")
    page.goto(f"{live_server.url}/hr/cycles/")
    shot(page, tmp_path, f"cycles-{viewport['width']}")
    assert serious_violations(page) == []
    page.get_by_label("Cycle name").fill("2026-Q4")
    page.get_by_role("button", name="Create draft cycle").click()
    page.get_by_role("heading", name="Cycle 2026-Q4").wait_for()
    shot(page, tmp_path, f"cycle-draft-{viewport['width']}")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Open 2026-Q4 for answers…").click()
    shot(page, tmp_path, f"cycle-open-confirm-{viewport['width']}")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Open for answers").click()
    page.get_by_text("Cycle 2026-Q4 opened.").wait_for()
    assert page.get_by_role("heading", name="Participation so far").is_visible()
    shot(page, tmp_path, f"cycle-open-{viewport['width']}")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Close 2026-Q4 and end answering…").click()
    # Nobody took part: below the response threshold, the close needs the box ticked.
    page.get_by_label("I want to close 2026-Q4 with this response rate").check()
    shot(page, tmp_path, f"cycle-close-confirm-{viewport['width']}")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Close and compute results").click()
    page.get_by_text("Cycle 2026-Q4 closed").first.wait_for()
    page.locator("#rollup").get_by_text(
        "Computed over"
    ).wait_for()  # the roll-up ran in-process, or the page reloaded when it ended
    shot(page, tmp_path, f"cycle-closed-{viewport['width']}")

    page.get_by_role("link", name="Publish the results of 2026-Q4…").click()
    page.get_by_label("I want to publish 2026-Q4 with this response rate").check()
    page.get_by_role("button", name="Publish results").click()
    page.get_by_text("Cycle 2026-Q4 published.").wait_for()
    assert page.get_by_role("link", name="Excel workbook of 2026-Q4").is_visible()
    shot(page, tmp_path, f"cycle-published-{viewport['width']}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert Cycle.objects.get(name="2026-Q4").status == Cycle.Status.PUBLISHED


@pytest.fixture
def closed_with_results(hr_person):
    """2026-Q3 closed and rolled up, not published (minimum group size 3): Sales (6 staff, 5 took
    part) rate IT, Logistics and Finance; Finance's 8 staff mostly stayed away (2 took part)."""
    from reports.services import rollup_cycle
    from surveys.models import CycleHeadcount, Participation
    from tests.factories import CycleFactory
    from tests.reports.builders import add_answers, full_survey

    sales = hr_person.department.__class__.objects.get(slug="sales")
    it, logistics = DepartmentFactory(name="IT", slug="it"), DepartmentFactory(name="Logistics", slug="logistics")
    finance = DepartmentFactory(name="Finance", slug="finance")
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, min_group_size=3)
    rows, sales_staff = [], list(Employee.objects.filter(department=sales))
    for r, scores in enumerate([(4, 3, 2), (5, 3, 2), (4, 4, 3), (3, 3, 2), (4, 2, 2)], start=1):
        for provider, score in zip((it, logistics, finance), scores, strict=True):
            rows += full_survey(r, sales, provider, score, expectation=4)
    rows += [row for r in (50, 51) for row in full_survey(r, finance, it, 3)]
    add_answers(cycle, rows)
    CycleHeadcount.objects.bulk_create(
        [
            CycleHeadcount(cycle=cycle, department=sales, eligible=6),
            CycleHeadcount(cycle=cycle, department=finance, eligible=8),
        ]
    )
    Participation.objects.bulk_create(
        [Participation(employee=e, cycle=cycle, department=sales) for e in sales_staff[:5]]
        + [Participation(employee=EmployeeFactory(department=finance), cycle=cycle, department=finance) for _ in "ab"]
    )
    for _ in range(6):
        EmployeeFactory(department=finance)
    rollup_cycle(cycle_id=cycle.id)
    return cycle


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_hr_previews_unpublished_results_and_publishes_after_seeing_the_response_rates(
    new_page, live_server, closed_with_results, tmp_path, viewport
):
    page = new_page(viewport)
    sign_in(page, live_server, "hana@example.com")
    page.goto(f"{live_server.url}/hr/cycles/2026-Q3/")
    page.get_by_role("link", name="Preview the results").click()
    page.get_by_role("heading", name="Preview — not published").wait_for()
    assert page.get_by_text("Weakest department").first.is_visible()
    shot(page, tmp_path, f"hr-preview-{viewport['width']}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("link", name="Publish the results of 2026-Q3…").click()
    page.get_by_role("heading", name="Publish results: 2026-Q3?").wait_for()
    assert page.get_by_text("Finance (25 %)").is_visible()  # 2 of 8, below the 30 % threshold
    shot(page, tmp_path, f"publish-confirm-{viewport['width']}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_label("I want to publish 2026-Q3 with this response rate").check()
    page.get_by_role("button", name="Publish results").click()
    page.get_by_text("Cycle 2026-Q3 published.").wait_for()
    assert Cycle.objects.get(name="2026-Q3").status == Cycle.Status.PUBLISHED
