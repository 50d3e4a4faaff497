"""The department page's priority matrix in a real browser, on the demo company: Facilities'
ownership and responsiveness in "fix first", the figure drawn, no serious accessibility
violation at desktop and phone widths. Screenshots go to $SCREENSHOT_DIR (or the test's temp folder)."""

import pytest

from . import test_dashboard
from .conftest import DESKTOP, PHONE, serious_violations, sign_in
from .test_dashboard import DEMO_PASSWORD, EXECUTIVE

demo = test_dashboard.demo  # the demo company (shots comes from conftest)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_facilities_priority_matrix_puts_ownership_and_responsiveness_first(
    new_page, live_server, demo, shots, viewport
):
    page = new_page(viewport)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/2026-Q3/departments/facilities/")
    matrix = page.locator('[data-figure="fig-dept-priority"]')
    matrix.scroll_into_view_if_needed()
    page.locator('[data-figure="fig-dept-priority"].figure-drawn').wait_for()
    section = page.locator("#priority-title").locator("..")
    assert "Fix first: Ownership, Responsiveness." in section.inner_text()
    rows = section.locator("tbody tr")
    quadrants = {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").last.inner_text() for i in range(rows.count())
    }
    assert quadrants["Ownership"] == quadrants["Responsiveness"] == "fix first"
    name = "desktop" if viewport is DESKTOP else "phone"
    section.screenshot(path=shots / f"priority-matrix-facilities-{name}.png")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
