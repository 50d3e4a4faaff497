"""The dashboard in German, French and Spanish on the demo company: the page's language, its
headings, the figures' own words drawn by Plotly (axis titles, the heatmap's axes and its phone
toggle, which static/js/heatmap.js takes from the page), every figure drawn, no serious
accessibility violation (axe) at desktop and phone width. Screenshots of each go to
$SCREENSHOT_DIR (or the test's temp folder) for a person to read."""

import pytest

from surveys.models import Employee

from . import test_dashboard
from .conftest import DESKTOP, PHONE, serious_violations, sign_in
from .test_dashboard import ALL_DRAWN, DEMO_PASSWORD, EXECUTIVE

demo = test_dashboard.demo  # the demo company (shots comes from conftest)

WORDS = {
    "de": {
        "heading": "Die Heatmap der schwächsten Glieder",
        "expected": "Erwartet (mittlere Erwartung)",
        "trend": "Gesamtmittelwert (1–5)",
        "supplier": "Dienstleister (bewertete Abteilung)",
        "show": "Ganze Heatmap zeigen",
        "hide": "Ganze Heatmap ausblenden",
    },
    "fr": {
        "heading": "La carte de chaleur des maillons faibles",
        "expected": "Attendu (attente moyenne)",
        "trend": "Moyenne globale (1–5)",
        "supplier": "Fournisseur (service noté)",
        "show": "Afficher toute la carte de chaleur",
        "hide": "Masquer la carte de chaleur",
    },
    "es": {
        "heading": "El mapa de calor de los eslabones débiles",
        "expected": "Esperado (expectativa media)",
        "trend": "Media general (1–5)",
        "supplier": "Proveedor (departamento valorado)",
        "show": "Mostrar el mapa de calor completo",
        "hide": "Ocultar el mapa de calor completo",
    },
}

# The sections with figures, each screenshot on its own for a person to read.
SECTIONS = ("dimensions", "drivers", "asymmetry", "expectations", "trends")

# Each figure's axis titles as drawn, with their boxes and the figure's own box.
AXIS_TITLES = """selector => [...document.querySelectorAll(selector)].flatMap(figure => {
  const frame = figure.getBoundingClientRect();
  return [...figure.querySelectorAll('.g-xtitle text, .g-ytitle text')].map(t => {
    const box = t.getBoundingClientRect();
    return { text: t.textContent, inside: box.left >= frame.left - 1 && box.right <= frame.right + 1
             && box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1 };
  });
})"""


def drawn_titles(page, selector="[data-figure], [data-heatmap]"):
    return page.evaluate(AXIS_TITLES, selector)


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_dashboard_reads_in_the_persons_language_with_its_figures_words_drawn(
    new_page, live_server, demo, shots, language
):
    words = WORDS[language]
    Employee.objects.filter(user__email=EXECUTIVE).update(language=language)
    page = new_page(DESKTOP)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/2026-Q3/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#heatmap-title").inner_text() == words["heading"]
    page.wait_for_function(ALL_DRAWN)
    titles = drawn_titles(page)
    texts = [t["text"] for t in titles]
    # Plotly drew the figures' titles in the page's language, each whole inside its figure.
    for title in ("expected", "trend", "supplier"):
        assert words[title] in texts, (title, texts)
    assert [t["text"] for t in titles if not t["inside"]] == []
    assert not {"Expected (mean expectation)", "Overall mean (1–5)", "Supplier (rated department)"} & set(texts)
    # The hover words the heatmap script writes come from the page too.
    hover = page.evaluate("document.getElementById('link-heatmap').data[1].hovertemplate")
    assert "%{customdata[2]}" in hover and "Mean " not in hover
    page.screenshot(path=shots / f"dashboard-{language}-desktop.png", full_page=True)
    for section in SECTIONS:
        page.locator(f"#{section}").screenshot(path=shots / f"dashboard-{language}-desktop-{section}.png")
    assert serious_violations(page) == []

    phone = new_page(PHONE)
    sign_in(phone, live_server, EXECUTIVE, DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/reports/2026-Q3/")
    phone.wait_for_function(ALL_DRAWN)
    toggle = phone.get_by_role("button", name=words["show"])
    caption = phone.locator("[data-weakest-caption]").inner_text()
    assert caption and "weakest of" not in caption
    phone.screenshot(path=shots / f"dashboard-{language}-phone.png", full_page=True)
    for section in SECTIONS:
        phone.locator(f"#{section}").screenshot(path=shots / f"dashboard-{language}-phone-{section}.png")
    assert serious_violations(phone) == []
    toggle.click()
    assert phone.get_by_role("button", name=words["hide"]).get_attribute("aria-expanded") == "true"
    phone.locator("#heatmap").screenshot(path=shots / f"dashboard-{language}-phone-heatmap.png")
    assert [t["text"] for t in drawn_titles(phone, "[data-figure]") if not t["inside"]] == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
