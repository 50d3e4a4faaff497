"""rollup_cycle against the database: snapshot contents, replacement, atomicity, previous cycle, query count."""

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors, services
from reports.models import (
    CompanyResult,
    CycleSummary,
    DepartmentResult,
    LinkResult,
    ParticipationResult,
    RollupRun,
)
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Cycle, CycleHeadcount, Participation
from surveys.selectors import previous_cycle
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db
WILL, OWN, RESP, REL, COUR, COMM = SERVICE_DIMENSIONS


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

    assert previous_cycle(cycle=current) == previous
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


def _two_quarters(departments, previous_name, name, *, skip):
    previous = CycleFactory(name=previous_name, status=Cycle.Status.CLOSED)
    cycle = CycleFactory(name=name, status=Cycle.Status.CLOSED)
    for each in (previous, cycle):
        rows = []
        for i, rater in enumerate(departments):
            for j, provider in enumerate(departments):
                if (i + j) % 4 != skip:
                    rows += full_survey(100 * i + j, rater, provider, (i + j) % 5 + 1, expectation=3)
        add_answers(each, rows)
    return previous, cycle


# The roll-up's queries, in order, with the previous quarter's snapshot current:
#   INSERT the run, UPDATE it to started, SAVEPOINT (BEGIN outside tests), SELECT the cycle FOR
#   UPDATE, SELECT the dimensions, SELECT the previous cycle, [PostgreSQL: SELECT set_config (work_mem,
#   synchronous_commit, jit)], SELECT the answer sets (the one scan), SELECT the previous snapshot's
#   rows (with its currency check), SELECT participants, SELECT headcounts, DELETE the department,
#   link, company and participation rows, SELECT + DELETE the summary (it has delete receivers),
#   COPY/INSERT the department, link and company rows, INSERT the summary, UPDATE the run to done,
#   RELEASE SAVEPOINT (COMMIT). Participation rows add one more write when there are any.
#   The drivers (reports.drivers, from the same answer sets) add four: DELETE the driver rows and
#   the driver summary, COPY/INSERT the driver rows, INSERT the driver summary.
#   The self-view figures (reports.selfview) add two: DELETE their rows, SELECT the self-view
#   answers (and one INSERT when there are any; there are none here).
# Without a current snapshot of the previous quarter, its answer sets are read instead of its
# snapshot rows: the same number of queries.
_QUERIES = 28


def test_queries_are_fixed_and_grow_with_neither_departments_nor_links(org):
    departments = [DepartmentFactory() for _ in range(12)] + [org["sales"], org["it"]]
    small_previous, small = _two_quarters([org["sales"], org["it"]], "2025-Q1", "2025-Q2", skip=3)
    big_previous, big = _two_quarters(departments, "2026-Q1", "2026-Q2", skip=3)
    postgres = connection.vendor == "postgresql"

    # Previous quarters never rolled up: recomputed from their answers.
    assert _rollup_queries(small) == _rollup_queries(big) == _QUERIES + postgres
    services.rollup_cycle(cycle_id=small_previous.id)
    services.rollup_cycle(cycle_id=big_previous.id)
    assert _rollup_queries(small) == _rollup_queries(big) == _QUERIES + postgres
    assert LinkResult.objects.filter(cycle=big).count() > 100 * 7


def _figures(cycle) -> list:
    """Every stored row of a cycle's snapshot, figures included, in a fixed order."""
    rows = []
    for model, keys in (
        (DepartmentResult, ["department", "scope", "dimension"]),
        (LinkResult, ["rater_department", "provider_department", "dimension"]),
        (CompanyResult, ["scope", "dimension"]),
    ):
        rows += list(model.objects.filter(cycle=cycle).order_by(*keys).values_list(*keys, *_FIELDS))
    return rows


_FIELDS = ["suppressed", "respondents", "ratings", "mean", "variance", "delta", "delta_p_value", "delta_significant"]


def varied(first, size, rater, provider, shift):
    """`size` respondents whose scores differ by person and dimension (so that variances are not 0)."""
    rows = []
    for respondent in range(first, first + size):
        rows += full_survey(respondent, rater, provider, [(respondent + k + shift) % 5 + 1 for k in range(6)], 3)
    return rows


