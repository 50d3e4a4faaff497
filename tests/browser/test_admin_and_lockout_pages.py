"""Pages outside the survey under the app's Content-Security-Policy, in chromium: Django's admin
(HR's cycle, people and email pages), the sign-in lockout page and the error pages. Any CSP refusal
is a console error, which fails the test (see conftest)."""

import pytest
from django.urls import reverse

from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in


@pytest.fixture
def hr_person():
    return EmployeeFactory(
        department=DepartmentFactory(name="Human Resources"), role=Role.HR, user__email="hana@example.com"
    )


def test_hr_admin_pages_run_under_the_csp_without_a_console_error(new_page, live_server, hr_person, tmp_path):
    cycle = OpenCycleFactory(name="2026-Q4")
    page = new_page(DESKTOP)
    sign_in(page, live_server, "hana@example.com")
    for name, args in [
        ("admin:index", []),
        ("admin:surveys_cycle_changelist", []),
        ("admin:surveys_cycle_change", [cycle.pk]),
        ("admin:surveys_cycle_add", []),
        ("admin:surveys_employee_changelist", []),
        ("admin:surveys_employee_change", [hr_person.pk]),
        ("admin:surveys_department_add", []),  # prepopulated slug: the admin's JS reads json_script data
        ("admin:invitations_notice_changelist", []),
        ("admin:axes_accessattempt_changelist", []),
    ]:
        response = page.goto(f"{live_server.url}{reverse(name, args=args)}")
        assert response.status == 200, name
    page.goto(f"{live_server.url}{reverse('admin:surveys_department_add')}")
    page.get_by_label("Name").press_sequentially("Field Service")
    assert page.get_by_label("Slug").input_value() == "field-service"  # the admin's own script ran
    page.goto(f"{live_server.url}{reverse('admin:surveys_cycle_changelist')}")
    page.screenshot(path=tmp_path / "admin-cycles.png", full_page=True)
    assert page.get_by_role("columnheader", name="Invitations sent").is_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_lockout_page_is_clear_and_accessible(
    new_page, live_server, hr_person, viewport, settings, tmp_path, console_errors
):
    settings.AXES_FAILURE_LIMIT = 2
    page = new_page(viewport)
    for attempt in range(2):
        sign_in(page, live_server, "hana@example.com", password=f"wrong {attempt}")
    assert page.get_by_role("heading", name="Sign-in paused").is_visible()
    assert "ask HR to unlock" in page.content()
    page.screenshot(path=tmp_path / f"locked-{viewport['width']}.png", full_page=True)
    assert serious_violations(page) == []
    # The page answers 429 on purpose, which the browser logs as a failed load: not a page error.
    console_errors[:] = [error for error in console_errors if "429" not in error]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_not_found_page_runs_under_the_csp(new_page, live_server, console_errors):
    page = new_page(DESKTOP)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    console_errors[:] = [error for error in console_errors if "404" not in error]
