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
