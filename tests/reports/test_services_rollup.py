"""rollup_cycle against the database: snapshot contents, replacement, atomicity, previous cycle, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors, services
from reports.models import CycleSummary, DepartmentResult, LinkResult, ParticipationResult, RollupRun
from surveys.models import CycleHeadcount, Participation
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db


def group(first, size, rater, provider, score, expectation=None):
    rows = []
    for respondent in range(first, first + size):
        rows += full_survey(respondent, rater, provider, score, expectation=expectation)
    return rows


def overall(cycle, department, scope="supplier"):
    return DepartmentResult.objects.get(cycle=cycle, department=department, scope=scope, dimension="overall")


def test_rollup_writes_scorecards_links_and_summary_and_marks_the_run_done(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=3)
    add_answers(
        cycle, group(1, 3, org["sales"], org["it"], 4, expectation=5) + group(10, 4, org["it"], org["sales"], 2)
    )

    run = services.rollup_cycle(cycle_id=cycle.id)

    run.refresh_from_db()
    assert run.state == RollupRun.State.DONE and run.answers_count == 3 * 7 + 4 * 6 and run.finished_at
    it = overall(cycle, org["it"])
    assert (it.respondents, it.ratings, it.mean, it.expectation_mean, it.gap) == (3, 18, 4.0, 5.0, -1.0)
    assert (it.rank, it.suppressed) == (1, False)
    assert overall(cycle, org["sales"]).rank == 2
    assert DepartmentResult.objects.filter(cycle=cycle).count() == 2 * 7
    assert LinkResult.objects.filter(cycle=cycle).count() == 2 * 7
    summary = CycleSummary.objects.get(cycle=cycle)
    assert summary.answers_count == run.answers_count and summary.run == run
    assert summary.weakest_department == org["sales"] and summary.chain_strength == 2.0
    assert summary.company_mean == pytest.approx((18 * 4 + 24 * 2) / 42)
    weakest = selectors.weakest(cycle=cycle)
    assert weakest["department"]["department"] == org["sales"]
    assert (weakest["link"]["rater"], weakest["link"]["provider"]) == (org["it"], org["sales"])


def test_suppressed_rows_store_no_figures_of_the_small_group(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=5)
    add_answers(cycle, group(1, 4, org["sales"], org["it"], 1, expectation=5))

    services.rollup_cycle(cycle_id=cycle.id)

    stored = list(DepartmentResult.objects.filter(cycle=cycle).values()) + list(
        LinkResult.objects.filter(cycle=cycle).values()
    )
    assert len(stored) == 14
    for row in stored:
        assert row["suppressed"] is True
        figures = {key: value for key, value in row.items() if key not in {"id", "suppressed", "dimension", "scope"}}
        assert all(value is None for key, value in figures.items() if not key.endswith("_id")), row
    assert CycleSummary.objects.get(cycle=cycle).weakest_department is None


def test_rerun_replaces_the_snapshot_and_drops_rows_that_no_longer_apply(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    add_answers(cycle, group(1, 2, org["sales"], org["it"], 4) + group(5, 2, org["it"], org["sales"], 3))
    services.rollup_cycle(cycle_id=cycle.id)
    first = list(DepartmentResult.objects.filter(cycle=cycle).values_list("department", "dimension", "mean"))

    services.rollup_cycle(cycle_id=cycle.id)
    assert sorted(
        DepartmentResult.objects.filter(cycle=cycle).values_list("department", "dimension", "mean")
    ) == sorted(first)
    assert CycleSummary.objects.filter(cycle=cycle).count() == 1

    cycle.answers.filter(provider_department=org["sales"]).delete()
    services.rollup_cycle(cycle_id=cycle.id)
    assert set(DepartmentResult.objects.filter(cycle=cycle).values_list("department", flat=True)) == {org["it"].id}
    assert not LinkResult.objects.filter(cycle=cycle, provider_department=org["sales"]).exists()


def test_failed_rollup_leaves_the_previous_snapshot_whole_and_the_run_started(org, monkeypatch):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    add_answers(cycle, group(1, 2, org["sales"], org["it"], 4))
    services.rollup_cycle(cycle_id=cycle.id)
    add_answers(cycle, group(10, 2, org["sales"], org["it"], 1))
    calls = []

    def failing_insert(model, frame):
        calls.append(model)
        if model is LinkResult:
            raise RuntimeError("disk full")
        return original(model, frame)

    original = services._insert
    monkeypatch.setattr(services, "_insert", failing_insert)
    run = RollupRun.objects.create(cycle=cycle)
    with pytest.raises(RuntimeError):
        services.rollup_cycle(cycle_id=cycle.id, run_id=run.id)

    assert calls  # the new department rows were written before the failure, then rolled back
    assert overall(cycle, org["it"]).mean == 4.0
    assert LinkResult.objects.filter(cycle=cycle).count() == 7
    run.refresh_from_db()
    assert run.state == RollupRun.State.STARTED


def test_delta_compares_with_the_latest_earlier_cycle_that_holds_answers(org):
    older = CycleFactory(name="2025-Q4", min_group_size=2)
    previous = CycleFactory(name="2026-Q1", min_group_size=2)
    CycleFactory(name="2026-Q2", min_group_size=2)  # no answers: skipped
    current = CycleFactory(name="2026-Q3", min_group_size=2)
    later = CycleFactory(name="2026-Q4", min_group_size=2)
    add_answers(older, group(1, 2, org["sales"], org["it"], 1))
    add_answers(
        previous, group(1, 2, org["sales"], org["it"], 3) + group(3, 1, org["sales"], org["executive_office"], 5)
    )
    add_answers(later, group(1, 2, org["sales"], org["it"], 5))
    add_answers(
        current, group(1, 2, org["sales"], org["it"], 4) + group(3, 2, org["sales"], org["executive_office"], 4)
    )

    services.rollup_cycle(cycle_id=current.id)

    assert services.previous_cycle(cycle=current) == previous
    assert CycleSummary.objects.get(cycle=current).previous_cycle == previous
    assert overall(current, org["it"]).delta == pytest.approx(1.0)
    # The Executive Office was a group of one in 2026-Q1 (below that cycle's minimum): no delta.
    assert overall(current, org["executive_office"]).delta is None
    assert overall(current, org["executive_office"]).delta_significant is None


def test_first_cycle_has_no_deltas(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    add_answers(cycle, group(1, 3, org["sales"], org["it"], 4))
    services.rollup_cycle(cycle_id=cycle.id)
    assert not DepartmentResult.objects.filter(cycle=cycle, delta__isnull=False).exists()
    assert CycleSummary.objects.get(cycle=cycle).previous_cycle is None


def test_response_rate_is_participants_over_headcount_per_department_and_overall(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    for _ in range(3):
        Participation.objects.create(
            employee=EmployeeFactory(department=org["sales"]), cycle=cycle, department=org["sales"]
        )
    Participation.objects.create(employee=EmployeeFactory(department=org["it"]), cycle=cycle, department=org["it"])
    CycleHeadcount.objects.create(cycle=cycle, department=org["sales"], eligible=4)
    CycleHeadcount.objects.create(cycle=cycle, department=org["it"], eligible=4)
    add_answers(cycle, group(1, 3, org["sales"], org["it"], 4))

    services.rollup_cycle(cycle_id=cycle.id)

    rates = {row.department: row.response_rate for row in selectors.response_rates(cycle=cycle)}
    assert rates == {org["it"]: 0.25, org["sales"]: 0.75}
    summary = CycleSummary.objects.get(cycle=cycle)
    assert (summary.participants, summary.eligible, summary.response_rate) == (4, 8, 0.5)


def test_historical_cycle_without_headcount_has_an_unknown_response_rate(org):
    cycle = CycleFactory(name="2024-Q1", min_group_size=1, is_historical=True)
    add_answers(cycle, group(1, 3, org["sales"], org["it"], 4))
    services.rollup_cycle(cycle_id=cycle.id)
    summary = CycleSummary.objects.get(cycle=cycle)
    assert summary.response_rate is None and summary.eligible is None
    assert not ParticipationResult.objects.filter(cycle=cycle).exists()


def _rollup_queries(cycle) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.rollup_cycle(cycle_id=cycle.id)
    return len(queries)


def test_queries_do_not_grow_with_departments_or_links(org):
    # 2 cycles × (3 departments, 4 links) against 2 cycles × (14 departments, ~150 links).
    small_previous, small = CycleFactory(name="2025-Q1"), CycleFactory(name="2025-Q2")
    for cycle in (small_previous, small):
        add_answers(cycle, group(1, 2, org["sales"], org["it"], 4) + group(3, 2, org["it"], org["executive_office"], 3))
        add_answers(cycle, group(5, 1, org["sales"], org["sales"], 4) + group(6, 1, org["it"], org["it"], 2))
    departments = [DepartmentFactory() for _ in range(12)] + [org["sales"], org["it"]]
    big_previous, big = CycleFactory(name="2026-Q1"), CycleFactory(name="2026-Q2")
    for cycle in (big_previous, big):
        rows = []
        for i, rater in enumerate(departments):
            for j, provider in enumerate(departments):
                if (i + j) % 4 != 3:
                    rows += full_survey(100 * i + j, rater, provider, (i + j) % 5 + 1, expectation=3)
        add_answers(cycle, rows)

    assert _rollup_queries(small) == _rollup_queries(big)
    assert LinkResult.objects.filter(cycle=big).count() > 100 * 7
