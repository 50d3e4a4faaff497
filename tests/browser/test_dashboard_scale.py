"""The dashboard at 200 departments, and the same controls on the demo company, in a real browser:
the heatmap grouped (weak rows and columns first), a search that keeps the departments typed (rows,
columns or both), "the N weakest links", zoom into a block with names coming back, the weakest
link outlined and named whatever is filtered, search over the department × dimension heatmap and
the trends; no serious accessibility violation at desktop and phone widths. Screenshots go to
$SCREENSHOT_DIR (or the test's temp folder)."""

import datetime

import pytest
from django.core.cache import cache

from actions.demo import seed_demo
from surveys.roles import Role
from tests.factories import EmployeeFactory
from tests.reports.snapshots import build_company

from .conftest import DESKTOP, PHONE, serious_violations, sign_in

ALL_DRAWN = (
    "() => [...document.querySelectorAll('[data-figure], [data-heatmap]')]"
    ".every(e => e.classList.contains('figure-drawn'))"
)
SHOWN = "document.getElementById('link-heatmap').getAttribute('data-shown')"
LAYOUT = """() => { const l = document.getElementById('link-heatmap')._fullLayout;
  return { x: l.xaxis.ticktext, y: l.yaxis.ticktext, xLabels: l.xaxis.showticklabels, yLabels: l.yaxis.showticklabels,
           shapes: l.shapes.map(s => ({ x: (s.x0 + s.x1) / 2, y: (s.y0 + s.y1) / 2, width: s.line.width,
                                        dash: s.line.dash })),
           annotations: l.annotations.map(a => a.text) }; }"""
# Each heatmap layer's image: its size in pixels (decoded from the PNG Plotly wrote) and how it is scaled.
CELL_IMAGES = """async () => Promise.all([...document.querySelectorAll('#link-heatmap .hm image')].map(async image => {
  const img = new Image();
  img.src = image.getAttribute('href') || image.getAttribute('xlink:href');
  await img.decode();
  return { pixels: img.naturalWidth + 'x' + img.naturalHeight, rendering: getComputedStyle(image).imageRendering };
}))"""
PLOT_BOX = """() => { const el = document.getElementById('link-heatmap'), l = el._fullLayout;
  const b = el.getBoundingClientRect();
  return { x: b.left + l.xaxis._offset, y: b.top + l.yaxis._offset, w: l.xaxis._length, h: l.yaxis._length }; }"""


@pytest.fixture
def big():
    cache.clear()
    built = build_company(departments=200, cycles=2, hidden_share=0.2, link_dimensions=("overall",))
    EmployeeFactory(department=built["departments"][0], role=Role.EXECUTIVE, user__email="erin@example.com")
    return built


def open_dashboard(new_page, live_server, viewport=DESKTOP, email="erin@example.com", password=None):
    page = new_page(viewport)
    if password:
        sign_in(page, live_server, email, password)
    else:
        sign_in(page, live_server, email)
    # The first view of a 200-department dashboard builds its page (seconds on a shared machine).
    page.goto(f"{live_server.url}/reports/", timeout=60_000)
    page.locator("#link-heatmap.figure-drawn").wait_for(state="attached", timeout=30_000)
    return page


def heatmap_data(page):
    return page.evaluate("JSON.parse(document.getElementById('heatmap-data').textContent)")


def shown_weakest(data) -> tuple[str, str]:
    rater, provider = data["weakest"]["overall"]
    return data["names"][rater], data["names"][provider]


