"""Blind spots (issue 21.4): the self-view figures' suppression and company differencing
(reports.selfview), their place in the roll-up (in no scorecard figure: the exports are
byte-identical with and without self-view answers), and the department page and dashboard."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from reports import blindspots, selfview, services
from reports.models import SelfViewResult
from surveys.dimensions import MANAGEMENT, SERVICE_DIMENSIONS, SUPPLIER
from surveys.models import Cycle, Dimension, SelfViewAnswer
from tests.factories import CycleFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db
N = 5


def answers(first, count, department, scope, score, dims=SERVICE_DIMENSIONS):
    return [(r, department, scope, dim, score) for r in range(first, first + count) for dim in dims]


def by_key(rows):
    return {(r["department_id"], r["scope"], r["dimension"]): r for r in rows}


# ---- reports.selfview: pure ----


def test_a_self_view_group_below_the_minimum_is_hidden_and_keeps_no_figure():
    rows = by_key(
        selfview.compute(answers(1, N - 1, 7, SUPPLIER, 4) + answers(10, N, 8, SUPPLIER, 5), min_group_size=N)
    )
    hidden = rows[7, SUPPLIER, "courtesy"]
    assert hidden["suppressed"] and hidden["mean"] is None and hidden["respondents"] is None
    shown = rows[8, SUPPLIER, "courtesy"]
    assert not shown["suppressed"] and shown["mean"] == 5 and shown["respondents"] == N


def test_the_company_management_self_view_hides_a_part_that_could_be_worked_out():
    # Department 1's managers: N (shown on their own); department 2's: 2 (hidden). The company
    # figure pools both: shown beside department 1's, department 2's would be its difference.
    rows = answers(1, N, 1, MANAGEMENT, 4) + answers(100, 2, 2, MANAGEMENT, 1)
    result = by_key(selfview.compute(rows, min_group_size=N))
    assert all(result[2, MANAGEMENT, dim]["suppressed"] for dim in SERVICE_DIMENSIONS)
    # One of department 1's is hidden too, the first of the smallest: the hidden parts held 2 < N raters.
    hidden = [dim for dim in SERVICE_DIMENSIONS if result[1, MANAGEMENT, dim]["suppressed"]]
    assert hidden == ["communication"]
    company = result[None, MANAGEMENT, "overall"]
    assert not company["suppressed"] and company["respondents"] == N + 2
    assert company["mean"] == pytest.approx((N * 4 + 2 * 1) / (N + 2))


def test_the_company_management_self_view_is_hidden_below_the_minimum():
    company = by_key(selfview.compute(answers(1, N - 1, 1, MANAGEMENT, 4), min_group_size=N))[
        None, MANAGEMENT, "overall"
    ]
    assert company["suppressed"] and company["mean"] is None


def test_shown_parts_stay_shown_when_the_hidden_ones_hold_enough():
    rows = answers(1, N, 1, MANAGEMENT, 4) + answers(100, 3, 2, MANAGEMENT, 1) + answers(200, 3, 3, MANAGEMENT, 2)
    result = by_key(selfview.compute(rows, min_group_size=N))
    assert not result[1, MANAGEMENT, "courtesy"]["suppressed"]  # the hidden ones hold 6 ≥ N together


# ---- the roll-up ----


def seed_self_views(cycle, department, scope, count, score, first=10_000):
    ids = dict(Dimension.objects.values_list("slug", "id"))
    SelfViewAnswer.objects.bulk_create(
        SelfViewAnswer(
            cycle=cycle, respondent=r, department=department, scope=scope, dimension_id=ids[dim], score=score
        )
        for r in range(first, first + count)
        for dim in SERVICE_DIMENSIONS
    )


def rolled_up_company(org):
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, min_group_size=N)
    s, it = org["sales"], org["it"]
    rows = []
    for r in range(1, 9):
        rows += full_survey(r, s, it, 3, expectation=4, outcome=3)
        rows += full_survey(100 + r, it, it, 2, expectation=4)  # IT's staff rating their management
    add_answers(cycle, rows)
    return cycle


def exports(tmp_path, cycle) -> dict[str, bytes]:
    files = {}
    for name, args in {
        "scorecards.csv": ["export_scorecards", cycle.name, "--format", "csv"],
        "links.csv": ["export_links", cycle.name],
        "drivers.csv": ["export_drivers", cycle.name],
    }.items():
        path = tmp_path / name
        call_command(*args, "-o", str(path), stdout=io.StringIO())
        files[name] = path.read_bytes()
    return files


def test_self_views_count_in_no_scorecard_figure_the_exports_are_byte_identical(org, tmp_path):
    cycle = rolled_up_company(org)
    services.rollup_cycle(cycle_id=cycle.id)
    without = exports(tmp_path, cycle)
    seed_self_views(cycle, org["it"], SUPPLIER, 8, 5)
    seed_self_views(cycle, org["it"], MANAGEMENT, 6, 5, first=20_000)
    services.rollup_cycle(cycle_id=cycle.id)
    assert SelfViewResult.objects.filter(cycle=cycle, suppressed=False).exists()
    assert exports(tmp_path, cycle) == without


def test_the_roll_up_stores_the_self_view_and_hides_small_groups(org):
    cycle = rolled_up_company(org)
    seed_self_views(cycle, org["it"], SUPPLIER, N, 5)
    seed_self_views(cycle, org["sales"], SUPPLIER, N - 1, 5, first=30_000)
    services.rollup_cycle(cycle_id=cycle.id)
    it = SelfViewResult.objects.get(cycle=cycle, department=org["it"], scope=SUPPLIER, dimension="ownership")
    assert (it.mean, it.respondents, it.suppressed) == (5, N, False)
    sales = SelfViewResult.objects.get(cycle=cycle, department=org["sales"], scope=SUPPLIER, dimension="ownership")
    assert sales.suppressed and sales.mean is None and sales.respondents is None


# ---- page data ----


def test_the_department_rows_put_self_view_beside_the_customers_view():
    class Row:
        def __init__(self, scope, dimension, mean):
            self.scope, self.dimension, self.mean = scope, dimension, mean

    page = {
        "dimensions": [
            {
                "dimension": "ownership",
                "label": "Ownership",
                "cell": {"mean": 3.0, "hidden": False},
                "management": None,
            },
            {"dimension": "courtesy", "label": "Courtesy", "cell": {"mean": None, "hidden": True}, "management": None},
            {"dimension": "overall", "label": "Overall", "cell": {"mean": 3.0, "hidden": False}, "management": None},
        ]
    }
    rows = blindspots.department_rows([Row(SUPPLIER, "ownership", 4.5), Row(SUPPLIER, "courtesy", 4.0)], page)
    assert rows[SUPPLIER] == [
        {"label": "Ownership", "own": 4.5, "theirs": 3.0, "gap": 1.5},
        {"label": "Courtesy", "own": 4.0, "theirs": None, "gap": None},  # the customers' figure is hidden
    ]
    assert rows[MANAGEMENT] == []


def test_the_management_blind_spot_needs_both_figures_shown():
    class Row:
        scope, dimension, mean = MANAGEMENT, "overall", 4.2

    company = {"mean": 3.4, "hidden": False}
    hidden = {"hidden": True}
    expected = {"managers": 4.2, "staff": 3.4, "departments": None}
    assert blindspots.management_blind_spot([Row()], company, []) == expected
    assert blindspots.management_blind_spot([], company, []) is None
    assert blindspots.management_blind_spot([Row()], hidden, [hidden]) is None


def test_the_staff_side_falls_back_to_the_shown_departments_when_the_company_line_is_hidden():
    class Row:
        scope, dimension, mean = MANAGEMENT, "overall", 4.2

    departments = [{"hidden": False, "mean": 3.0, "ratings": 30}, {"hidden": False, "mean": 4.0, "ratings": 10}]
    spot = blindspots.management_blind_spot([Row()], {"hidden": True}, [*departments, {"hidden": True}, None])
    assert spot == {"managers": 4.2, "staff": pytest.approx(3.25), "departments": 2}


# ---- the pages ----


def test_the_pages_show_the_blind_spots_where_the_group_is_large_enough(client, executive, org):
    cycle = rolled_up_company(org)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED, published_at=cycle.created_at)
    seed_self_views(cycle, org["it"], SUPPLIER, N, 5)
    seed_self_views(cycle, org["it"], MANAGEMENT, N, 4, first=20_000)
    services.rollup_cycle(cycle_id=cycle.id)
    client.force_login(executive.user)
    page = client.get(f"/reports/{cycle.name}/departments/it/").content.decode()
    section = page[page.index('id="blind-spots-title"') :]
    assert "How you see yourselves vs how your customers see you" in section
    assert '<th scope="row">Ownership</th><td class="text-end">5.0</td><td class="text-end">3.0</td>' in section
    dashboard = client.get(f"/reports/{cycle.name}/").content.decode()
    assert "managers think they serve their staff at 4.0; their staff say 2.0." in dashboard


def test_the_pages_show_no_self_view_below_the_minimum(client, executive, org):
    cache.clear()  # the pages' bodies are cached per snapshot; the test before left one of the same ids
    cycle = rolled_up_company(org)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED, published_at=cycle.created_at)
    seed_self_views(cycle, org["it"], SUPPLIER, N - 1, 5)
    seed_self_views(cycle, org["it"], MANAGEMENT, N - 1, 4, first=20_000)
    services.rollup_cycle(cycle_id=cycle.id)
    client.force_login(executive.user)
    page = client.get(f"/reports/{cycle.name}/departments/it/").content.decode()
    assert "nothing to compare this cycle" in page
    assert "managers think they serve" not in client.get(f"/reports/{cycle.name}/").content.decode()
