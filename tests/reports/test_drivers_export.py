"""`export_drivers` against the contract: the roll-up stores the drivers (rounded) and the command
writes exactly the contract's columns and rows; outcome answers count in no scorecard figure."""

import csv
import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from reports import drivers, services
from reports.models import CompanyResult, DepartmentResult, DriverResult, DriverSummary, LinkResult
from surveys.dimensions import OUTCOME, SERVICE_DIMENSIONS
from surveys.models import Answer, Cycle
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db

CONTRACT_COLUMNS = (
    "cycle,department,scope,dimension,observations,tier,correlation,importance_pct,importance_low,importance_high,r2"
)


def driven(first, count, rater, provider, *, seed, outcome=True):
    """`count` respondents rating provider on all six dimensions, their outcome following ownership
    and responsiveness."""
    rng = np.random.default_rng(seed)
    rows = []
    for respondent in range(first, first + count):
        scores = rng.integers(1, 6, size=6).tolist()
        verdict = int(np.clip(round(0.6 * scores[1] + 0.4 * scores[2] + rng.normal(0, 0.6)), 1, 5))
        rows += full_survey(respondent, rater, provider, scores, expectation=3, outcome=verdict if outcome else None)
    return rows


@pytest.fixture
def company(org):
    return {**org, "hr": DepartmentFactory(name="=HR")}


def rolled_up(company, *, outcome=True):
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, min_group_size=5)
    s, it, eo, hr = company["sales"], company["it"], company["executive_office"], company["hr"]
    rows = (
        driven(1, 70, s, it, seed=1, outcome=outcome)
        + driven(1000, 60, hr, it, seed=2, outcome=outcome)  # IT: 130 observations, weights
        + driven(2000, 40, s, eo, seed=3, outcome=outcome)  # Executive Office: 40, correlations
        + driven(3000, 12, it, hr, seed=4, outcome=outcome)  # HR: 12, the company's pattern
        + driven(4000, 3, eo, s, seed=5, outcome=outcome)  # Sales: 3 raters, below the minimum
        + driven(5000, 45, s, s, seed=6, outcome=outcome)  # Sales' own management
    )
    add_answers(cycle, rows)
    services.rollup_cycle(cycle_id=cycle.id)
    return cycle


def export(tmp_path, name="2026-Q3") -> list[dict]:
    path = tmp_path / "drivers.csv"
    out = io.StringIO()
    call_command("export_drivers", name, "-o", str(path), stdout=out)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == CONTRACT_COLUMNS
    assert "Wrote" in out.getvalue() and "nan" not in text.lower()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_drivers_writes_the_contracts_columns_and_rows(company, tmp_path):
    rolled_up(company)
    rows = export(tmp_path)
    groups = [(r["department"], r["scope"]) for r in rows[::6]]
    # Every department rated in the supplier scope, by name; then the company in each scope.
    assert groups == [
        ("'=HR", "supplier"),
        ("Executive Office", "supplier"),
        ("IT", "supplier"),
        ("Sales", "supplier"),
        ("", "supplier"),
        ("", "management"),
    ]
    assert len(rows) == 6 * len(groups)
    assert all([r["dimension"] for r in rows[i : i + 6]] == list(SERVICE_DIMENSIONS) for i in range(0, len(rows), 6))
    by = {(r["department"], r["scope"], r["dimension"]): r for r in rows}

    it = by["IT", "supplier", "ownership"]
    assert (it["observations"], it["tier"]) == ("130", "weights")
    group = [by["IT", "supplier", d] for d in SERVICE_DIMENSIONS]
    assert sum(float(r["importance_pct"]) for r in group) == pytest.approx(100, abs=0.35)
    assert {r["r2"] for r in group} == {it["r2"]} and len(it["r2"].split(".")[1]) == 2
    assert all(len(r["correlation"].split(".")[1]) == 2 for r in group)
    assert all(float(r["importance_low"]) <= float(r["importance_pct"]) <= float(r["importance_high"]) for r in group)
    importance = {r["dimension"]: float(r["importance_pct"]) for r in group}
    assert max(importance, key=importance.get) == "ownership"

    eo = by["Executive Office", "supplier", "ownership"]
    assert (eo["observations"], eo["tier"]) == ("40", "correlations") and eo["correlation"]
    assert eo["importance_pct"] == eo["importance_low"] == eo["importance_high"] == eo["r2"] == ""
    sales = by["Sales", "supplier", "ownership"]  # 3 raters: nothing of them, not even their count
    assert (sales["observations"], sales["tier"], sales["correlation"]) == ("", "company", "")
    # ... nor the company's count minus the others': the smallest shown count (HR's 12) is left out too.
    hr = by["'=HR", "supplier", "ownership"]
    assert (hr["observations"], hr["tier"]) == ("", "company")
    assert hr["correlation"] == hr["importance_pct"] == hr["r2"] == ""
    company_row = by["", "supplier", "ownership"]
    assert (company_row["observations"], company_row["tier"]) == (str(70 + 60 + 40 + 12 + 3), "weights")
    management = by["", "management", "ownership"]
    assert (management["observations"], management["tier"]) == ("45", "correlations")


def test_the_roll_up_stores_the_figures_reports_drivers_computes_rounded(company):
    cycle = rolled_up(company)
    stored = DriverResult.objects.filter(cycle=cycle, department=company["it"], scope="supplier")
    for row in stored:
        for name, decimals in (("correlation", 2), ("importance_pct", 1), ("importance_low", 1), ("r2", 2)):
            value = getattr(row, name)
            assert value == round(value, decimals)
    assert DriverSummary.objects.get(cycle=cycle).outcome_answers
    # Rolling up again gives the same rows, intervals included.
    before = sorted(DriverResult.objects.filter(cycle=cycle).values_list(*_FIELDS), key=repr)
    services.rollup_cycle(cycle_id=cycle.id)
    assert sorted(DriverResult.objects.filter(cycle=cycle).values_list(*_FIELDS), key=repr) == before


_FIELDS = (
    "department",
    "scope",
    "dimension",
    "observations",
    "tier",
    "correlation",
    "importance_low",
    "importance_high",
)


def _scorecard(cycle) -> list:
    rows = []
    for model in (DepartmentResult, LinkResult, CompanyResult):
        values = model.objects.filter(cycle=cycle).values()
        rows += sorted((tuple(v for k, v in row.items() if k not in ("id", "cycle_id")) for row in values), key=repr)
    return rows


def test_outcome_answers_change_no_scorecard_figure(company):
    with_outcome = _scorecard(rolled_up(company, outcome=True))
    Answer.objects.all().delete()
    Cycle.objects.all().delete()
    without = rolled_up(company, outcome=False)
    assert _scorecard(without) == with_outcome
    assert not DriverSummary.objects.get(cycle=without).outcome_answers
    assert set(DriverResult.objects.filter(cycle=without).values_list("tier", flat=True)) == {drivers.COMPANY}


def test_export_drivers_refuses_a_cycle_before_its_roll_up(company, tmp_path):
    CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED)
    with pytest.raises(CommandError, match="rollup 2026-Q3"):
        call_command("export_drivers", "2026-Q3", "-o", str(tmp_path / "d.csv"))
    assert list(tmp_path.iterdir()) == []


def test_an_outcome_answer_is_stored_under_its_own_dimension(company):
    cycle = rolled_up(company)
    assert cycle.answers.filter(dimension__slug=OUTCOME).count() == 70 + 60 + 40 + 12 + 3 + 45
