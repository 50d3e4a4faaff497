"""Department names reach Plotly as text, never as its pseudo-HTML: in every figure of the
dashboard and the department page, each label, hover text, legend entry and annotation has `&`,
`<` and `>` escaped, so `<a href=…>` draws no link and `<b>` no bold. (The link heatmap is drawn by
static/js/heatmap.js, which escapes its names itself: tests/browser/test_plotly_text.py.)"""

import pytest
from django.core.cache import cache

from reports import charts
from surveys.models import Department
from tests.factories import DepartmentFactory
from tests.reports.snapshots import build_company

from .test_dashboard_views import json_payloads

pytestmark = pytest.mark.django_db

LINK = '<a href="https://evil.example">x</a>'
BOLD = "<b>bold</b>"
HOSTILE = (LINK, BOLD, "R&D <Ops>")


def hostile_company():
    """Published cycles with every department shown, three of them named after HOSTILE."""
    cache.clear()
    named = tuple(DepartmentFactory(name=name, slug=f"hostile-{i}") for i, name in enumerate(HOSTILE))
    return build_company(departments=3, cycles=2, hidden_share=0.0, include=named)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_plotly_text_escapes_markup_and_entities_only():
    assert charts.plotly_text(LINK) == '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'
    assert charts.plotly_text("R&D <b>") == "R&amp;D &lt;b&gt;"
    assert charts.plotly_text("Customer Service") == "Customer Service"


def test_every_figure_of_the_dashboard_and_department_page_has_the_names_escaped(client, executive):
    company = hostile_company()
    client.force_login(executive.user)
    latest = company["latest"].name
    pages = [f"/reports/{latest}/", *(f"/reports/{latest}/departments/hostile-{i}/" for i in range(len(HOSTILE)))]
    figures = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for key, payload in json_payloads(response.content).items():
            if isinstance(payload, dict) and "data" in payload and "layout" in payload:
                figures[f"{url} {key}"] = payload
    kinds = {key.rsplit(" ", 1)[1] for key in figures}
    assert kinds == {
        *("fig-dimensions", "fig-asymmetry", "fig-expectation", "fig-trends"),
        *("fig-dept-dimensions", "fig-dept-management", "fig-dept-raters", "fig-dept-trend"),
    }

    texts = [text for figure in figures.values() for text in strings(figure)]
    for name in HOSTILE:
        assert any(charts.plotly_text(name) in text for text in texts), f"{name!r} is in no figure"
        assert not any(name in text for text in texts), f"{name!r} reaches Plotly unescaped"
    # Our own templates use <br> and <extra> only: no other markup anywhere in the figures.
    assert not [t for t in texts if "<a" in t or "<b>" in t or "R&D" in t]


def test_a_percent_sign_in_a_name_is_not_read_as_a_hover_placeholder():
    figure = charts.bars_against_company(
        labels=["Willingness"], department=[{"mean": 4.0}], company=[None], name="100%{y} <b>Sales</b>"
    )
    (bars,) = figure["data"]
    assert bars["name"] == "100%{y} &lt;b&gt;Sales&lt;/b&gt;"  # the legend shows it as written
    assert bars["hovertemplate"].startswith("100&#37;{y} &lt;b&gt;Sales&lt;/b&gt; · %{x}")
    assert Department.objects.count() == 0
