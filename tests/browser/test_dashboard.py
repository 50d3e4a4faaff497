"""The demo company's dashboard and department pages in a real browser: the heatmap drawn, a
dimension switched and the order changed without a reload, a department opened by clicking the
heatmap, no console error (a strict CSP included), no serious accessibility violation at desktop
and phone widths. Screenshots go to $SCREENSHOT_DIR (or the test's temp folder)."""

import datetime

import pytest
from django.core.cache import cache

from actions.demo import seed_demo

from .conftest import DESKTOP, PHONE, serious_violations, sign_in

DEMO_PASSWORD = "chain-survey-demo"
EXECUTIVE = "elena.fischer@demo.example"
MANAGER = "marcus.reed@demo.example"
# A function, not an expression: Playwright polls an expression through eval, which the CSP refuses
# (figures below the first screen are drawn a moment later, so the first check may be false).
ALL_DRAWN = (
    "() => [...document.querySelectorAll('[data-figure], [data-heatmap]')]"
    ".every(e => e.classList.contains('figure-drawn'))"
)


@pytest.fixture
def demo():
    cache.clear()
    # A fixed day: 2026-Q1 to Q3 published, Q4 open, whatever the date the suite runs on.
    return seed_demo(today=datetime.date(2026, 11, 15))


def heatmap_cell_point(page, rater: str, provider: str) -> dict:
    """Page coordinates of the centre of one heatmap cell, from Plotly's own axes."""
    return page.evaluate(
        """([rater, provider]) => {
          const el = document.getElementById("link-heatmap");
          const data = JSON.parse(document.getElementById("heatmap-data").textContent);
          const layout = el._fullLayout, box = el.getBoundingClientRect();
          const order = layout.xaxis.ticktext;
          const x = order.indexOf(provider), y = order.indexOf(rater);
          return { x: box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
                   y: box.top + layout.yaxis._offset + layout.yaxis.l2p(y), known: data.names.includes(provider) };
        }""",
        [rater, provider],
    )


def test_an_executive_reads_the_dashboard_switches_the_heatmap_and_opens_a_department(
    new_page, live_server, demo, shots
):
    page = new_page(DESKTOP)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")

    heatmap = page.locator("#link-heatmap.figure-drawn")
    heatmap.wait_for()
    assert page.get_by_role("heading", name="Weakest department").is_visible()
    assert page.get_by_role("heading", name="Weakest link").is_visible()
    assert page.locator("#link-heatmap .hm, #link-heatmap image").count() >= 1  # the heatmap layer is drawn
    page.screenshot(path=shots / "dashboard-desktop-top.png")
    page.screenshot(path=shots / "dashboard-desktop-full.png", full_page=True)
    assert serious_violations(page) == []

    # Switch dimension and order: the figure is redrawn in place, the page is not reloaded.
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Dimension", exact=True).select_option("ownership")
    page.locator('#link-heatmap[data-dimension="ownership"]').wait_for()
    page.get_by_label("Order", exact=True).select_option("score")
    page.locator('#link-heatmap[data-order="score"]').wait_for()
    assert page.evaluate("window.__sameDocument") is True
    ticks = page.evaluate("document.getElementById('link-heatmap')._fullLayout.xaxis.ticktext")
    assert ticks[0] == "Facilities"  # the demo's weakest supplier comes first by score
    page.locator("#heatmap").screenshot(path=shots / "dashboard-heatmap-ownership-by-score.png")

    # Click the Facilities column: its scorecard opens.
    point = heatmap_cell_point(page, "Sales", "Facilities")
    with page.expect_navigation(wait_until="load"):
        page.mouse.click(point["x"], point["y"])
    assert page.url.endswith("/departments/facilities/")
    page.locator("[data-figure].figure-drawn").first.wait_for()
    assert page.get_by_role("heading", name="How each department sees Facilities").is_visible()
    page.screenshot(path=shots / "department-desktop-full.png", full_page=True)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/2026-Q3/departments/facilities/"], ids=["dashboard", "department"]
)
def test_report_pages_read_on_a_phone_without_serious_violations(new_page, live_server, demo, shots, path):
    page = new_page(PHONE)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_function(ALL_DRAWN)
    name = "dashboard" if path == "/reports/" else "department"
    page.screenshot(path=shots / f"{name}-phone-top.png")
    assert serious_violations(page) == []
    # Wide figures scroll inside their own box: the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def heatmap_cell_text(page) -> list[str]:
    """The texttemplate of each layer of the weakest-link heatmap, as drawn."""
    return page.evaluate("document.getElementById('link-heatmap').data.map(t => t.texttemplate)")


def test_the_heatmap_writes_its_values_in_the_cells_only_where_they_fit(new_page, live_server, demo):
    # 12 departments: on a desktop each cell holds its mean to 2 decimals; on a phone the heatmap
    # (behind "Show the full heatmap") gives each cell 20 px, room for 1 decimal and no "hidden".
    for viewport, written in ((DESKTOP, ["%{text}", "%{z:.2f}"]), (PHONE, ["", "%{z:.1f}"])):
        page = new_page(viewport)
        sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
        page.goto(f"{live_server.url}/reports/")
        # Drawn on a phone too, out of sight until "Show the full heatmap" (test_phone_reports).
        page.locator("#link-heatmap.figure-drawn").wait_for(state="attached")
        assert heatmap_cell_text(page) == written


def test_a_manager_sees_their_own_department_page_drawn_and_is_refused_the_dashboard(
    new_page, live_server, demo, console_errors
):
    page = new_page(DESKTOP)
    sign_in(page, live_server, MANAGER, DEMO_PASSWORD)
    page.get_by_role("link", name="Customer Service scorecard (2026-Q3)").click()
    page.locator("[data-figure].figure-drawn").first.wait_for()
    assert page.url.endswith("/reports/2026-Q3/departments/customer-service/")
    assert serious_violations(page) == []

    response = page.goto(f"{live_server.url}/reports/")
    assert response.status == 403
    # The refusal is a 403 on purpose, which the browser logs as a failed load: not a page error.
    console_errors[:] = [error for error in console_errors if "403" not in error]


def test_a_department_scorecard_prints_on_one_landscape_page_with_its_comments(new_page, live_server, demo, shots):
    import re

    page = new_page(DESKTOP)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/2026-Q3/departments/facilities/")
    page.wait_for_function(ALL_DRAWN)
    # The demo's Facilities has enough comments to show, as a supplier; not on its management.
    comments = page.locator("#comments-title").locator("..")
    assert comments.locator(".comment-list li").count() >= 10
    assert "Too few comments to show." in comments.inner_text()
    page.screenshot(path=shots / "department-facilities.png", full_page=True)
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    (shots / "department-facilities.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.\d+ 59[45]\.\d+", pdf), "A4 landscape"