def test_at_200_departments_the_heatmap_opens_grouped_and_finds_filters_and_zooms(new_page, live_server, big, shots):
    page = open_dashboard(new_page, live_server)
    data = heatmap_data(page)
    assert len(data["names"]) == 200
    assert page.get_by_label("Order", exact=True).input_value() == "cluster"
    drawn = page.evaluate(LAYOUT)
    order = data["cells"]["overall"]["order"]
    assert drawn["y"] == [data["names"][i] for i in order["rows"]]
    assert drawn["x"] == [data["names"][j] for j in order["cols"]]
    # Too small to hold names at first: the names come back on zoom; the weakest link is outlined,
    # pointed at and named above the figure.
    assert drawn["xLabels"] is False and drawn["yLabels"] is False
    rater, provider = shown_weakest(data)
    assert drawn["annotations"] == ["weakest link"]
    solid = [s for s in drawn["shapes"] if s["dash"] == "solid"]
    assert len(solid) == 1
    assert (drawn["y"][round(solid[0]["y"])], drawn["x"][round(solid[0]["x"])]) == (rater, provider)
    named = page.locator("[data-heatmap-weakest-named]")
    assert named.is_visible() and f"{rater} rating {provider}" in named.inner_text()
    # 40,000 cells of a few pixels: each layer one image of a pixel per cell, scaled up unsmoothed
    # (its style attribute allowed by the CSP's hash: a refusal would be a console error).
    images = page.evaluate(CELL_IMAGES)
    assert images == [{"pixels": "200x200", "rendering": "pixelated"}] * 2
    page.locator("#heatmap").screenshot(path=shots / "scale-heatmap-grouped.png")
    assert serious_violations(page) == []

    # Grouping puts the weak first: the first block of rows rates lower than the last.
    means = data["cells"]["overall"]["mean"]

    def average(rows):
        values = [v for i in rows for v in means[i] if v is not None]
        return sum(values) / len(values)

    assert average(order["rows"][:40]) < average(order["rows"][-40:])

    # Typing filters rows and columns as one types (debounced), without a reload.
    page.evaluate("window.__sameDocument = true")
    search = page.get_by_label("Find departments", exact=True).first
    search.press_sequentially("Unit 1", delay=30)
    page.wait_for_function(f"() => {SHOWN} === '110x110'")  # Unit 10–19, 100–199
    search.fill("unit 12")
    page.wait_for_function(f"() => {SHOWN} === '11x11'")  # Unit 12, 120–129
    drawn = page.evaluate(LAYOUT)
    assert drawn["x"] == drawn["y"] or sorted(drawn["x"]) == sorted(drawn["y"])
    assert all("Unit 12" in name for name in drawn["x"])
    assert drawn["xLabels"] is True and drawn["yLabels"] is True  # eleven columns hold their names
    page.get_by_label("Find them among", exact=True).select_option("rows")
    page.wait_for_function(f"() => {SHOWN} === '11x200'")
    assert "current view" in named.inner_text() or provider  # named whether or not it is in view
    page.locator("#heatmap").screenshot(path=shots / "scale-heatmap-search-rows.png")
    search.fill("no such department")
    page.wait_for_function(f"() => {SHOWN} === '0x200'")
    assert "No department matches" in page.locator("[data-heatmap-status]").inner_text()
    assert "outside the current view" in named.inner_text()
    search.fill("")
    page.wait_for_function(f"() => {SHOWN} === '200x200'")

    # The ten weakest links: only their rows and columns, the weakest still outlined.
    page.get_by_label("Links shown", exact=True).select_option("10")
    page.wait_for_function(f"() => {SHOWN} !== '200x200'")
    rows, cols = (int(n) for n in page.evaluate(SHOWN).split("x"))
    assert rows <= 10 and cols <= 10
    drawn = page.evaluate(LAYOUT)
    assert rater in drawn["y"] and provider in drawn["x"]
    assert len(page.evaluate("document.getElementById('link-heatmap').data")) == 3  # the others faded
    page.locator("#heatmap").screenshot(path=shots / "scale-heatmap-weakest-10.png")
    page.get_by_label("Links shown", exact=True).select_option("0")
    page.wait_for_function(f"() => {SHOWN} === '200x200'")

    # Zoom into a block: drag across a corner of the heatmap; names come back.
    page.locator("#link-heatmap").scroll_into_view_if_needed()
    box = page.evaluate(PLOT_BOX)
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["w"] * 0.1, box["y"] + box["h"] * 0.1, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('link-heatmap')._fullLayout.xaxis.showticklabels === true")
    assert page.evaluate("document.getElementById('link-heatmap')._fullLayout.yaxis.showticklabels") is True
    page.locator("#heatmap").screenshot(path=shots / "scale-heatmap-zoomed.png")
    assert page.evaluate("window.__sameDocument") is True


