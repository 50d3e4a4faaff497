"""surveys.services.answers.answers_import: validated answers into a closed historical cycle."""

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from surveys import bulk
from surveys.importers import org_lookup, parse_responses
from surveys.models import Answer, Cycle, Dimension, SelfViewAnswer
from surveys.services.answers import ImportRefused, answers_import
from tests.conftest import IN_CI
from tests.factories import CycleFactory, EmployeeFactory

pytestmark = pytest.mark.django_db
HEADER = "rater_employee_id,provider_department,dimension,score\n"


def frame(*lines: str):
    parsed = parse_responses((HEADER + "".join(line + "\n" for line in lines)).encode(), lookup=org_lookup())
    assert parsed.ok, parsed.errors
    return parsed.data


@pytest.fixture
def raters(org):
    return {
        "E1": EmployeeFactory(employee_id="E1", department=org["sales"]),
        "E2": EmployeeFactory(employee_id="E2", department=org["it"]),
    }


def test_import_creates_a_closed_historical_cycle_with_todays_min_group_size(raters, settings):
    settings.MIN_GROUP_SIZE = 7
    summary = answers_import(
        frame("E1,IT,willingness,4", "E1,IT,expectation,5", "E2,Sales,courtesy,2"),
        cycle_name="2025-Q2",
        replace=False,
        dry_run=False,
    )
    assert (summary.answers, summary.respondents, summary.providers, summary.cycle_created) == (3, 2, 2, True)
    cycle = Cycle.objects.get(name="2025-Q2")
    assert (cycle.status, cycle.is_historical, cycle.min_group_size) == (Cycle.Status.CLOSED, True, 7)
    assert cycle.results_visible


def test_each_rater_gets_one_random_respondent_key_and_their_current_department(raters, org):
    answers_import(
        frame("E1,IT,willingness,4", "E1,IT,expectation,5", "E2,Sales,courtesy,2"),
        cycle_name="2025-Q2",
        replace=False,
        dry_run=False,
    )
    stored = list(Answer.objects.values_list("respondent", "rater_department_id", "provider_department_id", "score"))
    by_rater = {}
    for respondent, rater_department, _, _ in stored:
        by_rater.setdefault(rater_department, set()).add(respondent)
    assert by_rater == {org["sales"].pk: by_rater[org["sales"].pk], org["it"].pk: by_rater[org["it"].pk]}
    assert len(by_rater[org["sales"].pk]) == 1 and len(by_rater[org["it"].pk]) == 1
    assert by_rater[org["sales"].pk] != by_rater[org["it"].pk]
    assert all(1 <= key <= 2**62 for (key,) in Answer.objects.values_list("respondent"))
    assert sorted((p, s) for _, _, p, s in stored) == sorted(
        [(org["it"].pk, 4), (org["it"].pk, 5), (org["sales"].pk, 2)]
    )


def test_import_into_a_cycle_holding_answers_is_refused_without_replace(raters):
    answers_import(frame("E1,IT,willingness,4"), cycle_name="2025-Q2", replace=False, dry_run=False)
    with pytest.raises(ImportRefused, match=r"cycle 2025-Q2 already holds 1 answers: use --replace"):
        answers_import(
            frame("E1,IT,willingness,1", "E2,Sales,courtesy,1"), cycle_name="2025-Q2", replace=False, dry_run=False
        )
    assert list(Answer.objects.values_list("score", flat=True)) == [4]


def test_replace_swaps_the_cycles_answers_for_the_new_ones(raters):
    answers_import(frame("E1,IT,willingness,4"), cycle_name="2025-Q2", replace=False, dry_run=False)
    summary = answers_import(
        frame("E1,IT,willingness,1", "E2,Sales,courtesy,2"), cycle_name="2025-Q2", replace=True, dry_run=False
    )
    assert (summary.replaced, summary.cycle_created) == (1, False)
    assert sorted(Answer.objects.values_list("score", flat=True)) == [1, 2]


