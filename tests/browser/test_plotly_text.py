"""Department names with Plotly's pseudo-HTML in a real browser: the dashboard's heatmaps (the link
heatmap, drawn by static/js/heatmap.js, and the department × dimension one) and a department's
figures draw them as text. No <a> or bold element inside any drawn SVG, the names' characters are
on the axes as written, and nothing navigates to evil.example."""

import pytest

from reports.charts import plotly_text
from surveys.roles import Role
from tests.factories import EmployeeFactory
from tests.reports.test_plotly_text import BOLD, HOSTILE, LINK, hostile_company

from .conftest import DESKTOP, sign_in

# A function, not an expression: Playwright polls an expression through eval, which the CSP refuses
# (figures below the first screen are drawn a moment later, so the first check may be false).
ALL_DRAWN = (
    "() => [...document.querySelectorAll('[data-figure], [data-heatmap]')]"
    ".every(e => e.classList.contains('figure-drawn'))"
)
# Plotly turns <a href> into an <a> element and <b> into a tspan styled bold.
MARKUP_IN_SVG = """() => [...document.querySelectorAll('.js-plotly-plot svg')].flatMap(svg => [
  ...[...svg.querySelectorAll('a')].map(a => 'a: ' + (a.getAttribute('href') || a.getAttribute('xlink:href'))),
  ...[...svg.querySelectorAll('tspan, text')].filter(t => (t.getAttribute('style') || '').includes('bold'))
     .map(t => 'bold: ' + t.textContent)])"""


def axis_texts(page, element_id: str) -> list[str]:
    return page.evaluate(
        "(id) => [...document.querySelectorAll('#' + id + ' svg .xtick text, #' + id + ' svg .ytick text')]"
        ".map(t => t.textContent)",
        element_id,
    )


def hover_text(page, element_id: str, row: str) -> str:
    """Hover the cells of the heatmap's row `row` (its tick text as given to Plotly) one by one
    until one shows its hover label; its text."""
    page.locator(f"#{element_id}").scroll_into_view_if_needed()
    points = page.evaluate(
        """([id, row]) => {
          const el = document.getElementById(id), layout = el._fullLayout, box = el.getBoundingClientRect();
          const y = layout.yaxis.ticktext.indexOf(row), points = [];
          for (let x = 0; x < layout.xaxis.tickvals.length; x++)
            points.push({ x: box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
                          y: box.top + layout.yaxis._offset + layout.yaxis.l2p(y) });
          return points;
        }""",
        [element_id, row],
    )
    hover = page.locator(f"#{element_id} .hoverlayer .hovertext")
    for point in points:
        page.mouse.move(point["x"], point["y"])
        page.wait_for_timeout(100)
        if hover.count():
            return hover.first.text_content()
    raise AssertionError(f"no hover label in #{element_id}")


@pytest.fixture
def company():
    data = hostile_company()
    EmployeeFactory(
        department=data["departments"][0], role=Role.EXECUTIVE, user__email="erin@example.com"
    )  # the Executive Office
    return data


def test_names_with_plotly_markup_are_drawn_as_text_in_every_figure(new_page, live_server, company):
    requests = []
    page = new_page(DESKTOP)
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server, "erin@example.com")
    latest = company["latest"].name

    page.goto(f"{live_server.url}/reports/{latest}/")
    page.wait_for_function(ALL_DRAWN)
    assert page.locator("#link-heatmap svg").count() >= 1
    assert page.evaluate(MARKUP_IN_SVG) == []
    link_ticks = axis_texts(page, "link-heatmap")
    assert LINK[:21] + "…" in link_ticks and BOLD in link_ticks  # shortened past 22 characters, as any name
    assert "R&D <Ops>" in link_ticks

    # Switching dimension and order redraws the heatmap from the same data: still text.
    page.get_by_label("Order", exact=True).select_option("score")
    page.locator('#link-heatmap[data-order="score"]').wait_for()
    assert page.evaluate(MARKUP_IN_SVG) == []

    # The hover of a cell names both departments as text.
    hover = hover_text(page, "link-heatmap", row=plotly_text(BOLD))
    assert hover.startswith(f"{BOLD} → "), hover
    assert page.evaluate(MARKUP_IN_SVG) == []

    for i in range(len(HOSTILE)):
        page.goto(f"{live_server.url}/reports/{latest}/departments/hostile-{i}/")
        page.wait_for_function(ALL_DRAWN)
        assert page.evaluate(MARKUP_IN_SVG) == [], f"department page of {HOSTILE[i]!r}"

    assert not [url for url in requests if "evil.example" in url]
