"""The dashboard's layout on the demo company, measured in a real browser at desktop and phone
widths: headline cards no taller than what they hold, the change card saying what changed since
which cycle, the expectation chart's labels clear of each other, repeated comments once with a
count. Screenshots go to $SCREENSHOT_DIR (or the test's temp folder)."""

import datetime

import pytest
from django.core.cache import cache

from actions.demo import seed_demo

from .conftest import DESKTOP, PHONE, serious_violations, sign_in

DEMO_PASSWORD = "chain-survey-demo"
EXECUTIVE = "elena.fischer@demo.example"
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
# A function, not an expression: Playwright polls an expression through eval, which the CSP refuses
# (figures below the first screen are drawn a moment later, so the first check may be false).
ALL_DRAWN = (
    "() => [...document.querySelectorAll('[data-figure], [data-heatmap]')]"
    ".every(e => e.classList.contains('figure-drawn'))"
)

# Each headline card: its height, and the height its content needs (the card body's padding and
# what is in it), in CSS pixels.
CARD_FILL = """() => [...document.querySelectorAll('.headline .card')].map(card => {
  const body = card.querySelector('.card-body'), style = getComputedStyle(body);
  const kids = [...body.children].filter(k => k.offsetParent !== null);
  const top = body.getBoundingClientRect().top, bottom = Math.max(...kids.map(k => k.getBoundingClientRect().bottom));
  const needed = bottom - top + parseFloat(style.paddingBottom) + 2;
  return {label: card.querySelector('.headline-label').innerText, height: card.getBoundingClientRect().height, needed};
})"""

# The expectation chart's point labels as drawn: their boxes in page pixels.
LABEL_BOXES = """() => [...document.querySelectorAll('[data-figure="fig-expectation"] .textpoint text')].map(t => {
  const b = t.getBoundingClientRect();
  return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom};
})"""


@pytest.fixture
def demo():
    cache.clear()
    return seed_demo(today=datetime.date(2026, 11, 15))


def overlapping(boxes, slack=1.0):
    """Pairs of boxes that overlap by more than `slack` pixels both ways."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if dx > slack and dy > slack:
                pairs.append((a["text"], b["text"]))
    return pairs


@VIEWPORTS
def test_dashboard_cards_fit_their_content_and_the_change_card_says_of_what(
    new_page, live_server, demo, shots, viewport
):
    page = new_page(viewport)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_function(ALL_DRAWN)
    name = "phone" if viewport is PHONE else "desktop"
    page.locator(".headline").screenshot(path=shots / f"dashboard-headline-{name}.png")
    page.screenshot(path=shots / f"dashboard-{name}-full.png", full_page=True)

    cards = page.evaluate(CARD_FILL)
    assert len(cards) == 6
    # No card is a tall empty box: at most 3 lines of small text (~64 px) more than it holds.
    loose = [c for c in cards if c["height"] > c["needed"] + 64]
    assert loose == [], loose
    labels = [c["label"].casefold() for c in cards]
    assert "company mean since 2026-q2" in labels
    assert page.get_by_role("heading", name="Significant changes since 2026-Q2").is_visible()
    assert not any("previous cycle" in label for label in labels)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@VIEWPORTS
def test_the_expectation_chart_labels_do_not_overlap(new_page, live_server, demo, shots, viewport):
    page = new_page(viewport)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_function(ALL_DRAWN)
    figure = page.locator("#expectations")
    figure.scroll_into_view_if_needed()
    figure.screenshot(path=shots / f"dashboard-expectations-{'phone' if viewport is PHONE else 'desktop'}.png")
    boxes = [b for b in page.evaluate(LABEL_BOXES) if b["text"]]
    rows = page.locator("#expectations tbody tr").count()
    assert rows >= 10  # every supplier of the demo company with an expectation
    if viewport is DESKTOP:
        assert len(boxes) == rows  # every point named
    else:
        # A phone's plot has no room for every name: those that find no free place are left
        # out (the point's hover and the table name it), never drawn over another.
        assert len(boxes) >= rows // 2
    assert overlapping(boxes) == []
    # Every label inside the plot's box, none cut at its edges.
    plot = page.locator('[data-figure="fig-expectation"] .main-svg').first.bounding_box()
    for b in boxes:
        assert plot["x"] <= b["left"] and b["right"] <= plot["x"] + plot["width"], b


@VIEWPORTS
def test_a_comment_written_many_times_is_shown_once_with_its_count(new_page, live_server, demo, shots, viewport):
    page = new_page(viewport)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/2026-Q3/departments/facilities/")
    page.wait_for_function(ALL_DRAWN)
    section = page.locator("section", has=page.get_by_role("heading", name="Comments", exact=True))
    section.scroll_into_view_if_needed()
    section.screenshot(path=shots / f"department-comments-{'phone' if viewport is PHONE else 'desktop'}.png")
    texts = section.locator(".comment-list li").evaluate_all(
        "items => items.map(li => li.firstChild.textContent.trim().toLowerCase())"
    )
    assert texts and len(texts) == len(set(texts))  # no comment listed twice
    counts = section.locator(".comment-count [aria-hidden=true]").all_inner_texts()
    assert counts and all(c.startswith("×") and int(c[1:]) >= 2 for c in counts)
    assert serious_violations(page) == []