def test_replace_also_replaces_the_self_view_answers_a_file_cannot_carry(raters, org):
    answers_import(frame("E1,IT,willingness,4"), cycle_name="2025-Q2", replace=False, dry_run=False)
    cycle = Cycle.objects.get(name="2025-Q2")
    other = CycleFactory(name="2025-Q1", status=Cycle.Status.CLOSED)
    for each in (cycle, other):
        SelfViewAnswer.objects.create(
            cycle=each,
            respondent=1,
            department=org["sales"],
            scope="supplier",
            dimension=Dimension.objects.get(slug="courtesy"),
            score=5,
        )
    dry = answers_import(frame("E1,IT,willingness,1"), cycle_name="2025-Q2", replace=True, dry_run=True)
    assert (dry.replaced, dry.replaced_self_views) == (1, 1)
    assert SelfViewAnswer.objects.filter(cycle=cycle).exists()  # a dry run writes nothing

    summary = answers_import(frame("E1,IT,willingness,1"), cycle_name="2025-Q2", replace=True, dry_run=False)
    assert (summary.replaced, summary.replaced_self_views) == (1, 1)
    assert not SelfViewAnswer.objects.filter(cycle=cycle).exists()
    assert SelfViewAnswer.objects.filter(cycle=other).count() == 1  # another cycle's are untouched


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Cycle.Status.OPEN, "cycle 2025-Q2 is open for answers: only past cycles take imported answers"),
        (Cycle.Status.DRAFT, "cycle 2025-Q2 is a draft that has not run yet"),
    ],
)
def test_import_into_an_open_or_draft_cycle_is_refused_and_writes_nothing(raters, status, message):
    CycleFactory(name="2025-Q2", status=status)
    with pytest.raises(ImportRefused, match=message):
        answers_import(frame("E1,IT,willingness,4"), cycle_name="2025-Q2", replace=True, dry_run=False)
    assert not Answer.objects.exists()


def test_malformed_cycle_name_is_refused(raters):
    with pytest.raises(ImportRefused, match="cycle '2025Q2' is not a cycle name: use YYYY-Qn"):
        answers_import(frame("E1,IT,willingness,4"), cycle_name="2025Q2", replace=False, dry_run=False)
    assert not Cycle.objects.exists()


def test_dry_run_reports_and_writes_nothing(raters):
    summary = answers_import(frame("E1,IT,willingness,4"), cycle_name="2025-Q2", replace=False, dry_run=True)
    assert (summary.answers, summary.cycle_created, summary.dry_run) == (1, True, True)
    assert not Cycle.objects.exists() and not Answer.objects.exists()


def test_import_runs_a_fixed_number_of_queries_whatever_the_size(raters, org, django_assert_num_queries):
    lines = [
        f"E{r},{p},{d},3"
        for r in (1, 2)
        for p in ("IT", "Sales", "Executive Office")
        for d in ("ownership", "courtesy")
    ]
    small, large = frame(*lines[:2]), frame(*lines)
    # cycle check (name lookup), existence check, SAVEPOINT, get_or_create (SELECT, SAVEPOINT,
    # INSERT, RELEASE), RELEASE; plus the answers' one executemany, except on PostgreSQL where
    # the COPY goes to psycopg directly and Django does not see it; then the next cycle holding
    # answers (none here) and the roll-up run requested for the imported cycle.
    expected = 10 if connection.vendor == "postgresql" else 11
    with django_assert_num_queries(expected):
        answers_import(small, cycle_name="2025-Q1", replace=False, dry_run=False)
    with django_assert_num_queries(expected):
        answers_import(large, cycle_name="2025-Q2", replace=False, dry_run=False)
    assert Answer.objects.count() == len(small) + len(large) == 14


@pytest.mark.services
@pytest.mark.skipif(
    connection.vendor != "postgresql" and not IN_CI, reason="needs PostgreSQL (DATABASE_URL): the bulk path's key swap"
)
def test_large_write_keeps_every_foreign_key_and_still_rejects_bad_rows(raters, monkeypatch):
    def foreign_keys():
        # Restored NOT VALID (the whole table is not re-checked; the new rows are): same keys otherwise.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'surveys_answer'::regclass AND contype = 'f' ORDER BY conname"
            )
            return [(name, definition.removesuffix(" NOT VALID")) for name, definition in cursor.fetchall()]

    before = foreign_keys()
    monkeypatch.setattr(bulk, "FOREIGN_KEY_SWAP_MIN_ROWS", 1)
    answers_import(
        frame("E1,IT,willingness,4", "E2,Sales,courtesy,2"), cycle_name="2025-Q2", replace=False, dry_run=False
    )
    assert foreign_keys() == before and len(before) == 4
    assert Answer.objects.count() == 2

    bad = frame("E1,IT,willingness,4").assign(
        provider_department_id=999_999, cycle_id=Cycle.objects.get().pk, respondent=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.write_answers(bad)
    assert foreign_keys() == before and Answer.objects.count() == 2

    # The restored keys are enforced on later writes, one row at a time, as before.
    row = {name: int(bad.iloc[0][name]) for name in bulk.ANSWER_COLUMNS} | {"respondent": 2}
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's keys are deferred to the commit
        Answer.objects.create(**row)
    # And a bad row among good ones is found by the check of the values written.
    good = frame("E1,IT,ownership,4").assign(cycle_id=Cycle.objects.get().pk, respondent=10)
    many = good.merge(bad, how="outer")
    with pytest.raises(IntegrityError, match="provider_department_id=999999"), transaction.atomic():
        bulk.write_answers(many)
    assert Answer.objects.count() == 2


def primary_key():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'surveys_answer'::regclass AND contype = 'p'"
        )
        return cursor.fetchall()


