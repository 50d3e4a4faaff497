"""The pages around the survey in a real browser: home (with HR's downloads), password reset and
the export refusal page. No serious accessibility violation, no console error, nothing too wide."""

import pytest

from reports.services import rollup_cycle
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in


@pytest.fixture
def hr_with_results():
    hr = EmployeeFactory(
        department=DepartmentFactory(name="Human Resources"), role=Role.HR, user__email="hana@example.com"
    )
    rollup_cycle(cycle_id=CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED).id)
    CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED)  # closed, not yet published
    return hr


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_reset_and_refusal_pages_have_no_serious_accessibility_violation(
    new_page, live_server, hr_with_results, viewport, tmp_path, console_errors
):
    page = new_page(viewport)
    page.goto(f"{live_server.url}/accounts/password_reset/")
    assert serious_violations(page) == []

    sign_in(page, live_server, "hana@example.com")
    assert page.get_by_role("link", name="CSV scorecards for 2026-Q2").is_visible()
    page.screenshot(path=tmp_path / "home.png", full_page=True)
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/reports/2026-Q3/scorecards.csv")
    assert "not published" in page.content().lower()
    assert serious_violations(page) == []
    # That refusal is a 404 on purpose, which the browser logs as a failed load: not a page error.
    console_errors[:] = [error for error in console_errors if "/reports/2026-Q3/scorecards.csv" not in error]

    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
