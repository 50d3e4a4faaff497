"""The report pages on a phone (390 px) and a desktop (1280 px), on the demo company: nothing
wider than the screen, the weakest links ranked as a phone's first view of the heatmap (the
heatmap one tap away, fitting the screen, its column names whole and its colour bar in sight),
the dimension heatmaps' column names whole, short tables stacked as cards, Plotly's toolbar
hidden on the phone, no serious accessibility violation. Screenshots go to $SCREENSHOT_DIR (or
the test's temp folder)."""

import pytest

from . import test_dashboard
from .conftest import DESKTOP, PHONE, serious_violations, sign_in
from .test_dashboard import ALL_DRAWN, DEMO_PASSWORD, EXECUTIVE
from .test_dashboard_layout import overlapping

demo = test_dashboard.demo  # the demo company (shots comes from conftest)
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
DEPARTMENT = "/reports/2026-Q3/departments/facilities/"

# Every element that reaches past the right edge of the screen, outside the boxes that scroll on
# purpose (a wide table inside a folded <details>, a figure's own scroll box).
PAST_THE_EDGE = """() => [...document.querySelectorAll('main *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.right > innerWidth + 0.5 && !e.closest('.table-responsive, .figure-scroll');
}).map(e => e.tagName.toLowerCase() + '.' + e.className)"""

# A figure's axis tick labels as drawn: text and page box; and the figure's own box.
TICKS = """([selector, axis]) => {
  const el = document.querySelector(selector), svg = el.querySelector('.main-svg').getBoundingClientRect();
  return {svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom},
          ticks: [...el.querySelectorAll('.' + axis + 'tick text')].map(t => {
            const b = t.getBoundingClientRect();
            return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom};
          })};
}"""


def fully_inside(boxes, outer, *, right_edge):
    """Boxes cut by the figure's edge or the screen's right edge."""
    return [
        b["text"]
        for b in boxes
        if b["left"] < outer["left"] - 0.5
        or b["right"] > min(outer["right"], right_edge) + 0.5
        or b["top"] < outer["top"] - 0.5
        or b["bottom"] > outer["bottom"] + 0.5
    ]


def open_page(new_page, live_server, viewport, path):
    page = new_page(viewport)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_function(ALL_DRAWN)
    return page


def heatmap_data(page):
    return page.evaluate("JSON.parse(document.getElementById('heatmap-data').textContent)")


@VIEWPORTS
def test_the_dashboard_fits_the_screen_and_hides_the_toolbar_only_on_a_phone(new_page, live_server, demo, viewport):
    page = open_page(new_page, live_server, viewport, "/reports/")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(PAST_THE_EDGE) == []
    # Plotly draws its toolbar for every figure unless told not to: none on the phone, where it
    # covered the legends; on a desktop it is still there (shown on hover).
    toolbars = page.locator(".modebar").count()
    if viewport is PHONE:
        assert toolbars == 0
    else:
        assert toolbars >= page.locator("[data-figure], [data-heatmap]").count()
    assert serious_violations(page) == []


