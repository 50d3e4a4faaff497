"""HR's preview of a closed, unpublished cycle (reports.views): the computed results marked
"Preview — not published" with the publish button beside them; everyone else gets the app's own
page saying the results are not published yet, never a figure and never Django's debug 404."""

import pytest

from reports.services import rollup_cycle
from surveys.models import Cycle
from tests.factories import CycleFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

DASHBOARD, SALES, HEATMAP = "/reports/2026-Q4/", "/reports/2026-Q4/departments/sales/", "/reports/2026-Q4/heatmap.json"


@pytest.fixture
def closed(org):
    """2026-Q4, closed and rolled up, not published: four Sales people rated IT 2 and their management 3."""
    cycle = CycleFactory(name="2026-Q4", status=Cycle.Status.CLOSED, min_group_size=3)
    rows = []
    for r in range(1, 5):
        rows += full_survey(r, org["sales"], org["it"], 2, expectation=4)
        rows += full_survey(100 + r, org["sales"], org["sales"], 3)
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=cycle.id)
    return cycle


def test_hr_sees_the_computed_results_marked_preview_with_the_publish_button(client, hr, closed):
    client.force_login(hr.user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview — not published" in page
    assert 'href="/hr/cycles/2026-Q4/publish/"' in page
    assert "Weakest department" in page and "2.00" in page  # the figures themselves
    # Nothing leaves the app before publishing: no download links in the preview.
    assert "/reports/2026-Q4/scorecards.xlsx" not in page
    assert client.get(HEATMAP).status_code == 200


def test_hr_previews_a_department_page_too(client, hr, closed):
    client.force_login(hr.user)
    response = client.get(SALES)
    assert response.status_code == 200
    assert "Preview — not published" in response.content.decode()


@pytest.mark.parametrize("url", [DASHBOARD, SALES, HEATMAP])
@pytest.mark.parametrize("persona", ["executive", "manager"])
def test_everyone_else_gets_a_page_saying_the_results_are_not_published_yet(
    client, request, settings, closed, persona, url
):
    settings.DEBUG = True  # where Django's own 404 would list the URL patterns
    client.force_login(request.getfixturevalue(persona).user)
    response = client.get(url)
    if persona == "manager" and url != SALES:
        assert response.status_code == 403  # the dashboards are not a manager's, published or not
        return
    assert response.status_code == 404
    page = response.content.decode()
    assert "The results of 2026-Q4 are not published yet" in page
    assert "Chain Survey" in page and "URLconf" not in page and "urlpatterns" not in page
    assert "2.00" not in page and "Weakest" not in page and "Preview" not in page


def test_an_unknown_cycle_is_the_apps_own_page_not_djangos_debug_404(client, settings, executive, closed):
    settings.DEBUG = True
    client.force_login(executive.user)
    response = client.get("/reports/2031-Q1/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No results for 2031-Q1" in page and "URLconf" not in page


def test_once_published_executives_see_it_and_hr_no_longer_sees_a_preview(client, hr, executive, closed):
    Cycle.objects.filter(pk=closed.pk).update(status=Cycle.Status.PUBLISHED)
    client.force_login(executive.user)
    assert "Weakest department" in client.get(DASHBOARD).content.decode()
    client.force_login(hr.user)
    page = client.get(DASHBOARD).content.decode()
    assert "Preview — not published" not in page and "/reports/2026-Q4/scorecards.xlsx" in page


def test_an_open_cycle_has_no_preview(client, hr, open_cycle):
    client.force_login(hr.user)
    response = client.get(f"/reports/{open_cycle.name}/")
    assert response.status_code == 404 and "not published yet" in response.content.decode()


def test_the_preview_is_not_the_default_cycle(client, hr, closed):
    client.force_login(hr.user)
    page = client.get("/reports/").content.decode()
    assert "Preview — not published" not in page and "No results yet" in page