@pytest.mark.services
@pytest.mark.skipif(
    connection.vendor != "postgresql" and not IN_CI, reason="needs PostgreSQL (DATABASE_URL): the bulk path's key swap"
)
@pytest.mark.parametrize("key_column", ["cycle_id", "rater_department_id", "provider_department_id", "dimension_id"])
def test_large_write_rejects_a_value_without_its_parent_in_any_key_column(raters, monkeypatch, key_column):
    monkeypatch.setattr(bulk, "FOREIGN_KEY_SWAP_MIN_ROWS", 1)
    answers_import(frame("E1,IT,willingness,4"), cycle_name="2025-Q2", replace=False, dry_run=False)
    good = frame("E1,IT,ownership,4", "E2,Sales,courtesy,2").assign(cycle_id=Cycle.objects.get().pk, respondent=[1, 2])
    bad = good.assign(**{key_column: [int(good[key_column].iloc[0]), 30_000]})
    with pytest.raises(IntegrityError, match=f"{key_column}=30000"), transaction.atomic():
        bulk.write_answers(bad)
    assert Answer.objects.count() == 1


@pytest.mark.services
@pytest.mark.skipif(
    connection.vendor != "postgresql" and not IN_CI, reason="needs PostgreSQL (DATABASE_URL): the bulk path's key swap"
)
def test_large_write_into_a_small_table_rebuilds_the_primary_key_and_still_refuses_duplicates(raters, monkeypatch):
    before = primary_key()
    key = "PRIMARY KEY (cycle_id, respondent, provider_department_id, dimension_id)"
    assert before == [("surveys_answer_pkey", key)]
    monkeypatch.setattr(bulk, "FOREIGN_KEY_SWAP_MIN_ROWS", 1)
    monkeypatch.setattr(bulk, "PRIMARY_KEY_REBUILD_MAX_RATIO", 1e9)  # however small the write
    rebuilt = []
    real = bulk._primary_key_to_rebuild
    monkeypatch.setattr(bulk, "_primary_key_to_rebuild", lambda *a, **k: rebuilt.append(real(*a, **k)) or rebuilt[-1])

    two = frame("E1,IT,willingness,4", "E2,Sales,courtesy,2")
    answers_import(two, cycle_name="2025-Q2", replace=False, dry_run=False)
    assert rebuilt == before and primary_key() == before and Answer.objects.count() == 2

    # A duplicate within the write fails the rebuild: nothing is written, the key stays.
    once = frame("E1,IT,ownership,4").assign(cycle_id=Cycle.objects.get().pk, respondent=7)
    twice = pd.concat([once, once.assign(score=5)], ignore_index=True)  # past the validator, which refuses it
    with pytest.raises(IntegrityError, match="surveys_answer_pkey"), transaction.atomic():
        bulk.write_answers(twice)
    assert rebuilt == before * 2 and primary_key() == before and Answer.objects.count() == 2
    # And the rebuilt key refuses a second answer to a question already answered, as before.
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(**Answer.objects.values(*bulk.ANSWER_COLUMNS).first())


@pytest.mark.services
@pytest.mark.skipif(
    connection.vendor != "postgresql" and not IN_CI, reason="needs PostgreSQL (DATABASE_URL): the bulk path's key swap"
)
def test_the_primary_key_is_rebuilt_only_while_the_table_holds_few_rows_beside_those_written(raters):
    answers_import(
        frame("E1,IT,willingness,4", "E1,IT,ownership,4", "E2,Sales,courtesy,2", "E2,Sales,reliability,3"),
        cycle_name="2025-Q2",
        replace=False,
        dry_run=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_answer")  # the planner's estimate is then the 4 rows held
        assert bulk._primary_key_to_rebuild(cursor, "surveys_answer", count=3) is not None  # 4 < 1.5 x 3
        assert bulk._primary_key_to_rebuild(cursor, "surveys_answer", count=2) is None  # 4 >= 1.5 x 2


def test_import_requests_the_rollup_of_its_cycle_and_of_the_next_one_whose_deltas_it_changes(raters, org):
    from reports.models import RollupRun

    later = answers_import(frame("E1,IT,ownership,3"), cycle_name="2025-Q3", replace=False, dry_run=False)
    assert later.rollups_requested == ["2025-Q3"]

    earlier = answers_import(frame("E1,IT,ownership,4"), cycle_name="2025-Q2", replace=False, dry_run=False)

    assert earlier.rollups_requested == ["2025-Q2", "2025-Q3"]
    assert sorted(RollupRun.objects.values_list("cycle__name", flat=True)) == ["2025-Q2", "2025-Q3", "2025-Q3"]