def _quarters_with_small_groups(org):
    """Two closed quarters whose roll-ups hide rows for their size and by the differencing rule."""
    hr = DepartmentFactory(name="HR")
    previous = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED, min_group_size=3)
    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.CLOSED, min_group_size=3)
    add_answers(
        previous,
        varied(1, 4, org["sales"], org["it"], 0)
        + varied(10, 2, hr, org["it"], 1)
        + varied(20, 3, org["it"], org["sales"], 2)
        + varied(30, 3, org["sales"], org["sales"], 3)
        + [(40, hr, org["sales"], "willingness", 1), (41, hr, org["sales"], "courtesy", 5)],
    )
    add_answers(
        cycle,
        varied(1, 5, org["sales"], org["it"], 1)
        + varied(10, 3, hr, org["it"], 4)
        + varied(20, 3, org["it"], org["sales"], 0)
        + varied(30, 3, org["sales"], org["sales"], 2)
        + [(40, hr, org["sales"], "willingness", 2)],
    )
    return previous, cycle


def test_deltas_read_from_the_previous_snapshot_equal_deltas_recomputed_from_its_answers(org, monkeypatch):
    previous, cycle = _quarters_with_small_groups(org)
    services.rollup_cycle(cycle_id=previous.id)
    recomputed = []
    monkeypatch.setattr(services, "_recomputed_rollup", _spy(services._recomputed_rollup, recomputed))

    services.rollup_cycle(cycle_id=cycle.id)
    from_snapshot = _figures(cycle)
    assert recomputed == []  # the previous quarter's snapshot was read, not its answers

    monkeypatch.setattr(services, "_read_stored_rollup", lambda previous: [])
    services.rollup_cycle(cycle_id=cycle.id)
    assert recomputed == [previous.id]
    assert _figures(cycle) == from_snapshot
    # The data exercises what deltas depend on: rows hidden on either side (for their size and by
    # the differencing rule), deltas shown, and their significance tests.
    for each in (previous, cycle):
        assert LinkResult.objects.filter(cycle=each, suppressed=True, ratings__isnull=True).exists()
        assert DepartmentResult.objects.filter(cycle=each, suppressed=True).exists()
    assert LinkResult.objects.filter(cycle=cycle, delta__isnull=False, delta_p_value__gt=0).count() > 3


def test_a_previous_quarter_recomputed_from_its_answers_shows_and_hides_what_its_own_roll_up_did(org, monkeypatch):
    # Ten people in two departments rating each other, most on some dimensions only (minimum 5):
    # the company's supplier line pools 10 distinct raters. Counting them as the larger department's
    # 5 (a lower bound) would hide the company's overall line and more, which this quarter's own
    # roll-up showed; deltas must compare with what it showed.
    sales, it = org["sales"], org["it"]
    dimensions = {
        (2, sales, it): [COUR, OWN, RESP],
        (3, sales, it): [COMM, OWN, REL],
        (6, sales, it): [OWN],
        (7, sales, it): [COMM, COUR, OWN, RESP, WILL],
        (9, sales, it): list(SERVICE_DIMENSIONS),
        (1, it, sales): list(SERVICE_DIMENSIONS),
        (4, it, sales): [COUR, OWN, REL],
        (5, it, sales): [COMM, COUR, OWN, REL, WILL],
        (8, it, sales): [OWN],
        (10, it, sales): [COUR, OWN, RESP],
    }
    previous = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED, min_group_size=5)
    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.CLOSED, min_group_size=5)
    add_answers(
        previous,
        [(r, rater, provider, d, (r + len(d)) % 5 + 1) for (r, rater, provider), ds in dimensions.items() for d in ds],
    )
    add_answers(cycle, varied(1, 5, sales, it, 0) + varied(10, 5, it, sales, 2))
    services.rollup_cycle(cycle_id=previous.id)
    company = CompanyResult.objects.get(cycle=previous, scope="supplier", dimension="overall")
    assert not company.suppressed  # a company line pools the shown departments: never hidden for its size

    services.rollup_cycle(cycle_id=cycle.id)
    from_snapshot = _figures(cycle)
    monkeypatch.setattr(services, "_read_stored_rollup", lambda previous: [])
    services.rollup_cycle(cycle_id=cycle.id)
    assert _figures(cycle) == from_snapshot
    assert CompanyResult.objects.get(cycle=cycle, scope="supplier", dimension="overall").delta is not None


def _spy(function, calls: list):
    def spy(previous, *args, **kwargs):
        calls.append(previous.id)
        return function(previous, *args, **kwargs)

    return spy