def test_at_200_departments_the_dimension_heatmap_and_the_trends_find_departments(new_page, live_server, big, shots):
    page = open_dashboard(new_page, live_server)
    page.wait_for_function(ALL_DRAWN)
    figure = page.locator('[data-figure="fig-dimensions"]')
    rows = "document.querySelector('[data-figure=\"fig-dimensions\"]')._fullLayout.yaxis.ticktext.length"
    # 200 rows would make a figure 6,000 px tall: it starts with the 30 weakest, weakest first.
    assert page.evaluate(rows) == 30
    assert "The 30 weakest of" in page.locator("#dimensions [data-figure-search-status]").inner_text()
    search = page.locator("#fig-dimensions-search")
    search.fill("Unit 13")
    page.wait_for_function(f"() => {rows} === 11")
    names = page.evaluate("document.querySelector('[data-figure=\"fig-dimensions\"]')._fullLayout.yaxis.ticktext")
    assert all("Unit 13" in name for name in names)
    assert "11 of" in page.locator("#dimensions [data-figure-search-status]").inner_text()
    figure.screenshot(path=shots / "scale-dimensions-search.png")

    trends = "document.querySelector('[data-figure=\"fig-trends\"]')"
    assert page.evaluate(f"{trends}._fullLayout.showlegend") is False  # 200 names: no legend
    # With no legend to show them from, the hidden lines are not handed to Plotly at all.
    handed = f"{trends}.data.map(t => t.visible === undefined ? true : t.visible)"
    first = page.evaluate(handed)
    assert 0 < len(first) < 40 and "legendonly" not in first
    page.locator("#fig-trends-search").fill("Unit 150")
    visible = f"{trends}.data.filter(t => t.visible === true && t.mode === 'lines+markers').map(t => t.name)"
    page.wait_for_function(f"() => {visible}.includes('Unit 150')")
    assert set(page.evaluate(visible)) <= {"Unit 150", "Company"}
    assert "legendonly" not in page.evaluate(handed)
    page.locator("#fig-trends-search").fill("")
    page.wait_for_function(f"() => !{visible}.includes('Unit 150')")
    assert page.evaluate(handed) == first
    page.locator("#trends").screenshot(path=shots / "scale-trends-search.png")
    assert serious_violations(page) == []


def test_at_200_departments_a_phone_searches_and_ranks_without_serious_violations(new_page, live_server, big, shots):
    page = open_dashboard(new_page, live_server, PHONE)
    page.wait_for_function(ALL_DRAWN)
    assert serious_violations(page) == []
    page.get_by_label("Find departments", exact=True).first.fill("Unit 7")
    page.wait_for_function(f"() => {SHOWN} === '10x10'")  # Unit 70–79
    ranked = page.locator("[data-weakest-links] li").all_inner_texts()
    assert ranked and all("Unit 7" in text for text in ranked)
    page.screenshot(path=shots / "scale-phone-search.png")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


DEMO_PASSWORD = "chain-survey-demo"
EXECUTIVE = "elena.fischer@demo.example"


@pytest.fixture
def demo():
    cache.clear()
    return seed_demo(today=datetime.date(2026, 11, 15))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_demo_heatmap_searches_and_keeps_the_weakest_outlined(new_page, live_server, demo, shots, viewport):
    page = open_dashboard(new_page, live_server, viewport, EXECUTIVE, DEMO_PASSWORD)
    data = heatmap_data(page)
    assert page.get_by_label("Order", exact=True).input_value() == "name"  # a dozen departments read by name
    rater, provider = shown_weakest(data)
    named = page.locator("[data-heatmap-weakest-named]")
    assert f"{rater} rating {provider}" in named.inner_text() or f"{provider}'s staff" in named.inner_text()
    n = len(data["names"])
    page.get_by_label("Links shown", exact=True).select_option("10")
    page.wait_for_function(f"() => {SHOWN} !== '{n}x{n}'")
    drawn = page.evaluate(LAYOUT)
    assert rater in drawn["y"] and provider in drawn["x"]
    assert drawn["annotations"] == []  # a dozen departments: the outline alone, as before
    name = "desktop" if viewport == DESKTOP else "phone"
    page.locator("#heatmap").screenshot(path=shots / f"demo-heatmap-weakest-10-{name}.png")
    page.get_by_label("Links shown", exact=True).select_option("0")
    page.get_by_label("Find departments", exact=True).first.fill("fac")
    page.wait_for_function(f"() => {SHOWN} === '1x1'")
    page.get_by_label("Find them among", exact=True).select_option("cols")
    page.wait_for_function(f"() => {SHOWN} === '{n}x1'")
    assert page.evaluate(LAYOUT)["x"] == ["Facilities"]
    page.locator("#heatmap").screenshot(path=shots / f"demo-heatmap-facilities-{name}.png")
    page.wait_for_function(ALL_DRAWN)
    assert serious_violations(page) == []
