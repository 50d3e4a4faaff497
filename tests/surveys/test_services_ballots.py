"""surveys.services.ballots: submitted surveys wait sealed, then move in batches of at least N per
department, shuffled, under fresh respondent keys; the close moves the rest."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.dimensions import EXPECTATION, SERVICE_DIMENSIONS
from surveys.models import Answer, Ballot, Comment, Draft
from surveys.services.ballots import ballots_move, ballots_waiting
from surveys.services.survey import ProviderResponse, survey_submit
from surveys.tasks import move_ballots
from tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def submit(cycle, department, providers, *, score=4, comment=""):
    person = EmployeeFactory(department=department)
    draft = Draft.objects.create(employee=person, cycle=cycle, providers=[p.id for p in providers])
    scores = {**dict.fromkeys(SERVICE_DIMENSIONS, score), EXPECTATION: 3}
    survey_submit(
        employee=person,
        draft=draft,
        responses=[ProviderResponse(provider_id=p.id, scores=scores, comment=comment) for p in providers],
    )
    return person


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Submit as the web does: each submission commits, then its on-commit check runs."""

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return submit(*args, **kwargs)

    return run


def test_answers_wait_sealed_until_the_department_fills_a_batch(committed, org, open_cycle):
    n = open_cycle.min_group_size
    for i in range(n - 1):
        committed(open_cycle, org["sales"], [org["it"]], score=1 + i % 5)
    assert not Answer.objects.exists() and ballots_waiting(cycle=open_cycle) == n - 1

    committed(open_cycle, org["sales"], [org["it"]], score=5, comment="Slow to answer")

    assert ballots_waiting(cycle=open_cycle) == 0
    assert Answer.objects.values("respondent").distinct().count() == n
    assert Counter(Answer.objects.filter(dimension__slug="courtesy").values_list("score", flat=True)) == Counter(
        [1 + i % 5 for i in range(n - 1)] + [5]
    )
    assert list(Comment.objects.values_list("text", flat=True)) == ["Slow to answer"]


def test_the_ballot_box_logs_counts_only(committed, org, open_cycle, caplog):
    caplog.set_level("INFO", logger="surveys")
    n = open_cycle.min_group_size
    people = [committed(open_cycle, org["sales"], [org["it"]], comment="Late again") for _ in range(n)]

    logged = [r.getMessage() for r in caplog.records if r.name.startswith("surveys")]
    assert logged == [f"Ballot box: {n} ballot(s) of cycle {open_cycle.name} moved"]
    assert not any(p.email in caplog.text or p.employee_id in caplog.text for p in people)


def test_departments_fill_their_batches_separately(committed, org, open_cycle):
    # 2(N-1) ballots wait, but no department holds N: a batch would pair a department's few
    # people with their answers through `rater_department`.
    n = open_cycle.min_group_size
    for _ in range(n - 1):
        committed(open_cycle, org["sales"], [org["it"]])
        committed(open_cycle, org["it"], [org["sales"]])
    assert not Answer.objects.exists()

    committed(open_cycle, org["it"], [org["sales"]])

    assert set(Answer.objects.values_list("rater_department", flat=True)) == {org["it"].id}
    assert Answer.objects.values("respondent").distinct().count() == n
    assert set(Ballot.objects.values_list("rater_department", flat=True)) == {org["sales"].id}


def test_the_sweep_moves_full_batches_only(org, open_cycle):
    n = open_cycle.min_group_size
    for _ in range(n):
        submit(open_cycle, org["sales"], [org["it"]])  # no on-commit trigger: as if the broker was down
    submit(open_cycle, org["it"], [org["sales"]])

    assert move_ballots.delay().get() == n

    assert Answer.objects.values("respondent").distinct().count() == n
    assert list(Ballot.objects.values_list("rater_department", flat=True)) == [org["it"].id]


def test_the_final_move_takes_every_ballot_left(org, open_cycle):
    submit(open_cycle, org["sales"], [org["it"]], comment="Thanks")
    submit(open_cycle, org["it"], [org["sales"], org["executive_office"]])

    assert ballots_move(cycle_id=open_cycle.pk) == 0
    assert ballots_move(cycle_id=open_cycle.pk, final=True) == 2

    assert not Ballot.objects.exists()
    assert Answer.objects.count() == 7 * 3 and Comment.objects.count() == 1


def test_each_moved_ballot_gets_a_fresh_respondent_key_that_is_not_the_ballot_or_person(committed, org, open_cycle):
    people = [committed(open_cycle, org["sales"], [org["it"]]) for _ in range(open_cycle.min_group_size)]
    keys = set(Answer.objects.values_list("respondent", flat=True))
    assert len(keys) == len(people)
    person_numbers = {p.pk for p in people} | {p.user_id for p in people}
    assert not keys & person_numbers and min(keys) > 2**20  # random 62-bit numbers


def test_a_failing_ballot_box_does_not_turn_the_submission_into_an_error(
    committed, org, open_cycle, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("surveys.tasks.ballots_move", broken)
    for _ in range(open_cycle.min_group_size):
        committed(open_cycle, org["sales"], [org["it"]])

    assert ballots_waiting(cycle=open_cycle) == open_cycle.min_group_size  # nothing lost; the sweep retries
    assert "Ballot box of cycle" in caplog.text


def test_a_batch_costs_the_same_statements_whatever_its_size(org, open_cycle):
    def statements(department, providers, count):
        for _ in range(count):
            submit(open_cycle, department, providers, comment="ok")
        with CaptureQueriesContext(connection) as ctx:
            assert ballots_move(cycle_id=open_cycle.pk) == count
        # SQLite takes at most 999 parameters per statement, so Django splits a big INSERT into
        # chunks: count each table's INSERT once (on PostgreSQL there is one of each).
        kinds = [q["sql"].split("(")[0] if q["sql"].startswith("INSERT") else q["sql"] for q in ctx.captured_queries]
        chunks = len(kinds) - len([k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]])
        assert chunks == 0 or connection.vendor == "sqlite"
        return len(kinds) - chunks

    n = open_cycle.min_group_size
    few = statements(org["sales"], [org["it"]], n)
    many = statements(org["it"], [DepartmentFactory() for _ in range(8)], 4 * n)
    if connection.vendor == "postgresql":
        # savepoint; cycle FOR UPDATE; ballot ids (with the full-batch subquery); one statement
        # that inserts the answers and comments and deletes the ballots; release.
        assert few == many == 5
    else:
        # savepoint; cycle FOR UPDATE; ballots (with the full-batch subquery); answers INSERT;
        # comments INSERT; ballots DELETE; release.
        assert few == many == 7


def test_no_batch_moves_for_a_cycle_that_is_not_open(org, open_cycle):
    for _ in range(open_cycle.min_group_size):
        submit(open_cycle, org["sales"], [org["it"]])
    open_cycle.status = open_cycle.Status.CLOSED
    open_cycle.save(update_fields=["status"])

    assert ballots_move(cycle_id=open_cycle.pk) == 0