def test_a_phone_ranks_the_weakest_links_and_opens_the_full_heatmap_on_a_tap(new_page, live_server, demo, shots):
    page = open_page(new_page, live_server, PHONE, "/reports/")
    data = heatmap_data(page)
    rater, provider = (data["names"][i] for i in data["weakest"]["overall"])
    ranked = page.locator("[data-weakest-links] li")
    assert ranked.count() == 10
    first = ranked.first
    assert first.inner_text().split("\n")[0] == f"{rater} rating {provider}"  # full names, no "…"
    # The same link as the headline's "Weakest link", with the same mean.
    headline = page.locator(".headline-card", has=page.get_by_role("heading", name="Weakest link"))
    mean = first.locator(".weakest-links-mean").inner_text()
    assert f"{rater} → {provider}" in headline.inner_text() and mean in headline.inner_text()
    means = [float(m) for m in page.locator("[data-weakest-links] .weakest-links-mean").all_inner_texts()]
    assert means == sorted(means)
    # Visible without scrolling sideways: inside the screen, on a page no wider than it.
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert first.is_visible()
    section = page.locator("#heatmap")
    section.screenshot(path=shots / "phone-heatmap-ranked.png")

    # The heatmap waits behind a button; a tap shows it, fitting the screen.
    heatmap = page.locator("#link-heatmap")
    assert heatmap.evaluate("e => e.closest('.figure-scroll').getBoundingClientRect().height") == 0
    toggle = page.get_by_role("button", name="Show the full heatmap")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert page.get_by_role("button", name="Hide the full heatmap").get_attribute("aria-expanded") == "true"
    heatmap.scroll_into_view_if_needed()
    box = heatmap.bounding_box()
    assert box["height"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not page.locator("[data-heatmap-scroll-hint]").is_visible()  # 12 departments fit: no hint
    drawn = page.evaluate(TICKS, ["#link-heatmap", "x"])
    assert [t["text"] for t in drawn["ticks"]] == data["names"]  # every column, named in full
    assert fully_inside(drawn["ticks"], drawn["svg"], right_edge=PHONE["width"]) == []
    # The colour bar lies under the plot, inside the screen; each cell holds its mean.
    bar = page.locator("#link-heatmap .colorbar").bounding_box()
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= PHONE["width"]
    assert page.evaluate("document.getElementById('link-heatmap').data[1].texttemplate") == "%{z:.1f}"
    section.screenshot(path=shots / "phone-heatmap-open.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []

    # Another dimension re-ranks the list.
    page.get_by_label("Dimension", exact=True).select_option("ownership")
    page.locator('#link-heatmap[data-dimension="ownership"]').wait_for()
    assert "ownership" in page.locator("[data-weakest-caption]").inner_text().lower()
    assert ranked.count() == 10


def test_a_desktop_shows_the_heatmap_itself_with_every_column_named(new_page, live_server, demo):
    page = open_page(new_page, live_server, DESKTOP, "/reports/")
    assert not page.locator("[data-weakest-links]").is_visible()
    assert not page.locator("[data-heatmap-toggle]").is_visible()
    drawn = page.evaluate(TICKS, ["#link-heatmap", "x"])
    assert [t["text"] for t in drawn["ticks"]] == heatmap_data(page)["names"]
    assert fully_inside(drawn["ticks"], drawn["svg"], right_edge=DESKTOP["width"]) == []


@VIEWPORTS
@pytest.mark.parametrize(
    ("path", "figure"),
    [("/reports/", "fig-dimensions"), (DEPARTMENT, "fig-dept-raters")],
    ids=["departments-by-dimension", "raters-by-dimension"],
)
def test_the_dimension_heatmaps_name_every_column_in_full(new_page, live_server, demo, shots, viewport, path, figure):
    page = open_page(new_page, live_server, viewport, path)
    selector = f'[data-figure="{figure}"]'
    page.locator(selector).scroll_into_view_if_needed()
    drawn = page.evaluate(TICKS, [selector, "x"])
    labels = [t["text"] for t in drawn["ticks"]]
    assert labels == [
        "Willingness to help",
        "Ownership",
        "Responsiveness",
        "Reliability",
        "Courtesy",
        "Communication",
        "Overall",
    ]
    assert fully_inside(drawn["ticks"], drawn["svg"], right_edge=viewport["width"]) == []
    assert overlapping(drawn["ticks"]) == []
    bar = page.locator(f"{selector} .colorbar").bounding_box()
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= viewport["width"]
    name = "phone" if viewport is PHONE else "desktop"
    page.locator(selector).screenshot(path=shots / f"{figure}-{name}.png")


def test_short_tables_stack_as_cards_on_a_phone(new_page, live_server, demo, shots):
    for path, table in (("/reports/", ".departments-table"), (DEPARTMENT, "#dims-title ~ .table-responsive table")):
        page = open_page(new_page, live_server, PHONE, path)
        cells = page.locator(f"{table} tbody td")
        assert cells.count() >= 6 * 7
        boxes = cells.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().right)")
        assert max(boxes) <= PHONE["width"]  # Change, Gap and Management on the screen
        labels = set(cells.evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)"))
        assert '"Change"' in labels
        if path == "/reports/":
            assert {'"Expectation gap"', '"Management (own staff)"'} <= labels
            page.locator("#departments").screenshot(path=shots / "phone-departments-cards.png")
        assert serious_violations(page) == []
    # On a desktop the same table is a table: one row per department, its columns side by side.
    page = open_page(new_page, live_server, DESKTOP, "/reports/")
    row = page.locator(".departments-table tbody tr").first
    tops = row.locator("td").evaluate_all("cells => cells.map(c => Math.round(c.getBoundingClientRect().top))")
    assert len(set(tops)) == 1


@VIEWPORTS
def test_the_department_page_and_its_priority_matrix_fit_the_screen(new_page, live_server, demo, shots, viewport):
    page = open_page(new_page, live_server, viewport, DEPARTMENT)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(PAST_THE_EDGE) == []
    assert page.locator(".modebar").count() == (0 if viewport is PHONE else page.locator("[data-figure]").count())
    matrix = '[data-figure="fig-dept-priority"]'
    page.locator(matrix).scroll_into_view_if_needed()
    names = page.evaluate(
        f"""() => [...document.querySelectorAll('{matrix} .textpoint text')].map(t => {{
          const b = t.getBoundingClientRect();
          return {{text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom}};
        }}).filter(b => b.text)"""
    )
    assert len(names) >= (6 if viewport is DESKTOP else 3)
    assert overlapping(names) == []
    name = "phone" if viewport is PHONE else "desktop"
    page.locator(matrix).screenshot(path=shots / f"priority-matrix-{name}.png")
    page.screenshot(path=shots / f"department-{name}-full.png", full_page=True)
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/actions/", "/recognition/"])
def test_the_actions_and_recognition_pages_fit_a_phone(new_page, live_server, demo, shots, path):
    page = new_page(PHONE)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(PAST_THE_EDGE) == []
    page.screenshot(path=shots / f"phone{path.replace('/', '-')}full.png", full_page=True)
    assert serious_violations(page) == []


@pytest.mark.parametrize(("path", "figure"), [("/reports/", "fig-trends"), (DEPARTMENT, "fig-dept-trend")])
def test_the_trend_legend_stays_clear_of_the_axis_on_a_phone(new_page, live_server, demo, shots, path, figure):
    page = open_page(new_page, live_server, PHONE, path)
    selector = f'[data-figure="{figure}"]'
    page.locator(selector).scroll_into_view_if_needed()
    texts = f"{selector} .legendtext, {selector} .xtick text, {selector} .g-xtitle text"
    boxes = page.evaluate(
        f"""() => [...document.querySelectorAll('{texts}')]
          .map(t => {{ const b = t.getBoundingClientRect();
                      return {{text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom}}; }})
          .filter(b => b.text)"""
    )
    assert any(b["text"].startswith("2026-") for b in boxes) and len(boxes) > 3
    assert overlapping(boxes) == []
    svg = page.locator(f"{selector} .main-svg").first.bounding_box()
    assert all(
        b["right"] <= svg["x"] + svg["width"] + 0.5 and b["bottom"] <= svg["y"] + svg["height"] + 0.5 for b in boxes
    )
    page.locator(selector).screenshot(path=shots / f"{figure}-phone.png")


def test_a_heatmap_too_wide_for_the_phone_scrolls_inside_its_box_with_a_hint(new_page, live_server, shots):
    from django.core.cache import cache

    from surveys.roles import Role
    from tests.factories import EmployeeFactory
    from tests.reports.snapshots import build_company

    cache.clear()
    built = build_company(departments=24, cycles=1, hidden_share=0.2)
    EmployeeFactory(department=built["departments"][0], role=Role.EXECUTIVE, user__email="erin@example.com")
    page = new_page(PHONE)
    sign_in(page, live_server, "erin@example.com")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_function(ALL_DRAWN)
    hint = page.locator("[data-heatmap-scroll-hint]")
    assert not hint.is_visible()
    page.get_by_role("button", name="Show the full heatmap").click()
    assert hint.is_visible()  # 24 columns of 20 px do not fit 390 px: the box scrolls, and says so
    box = page.locator("#link-heatmap-box")
    widths = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] > widths[1]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the page does not
    drawn = page.evaluate(TICKS, ["#link-heatmap", "x"])
    assert len(drawn["ticks"]) == 24 and fully_inside(drawn["ticks"], drawn["svg"], right_edge=10_000) == []
    page.locator("#heatmap").screenshot(path=shots / "phone-heatmap-24-departments.png")


def test_a_stacked_tables_caption_spans_the_screen(new_page, live_server, demo):
    page = open_page(new_page, live_server, PHONE, "/reports/")
    caption = page.locator("#asymmetry caption")
    caption.scroll_into_view_if_needed()
    assert caption.bounding_box()["width"] > PHONE["width"] * 0.8  # not squeezed into one column