def _it_overall(cycle):
    return DepartmentResult.objects.get(cycle=cycle, department__name="IT", scope="supplier", dimension="overall")


@pytest.mark.parametrize("change", ["answers replaced, roll-up pending", "minimum group size raised", "cycle reopened"])
def test_a_previous_snapshot_that_is_not_current_is_recomputed_from_the_answers(org, change):
    previous = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED, min_group_size=2)
    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.CLOSED, min_group_size=2)
    add_answers(previous, group(1, 3, org["sales"], org["it"], 3))
    add_answers(cycle, group(1, 3, org["sales"], org["it"], 4))
    services.rollup_cycle(cycle_id=previous.id)
    if change == "answers replaced, roll-up pending":
        previous.answers.all().delete()
        add_answers(previous, group(1, 3, org["sales"], org["it"], 2))
        RollupRun.objects.create(cycle=previous)  # what an import requests; its worker has not run yet
        expected = 4.0 - 2.0
    elif change == "minimum group size raised":
        Cycle.objects.filter(pk=previous.pk).update(min_group_size=4)  # 3 raters: hidden now
        expected = None
    else:
        Cycle.objects.filter(pk=previous.pk).update(status=Cycle.Status.OPEN)
        add_answers(previous, group(50, 3, org["sales"], org["it"], 4))  # answers arriving
        # An open cycle is never anyone's previous cycle (its means are interim), and there is no
        # earlier one: no delta, neither against its stale snapshot nor against its answers so far.
        expected = None

    services.rollup_cycle(cycle_id=cycle.id)

    delta = _it_overall(cycle).delta
    assert delta == (None if expected is None else pytest.approx(expected))
    assert _it_overall(previous).mean == 3.0  # the stale snapshot itself is untouched


def test_the_snapshot_keeps_the_variance_of_shown_rows_only(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=3)
    add_answers(cycle, group(1, 3, org["sales"], org["it"], 4) + group(10, 2, org["it"], org["sales"], 2))
    add_answers(cycle, [(1, org["sales"], org["executive_office"], "willingness", 1)])
    add_answers(cycle, [(2, org["sales"], org["executive_office"], "willingness", 5)])
    add_answers(cycle, [(3, org["sales"], org["executive_office"], "willingness", 3)])
    services.rollup_cycle(cycle_id=cycle.id)
    executive = DepartmentResult.objects.get(
        cycle=cycle, department=org["executive_office"], scope="supplier", dimension="willingness"
    )
    assert executive.variance == pytest.approx(4.0) and not executive.suppressed
    for row in DepartmentResult.objects.filter(cycle=cycle, suppressed=True):
        assert row.variance is None
    assert CycleSummary.objects.get(cycle=cycle).min_group_size == 3


def test_the_previous_snapshot_is_not_read_once_a_later_roll_up_of_that_quarter_was_requested(org, monkeypatch):
    previous, cycle = _quarters_with_small_groups(org)
    services.rollup_cycle(cycle_id=previous.id)
    RollupRun.objects.create(cycle=previous)  # e.g. its answers re-imported: the snapshot is outdated
    recomputed = []
    monkeypatch.setattr(services, "_recomputed_rollup", _spy(services._recomputed_rollup, recomputed))

    services.rollup_cycle(cycle_id=cycle.id)

    assert recomputed == [previous.id]


def test_the_answer_sets_read_by_binary_copy_are_the_rows_of_the_plain_query(org):
    """On PostgreSQL the one scan arrives as a binary COPY decoded by numpy; the same query fetched
    row by row gives the same sets (large respondent keys and packed scores included)."""
    from surveys.dimensions import ALL_DIMENSIONS
    from surveys.models import Answer, Dimension
    from tests.machine_services import require_postgresql

    require_postgresql()
    cycle = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED)
    rows = full_survey(2**62 - 7, org["sales"], org["it"], [5, 4, 3, 2, 1, 5], expectation=4, outcome=2)
    rows += [*full_survey(-(2**61), org["it"], org["sales"], 1), (3, org["it"], org["sales"], "outcome", 5)]
    add_answers(cycle, rows)
    positions = {pk: ALL_DIMENSIONS.index(slug) for pk, slug in Dimension.objects.values_list("id", "slug")}
    packed = " ".join(f"WHEN {pk} THEN score * {8**k}" for pk, k in positions.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rater_department_id, provider_department_id, respondent, SUM(CASE dimension_id {packed} END)"
            f" FROM {Answer._meta.db_table} WHERE cycle_id = %s GROUP BY 1, 2, 3",
            [cycle.id],
        )
        expected = sorted(tuple(int(v) for v in row) for row in cursor.fetchall())
    got = services._read_answer_sets(cycle.id, positions)
    assert got.dtype == "int64" and got.shape == (3, 4)
    assert sorted(map(tuple, got.tolist())) == expected


