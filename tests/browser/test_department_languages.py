"""The department page in German, French and Spanish on the demo company: the page's language,
its headings and figures in that language's words and number format (decimal comma, Plotly's
separators), every figure drawn, no serious accessibility violation (axe). Screenshots of each
go to $SCREENSHOT_DIR (or the test's temp folder) for a person to read."""

import pytest

from surveys.models import Employee

from . import test_dashboard
from .conftest import DESKTOP, serious_violations, sign_in
from .test_dashboard import ALL_DRAWN, DEMO_PASSWORD, EXECUTIVE

demo = test_dashboard.demo  # the demo company (shots comes from conftest)

WORDS = {
    "de": ("Wo zuerst handeln", "Zuerst verbessern: Verantwortung, Reaktionsschnelligkeit."),
    "fr": ("Où agir en premier", "À corriger d’abord : Prise en charge, Réactivité."),
    "es": ("Dónde actuar primero", "Corregir primero: Responsabilidad, Capacidad de respuesta."),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_department_page_reads_in_the_persons_language(new_page, live_server, demo, shots, language):
    Employee.objects.filter(user__email=EXECUTIVE).update(language=language)
    page = new_page(DESKTOP)
    sign_in(page, live_server, EXECUTIVE, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/2026-Q3/departments/facilities/")
    assert page.locator("html").get_attribute("lang") == language
    heading, fix_first = WORDS[language]
    section = page.locator("#priority-title").locator("..")
    assert section.locator("h2").inner_text() == heading
    assert fix_first in section.inner_text()
    page.wait_for_function(ALL_DRAWN)
    # The tables and the figures write numbers the same way: a decimal comma.
    headline = page.locator(".headline-value").first.inner_text()
    assert "," in headline and "." not in headline, headline
    ticks = page.eval_on_selector_all(
        '[data-figure="fig-dept-priority"] .xtick text', "texts => texts.map(t => t.textContent)"
    )
    assert ticks and any("," in t for t in ticks) and not any("." in t for t in ticks), ticks
    page.screenshot(path=shots / f"department-facilities-{language}.png", full_page=True)
    assert serious_violations(page) == []
