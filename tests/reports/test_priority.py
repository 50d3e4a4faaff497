"""reports.priority: the priority matrix of a department page (importance against score), and
the department page showing it, or saying that the cycle had no outcome question."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from reports import priority, services
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Cycle
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers
from tests.reports.test_drivers_export import driven

LABELS = {slug: slug.title() for slug in SERVICE_DIMENSIONS}


def rows(tier, values, *, field="importance_pct", observations=150):
    made = []
    for slug, value in zip(SERVICE_DIMENSIONS, values, strict=True):
        row = SimpleNamespace(
            dimension=slug,
            tier=tier,
            observations=observations,
            correlation=None,
            importance_pct=None,
            importance_low=None,
            importance_high=None,
        )
        setattr(row, field, value)
        if field == "importance_pct" and value is not None:
            row.importance_low, row.importance_high = value - 5, value + 5
        made.append(row)
    return made


SCORES = dict(zip(SERVICE_DIMENSIONS, [3.8, 2.6, 2.7, 3.9, 4.1, 3.5], strict=True))


def test_important_and_weak_is_fix_first_important_and_strong_is_keep():
    matrix = priority.priority_matrix(
        rows=rows("weights", [5, 40, 30, 15, 5, 5]), company_rows=[], scores=SCORES, overall=3.4, labels=LABELS
    )
    quadrants = {p["dimension"]: p["quadrant"] for p in matrix["points"]}
    assert quadrants == {
        "willingness": "maintain",
        "ownership": "fix first",
        "responsiveness": "fix first",
        "reliability": "maintain",
        "courtesy": "maintain",
        "communication": "maintain",
    }
    assert matrix["fix_first"] == ["Ownership", "Responsiveness"] and matrix["percent"]
    error = matrix["figure"]["data"][0]["error_y"]
    assert error["array"] == [5] * 6 and error["arrayminus"] == [5] * 6
    assert "150 observations" in matrix["tier_words"]
    strong = priority.priority_matrix(
        rows=rows("weights", [5, 40, 30, 15, 5, 5]), company_rows=[], scores=SCORES, overall=2.5, labels=LABELS
    )
    assert {p["quadrant"] for p in strong["points"] if p["dimension"] in ("ownership", "responsiveness")} == {"keep"}


def test_correlations_tier_uses_correlations_without_intervals():
    matrix = priority.priority_matrix(
        rows=rows("correlations", [0.1, 0.6, 0.5, 0.2, 0.1, 0.1], field="correlation", observations=60),
        company_rows=[],
        scores=SCORES,
        overall=3.4,
        labels=LABELS,
    )
    assert not matrix["percent"] and "error_y" not in matrix["figure"]["data"][0]
    assert matrix["fix_first"] == ["Ownership", "Responsiveness"] and "correlations only" in matrix["tier_words"]


def test_too_few_observations_follow_the_company_and_nothing_without_it():
    company = rows("weights", [5, 40, 30, 15, 5, 5], observations=900)
    own = rows("company", [None] * 6, observations=12)
    matrix = priority.priority_matrix(rows=own, company_rows=company, scores=SCORES, overall=3.4, labels=LABELS)
    assert "company's pattern" in matrix["tier_words"] and matrix["fix_first"] == ["Ownership", "Responsiveness"]
    nothing = rows("company", [None] * 6, observations=20)
    assert priority.priority_matrix(rows=own, company_rows=nothing, scores=SCORES, overall=3.4, labels=LABELS) is None
    hidden = dict.fromkeys(SERVICE_DIMENSIONS)
    assert priority.priority_matrix(rows=company, company_rows=[], scores=hidden, overall=None, labels=LABELS) is None


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", [True, False])
def test_the_department_page_shows_the_matrix_or_says_there_was_no_outcome_question(client, executive, org, outcome):
    cache.clear()  # page bodies are cached by snapshot ids, which a rolled-back test may hand out again
    hr = DepartmentFactory(name="Facilities")
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED)
    add_answers(
        cycle,
        driven(1, 70, org["sales"], org["it"], seed=1, outcome=outcome)
        + driven(1000, 60, hr, org["it"], seed=2, outcome=outcome),
    )
    services.rollup_cycle(cycle_id=cycle.id)
    client.force_login(executive.user)
    body = client.get("/reports/2026-Q3/departments/it/").content.decode()
    section = body[body.index('id="priority-title"') : body.index('id="raters-title"')]
    if outcome:
        assert 'data-figure="fig-dept-priority"' in section and "130 observations" in section
        assert "Ownership" in section and "95 % interval" in section
    else:
        assert "No outcome question in this cycle" in section and "fig-dept-priority" not in section


def test_the_matrix_names_each_point_clear_of_the_others_on_a_phone():
    from reports.charts import label_positions
    from reports.priority import PLOT_NARROW, _figure

    # The demo's Facilities: "Willingness to help" and "Reliability" close together.
    points = [
        {"label": label, "importance": y, "score": x, "low": None, "high": None, "quadrant": q}
        for label, x, y, q in [
            ("Willingness to help", 2.49, 0.16, "maintain"),
            ("Ownership", 1.88, 0.54, "fix first"),
            ("Responsiveness", 2.06, 0.41, "fix first"),
            ("Reliability", 2.58, 0.18, "maintain"),
            ("Courtesy", 2.46, 0.11, "maintain"),
            ("Communication", 2.67, 0.08, "maintain"),
        ]
    ]
    figure = _figure(points, threshold=0.25, overall=2.36, percent=False)
    narrow = figure["narrow"][0]["set"]
    x_range, y_range = figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]
    names = [p["label"] for p in points]
    places = label_positions(
        [p["score"] for p in points],
        [p["importance"] for p in points],
        names,
        x_range=x_range,
        y_range=y_range,
        size=PLOT_NARROW,
    )
    # Every name kept on the phone found a free place; a name without one is left out, not overlapped.
    kept = [bool(t) for t in narrow["text"]]
    assert kept == [clear for _place, clear in places]
    assert narrow["textposition"] == [place for place, _clear in places]
    assert sum(1 for t in narrow["text"] if t) >= 4
    assert len(set(figure["data"][0]["textposition"])) > 1  # placed, not all "top center"