def test_a_copy_stream_that_is_not_fixed_width_int8_rows_is_refused():
    header = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
    row = (2).to_bytes(2, "big") + ((8).to_bytes(4, "big") + (7).to_bytes(8, "big")) * 2
    trailer = (-1).to_bytes(2, "big", signed=True)
    assert services._binary_copy_int8_rows(header + row + trailer, columns=2).tolist() == [[7, 7]]
    assert services._binary_copy_int8_rows(header + trailer, columns=2).shape == (0, 2)
    null = (
        (2).to_bytes(2, "big") + (8).to_bytes(4, "big") + (7).to_bytes(8, "big") + (-1).to_bytes(4, "big", signed=True)
    )
    with pytest.raises(ValueError, match="a null"):
        services._binary_copy_int8_rows(header + null + bytes(8) + trailer, columns=2)
    with pytest.raises(ValueError, match="not fixed-width"):
        services._binary_copy_int8_rows(header + row[:-1] + trailer, columns=2)


def test_snapshot_rows_written_a_piece_at_a_time_are_the_rows_written_at_once(org, monkeypatch):
    cycle = CycleFactory(name="2026-Q3", min_group_size=3)
    add_answers(
        cycle, group(1, 3, org["sales"], org["it"], 4, expectation=5) + group(10, 4, org["it"], org["sales"], 2)
    )

    def snapshot():
        return {
            model: sorted(model.objects.filter(cycle=cycle).values_list(*fields))
            for model, fields in (
                (LinkResult, ("rater_department", "provider_department", "dimension", "mean", "suppressed")),
                (DepartmentResult, ("department", "scope", "dimension", "mean", "rank", "ci_low")),
            )
        }

    services.rollup_cycle(cycle_id=cycle.id)
    whole = snapshot()
    monkeypatch.setattr(services, "INSERT_PIECE_ROWS", 3)  # 14 link rows: five pieces, the last of two
    services.rollup_cycle(cycle_id=cycle.id)
    assert snapshot() == whole and len(whole[LinkResult]) == 14


def test_drivers_that_fail_in_their_thread_fail_the_rollup_and_leave_the_previous_snapshot_whole(org, monkeypatch):
    """The drivers are computed in a thread while the scorecards are written: their error is the
    roll-up's, raised in the caller's thread, and the scorecards already written are rolled back."""
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    add_answers(cycle, group(1, 2, org["sales"], org["it"], 4))
    services.rollup_cycle(cycle_id=cycle.id)
    add_answers(cycle, group(10, 2, org["sales"], org["it"], 1))
    threads = []

    def failing_drivers(*args):
        threads.append(threading.current_thread())
        raise ArithmeticError("drivers broke")

    monkeypatch.setattr(services, "driver_rows", failing_drivers)
    with pytest.raises(ArithmeticError, match="drivers broke"):
        services.rollup_cycle(cycle_id=cycle.id)

    assert threads and threads[0] is not threading.main_thread()
    assert overall(cycle, org["it"]).mean == 4.0
    assert LinkResult.objects.filter(cycle=cycle).count() == 7


def test_a_failed_write_waits_for_the_drivers_thread_and_raises_its_own_error(org, monkeypatch):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    add_answers(cycle, group(1, 2, org["sales"], org["it"], 4))
    finished = threading.Event()
    original_insert = services._insert

    def slow_failing_drivers(*args):
        time.sleep(0.2)
        finished.set()
        raise ArithmeticError("not this one")

    def failing_insert(model, columns):
        if model is LinkResult:
            raise RuntimeError("disk full")
        return original_insert(model, columns)

    monkeypatch.setattr(services, "driver_rows", slow_failing_drivers)
    monkeypatch.setattr(services, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        services.rollup_cycle(cycle_id=cycle.id)
    assert finished.is_set()  # not left running after the roll-up's transaction ended
    assert not LinkResult.objects.filter(cycle=cycle).exists()
