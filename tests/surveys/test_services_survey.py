"""surveys.services.survey: drafts, and the one-time, all-or-nothing survey submission."""

import datetime
import os
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.dimensions import EXPECTATION, OUTCOME, SERVICE_DIMENSIONS
from surveys.models import Answer, Ballot, Comment, Cycle, Draft, Participation
from surveys.roles import Role
from surveys.services.ballots import ballots_move
from surveys.services.survey import (
    AlreadySubmitted,
    CycleNotOpen,
    NotYourDraft,
    ProviderResponse,
    SurveyRefused,
    draft_save,
    survey_submit,
)
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

pytestmark = pytest.mark.django_db


def full(provider_id, score=4, comment=""):
    return ProviderResponse(
        provider_id=provider_id,
        scores={**dict.fromkeys(SERVICE_DIMENSIONS, score), EXPECTATION: 3},
        comment=comment,
    )


def nothing_written():
    return not (
        Answer.objects.exists() or Comment.objects.exists() or Participation.objects.exists() or Ballot.objects.exists()
    )


def moved(cycle):
    """Empty the ballot box into the answer tables, as the close does."""
    return ballots_move(cycle_id=cycle.pk, final=True)


@pytest.fixture
def draft(employee, open_cycle, org):
    return Draft.objects.create(
        employee=employee, cycle=open_cycle, providers=[org["executive_office"].id, org["sales"].id, org["it"].id]
    )


def test_submit_records_the_participation_seals_the_answers_and_deletes_the_draft(employee, draft, org, open_cycle):
    responses = [
        full(org["executive_office"].id, 5, comment="  Clear goals  "),
        full(org["sales"].id, 2),
        ProviderResponse(provider_id=org["it"].id, skipped=True),
    ]
    participation = survey_submit(employee=employee, draft=draft, responses=responses)

    assert participation.department == org["sales"]
    # Nothing reaches the answer tables in the transaction that names the person.
    assert not Answer.objects.exists() and not Comment.objects.exists()
    ballot = Ballot.objects.get()
    assert (ballot.cycle, ballot.rater_department) == (open_cycle, org["sales"])
    assert len(ballot.answers) == 14 and ballot.comments == [[org["executive_office"].id, "Clear goals"]]
    assert not Draft.objects.exists()

    assert moved(open_cycle) == 1
    assert not Ballot.objects.exists()
    assert Answer.objects.count() == 14  # two rated providers x (six dimensions + expectation)
    assert Answer.objects.values("respondent").distinct().count() == 1
    assert set(Answer.objects.values_list("rater_department_id", flat=True)) == {org["sales"].id}
    assert set(Answer.objects.values_list("provider_department_id", flat=True)) == {
        org["executive_office"].id,
        org["sales"].id,
    }
    assert list(Comment.objects.values_list("text", flat=True)) == ["Clear goals"]
    assert not Draft.objects.exists()


def test_two_submissions_use_unrelated_respondent_keys(employee, draft, org, open_cycle):
    survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id)])
    colleague = EmployeeFactory(department=org["sales"])
    other = Draft.objects.create(employee=colleague, cycle=open_cycle, providers=[org["it"].id])
    survey_submit(employee=colleague, draft=other, responses=[full(org["it"].id)])
    moved(open_cycle)
    assert Answer.objects.values("respondent").distinct().count() == 2


def test_second_submission_is_refused_and_writes_nothing_more(employee, draft, org, open_cycle):
    survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id)])
    again = Draft.objects.create(employee=employee, cycle=open_cycle, providers=[org["it"].id])
    with pytest.raises(AlreadySubmitted):
        survey_submit(employee=employee, draft=again, responses=[full(org["it"].id, 1)])
    moved(open_cycle)
    assert Answer.objects.count() == 7
    assert set(Answer.objects.values_list("score", flat=True)) == {3, 4}
    assert Participation.objects.count() == 1


def test_racing_submission_loses_on_the_participation_constraint(employee, draft, org, open_cycle):
    # The other request committed its participation after this one loaded its draft: the unique
    # constraint, not a prior check, refuses the loser.
    Participation.objects.create(employee=employee, cycle=open_cycle, department=org["sales"])
    with pytest.raises(AlreadySubmitted):
        survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id)])
    assert not Ballot.objects.exists()
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_submit_for_a_closed_cycle_is_refused(employee, draft, org, open_cycle):
    Cycle.objects.filter(pk=open_cycle.pk).update(status=Cycle.Status.CLOSED)
    with pytest.raises(CycleNotOpen):
        survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id)])
    assert nothing_written()


def test_submit_after_the_closing_day_is_refused(employee, draft, org, open_cycle):
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(CycleNotOpen):
        survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id)])
    assert nothing_written()


def test_submit_with_somebody_elses_draft_is_refused(employee, org, open_cycle):
    colleague = EmployeeFactory(department=org["it"])
    theirs = Draft.objects.create(employee=colleague, cycle=open_cycle, providers=[org["sales"].id])
    with pytest.raises(NotYourDraft):
        survey_submit(employee=employee, draft=theirs, responses=[full(org["sales"].id)])
    assert nothing_written() and Draft.objects.filter(pk=theirs.pk).exists()


def test_submit_refuses_a_provider_that_is_not_a_department(employee, draft, org):
    with pytest.raises(SurveyRefused, match="Not a department: 987654"):
        survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id), full(987654)])
    assert nothing_written()


def test_submit_refuses_a_department_not_chosen_in_the_screener(employee, draft, org):
    finance = DepartmentFactory(name="Finance")
    with pytest.raises(SurveyRefused, match="not on your survey"):
        survey_submit(employee=employee, draft=draft, responses=[full(finance.id)])
    assert nothing_written()


def test_manager_rating_their_own_department_is_refused(manager, org, open_cycle):
    draft = Draft.objects.create(employee=manager, cycle=open_cycle, providers=[org["sales"].id])
    with pytest.raises(SurveyRefused, match="do not rate their own department"):
        survey_submit(employee=manager, draft=draft, responses=[full(org["sales"].id)])
    assert nothing_written()


@pytest.mark.parametrize("score", [0, 6, "4", 2.5, None])
def test_submit_refuses_scores_that_are_not_integers_1_to_5(employee, draft, org, score):
    bad = ProviderResponse(provider_id=org["it"].id, scores={"willingness": score, EXPECTATION: 3})
    with pytest.raises(SurveyRefused, match="whole numbers from 1 to 5"):
        survey_submit(employee=employee, draft=draft, responses=[bad])
    assert nothing_written()


def test_submit_refuses_ratings_for_a_skipped_provider(employee, draft, org):
    bad = ProviderResponse(provider_id=org["it"].id, skipped=True, scores={"courtesy": 5})
    with pytest.raises(SurveyRefused, match="not dealt with but has answers"):
        survey_submit(employee=employee, draft=draft, responses=[bad])
    assert nothing_written()


def test_submit_refuses_a_section_without_its_expectation(employee, draft, org):
    bad = ProviderResponse(provider_id=org["it"].id, scores={"courtesy": 5})
    with pytest.raises(SurveyRefused, match="at least one rating and the expectation"):
        survey_submit(employee=employee, draft=draft, responses=[bad])
    assert nothing_written()


def test_submit_accepts_a_single_rating_plus_expectation(employee, draft, org, open_cycle):
    survey_submit(
        employee=employee,
        draft=draft,
        responses=[ProviderResponse(provider_id=org["it"].id, scores={"courtesy": 5, EXPECTATION: 4})],
    )
    moved(open_cycle)
    assert sorted(Answer.objects.values_list("score", flat=True)) == [4, 5]


def _submit_queries(employee, open_cycle, providers):
    draft = Draft.objects.create(employee=employee, cycle=open_cycle, providers=[p.id for p in providers])
    responses = [full(p.id, comment="Thanks") for p in providers]
    before = set(Ballot.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        survey_submit(employee=employee, draft=draft, responses=responses)
    ballot = Ballot.objects.exclude(pk__in=before).get()
    assert (len(ballot.answers), len(ballot.comments)) == (7 * len(providers), len(providers))
    return len(ctx)


def test_submit_costs_a_fixed_number_of_queries(employee, open_cycle, django_assert_num_queries):
    providers = [DepartmentFactory() for _ in range(3)]
    draft = Draft.objects.create(employee=employee, cycle=open_cycle, providers=[p.id for p in providers])
    responses = [full(p.id, comment="Thanks") for p in providers]
    # savepoint; cycle FOR UPDATE; departments; dimensions; participation INSERT; ballot INSERT;
    # draft DELETE; release. (The ballot box's check runs after commit.)
    with django_assert_num_queries(8):
        survey_submit(employee=employee, draft=draft, responses=responses)


def test_draft_save_costs_a_fixed_number_of_queries(employee, open_cycle, org, django_assert_num_queries):
    # savepoint; cycle FOR UPDATE; participation EXISTS; draft SELECT FOR UPDATE; INSERT (first
    # save) or UPDATE (later saves); release.
    with django_assert_num_queries(6):
        draft_save(employee=employee, cycle=open_cycle, providers=[org["it"].id])
    with django_assert_num_queries(6):
        draft_save(employee=employee, cycle=open_cycle, answers={(org["it"].id, "courtesy"): 4})
    assert Draft.objects.values_list("providers", "answers").get() == (
        [org["it"].id],
        {str(org["it"].id): {"courtesy": 4}},
    )


def test_submit_query_count_does_not_grow_with_the_number_of_providers(employee, open_cycle):
    # 20 providers = 140 answers: within one INSERT on SQLite too (999 parameters, 142 rows).
    few = _submit_queries(employee, open_cycle, [DepartmentFactory() for _ in range(2)])
    colleague = EmployeeFactory(department=employee.department)
    many = _submit_queries(colleague, open_cycle, [DepartmentFactory() for _ in range(20)])
    assert many == few


def test_draft_save_keeps_providers_and_answers_and_drops_answers_of_unchosen_providers(employee, open_cycle, org):
    it, eo = org["it"].id, org["executive_office"].id
    draft_save(employee=employee, cycle=open_cycle, providers=[eo, it])
    draft_save(employee=employee, cycle=open_cycle, answers={(it, "courtesy"): 4, (eo, EXPECTATION): 2})
    draft_save(employee=employee, cycle=open_cycle, providers=[eo])
    draft = Draft.objects.get()
    assert draft.providers == [eo]
    assert draft.keyed_answers == {(eo, EXPECTATION): 2}


def test_draft_save_is_refused_after_submission(employee, draft, open_cycle, org):
    survey_submit(employee=employee, draft=draft, responses=[full(org["it"].id)])
    with pytest.raises(AlreadySubmitted):
        draft_save(employee=employee, cycle=open_cycle, answers={})
    assert not Draft.objects.exists()


def test_draft_save_is_refused_for_a_closed_cycle(employee, open_cycle):
    open_cycle.status = Cycle.Status.CLOSED
    with pytest.raises(CycleNotOpen):
        draft_save(employee=employee, cycle=open_cycle, providers=[1])
    assert not Draft.objects.exists()


def test_draft_save_is_refused_for_an_inactive_employee(org, open_cycle):
    gone = EmployeeFactory(department=org["it"], role=Role.EMPLOYEE)
    gone.user.is_active = False
    with pytest.raises(SurveyRefused):
        draft_save(employee=gone, cycle=open_cycle, providers=[org["sales"].id])
    assert not Draft.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_submissions_store_exactly_one_survey(org):
    """Two requests submit the same person's survey at the same moment: the database lets one win."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs this test on PostgreSQL: set DATABASE_URL")
        pytest.skip("needs PostgreSQL (DATABASE_URL) for truly concurrent transactions")
    cycle = OpenCycleFactory(name="2026-Q4")
    person = EmployeeFactory(department=org["sales"])
    draft = Draft.objects.create(employee=person, cycle=cycle, providers=[org["it"].id])
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(score):
        try:
            barrier.wait()
            survey_submit(employee=person, draft=draft, responses=[full(org["it"].id, score)])
            outcomes.append("stored")
        except AlreadySubmitted:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(score,)) for score in (1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "stored"]
    assert Participation.objects.count() == 1
    assert len(Ballot.objects.get().answers) == 7


def _wait_until_blocked_on_a_lock(timeout=10.0):
    """Until another connection of this test database waits for a row lock (PostgreSQL)."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_draft_save_racing_the_same_persons_submission_waits_and_is_refused(org):
    """The submission holds the cycle lock and has deleted the draft, not yet committed; a save
    from another tab arrives. It must wait for the submission and then refuse, not re-create a
    named draft next to a submitted survey."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs this test on PostgreSQL: set DATABASE_URL")
        pytest.skip("needs PostgreSQL (DATABASE_URL) for truly concurrent transactions")
    from django.db import transaction

    cycle = OpenCycleFactory(name="2026-Q4")
    person = EmployeeFactory(department=org["sales"])
    draft = Draft.objects.create(employee=person, cycle=cycle, providers=[org["it"].id])
    submitted, blocked = threading.Event(), threading.Event()
    outcome = []

    def submit():
        try:
            with transaction.atomic():
                survey_submit(employee=person, draft=draft, responses=[full(org["it"].id)])
                submitted.set()
                blocked.wait(timeout=15)  # commit only once the save is queued behind us
        finally:
            connections.close_all()

    def save():
        try:
            submitted.wait(timeout=15)
            draft_save(employee=person, cycle=cycle, answers={(org["it"].id, "courtesy"): 1})
            outcome.append("saved")
        except AlreadySubmitted:
            outcome.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    submitted.wait(timeout=15)
    waited = _wait_until_blocked_on_a_lock()
    blocked.set()
    for thread in threads:
        thread.join(timeout=30)

    assert waited, "the draft save did not wait for the submission's lock"
    assert outcome == ["refused"]
    assert not Draft.objects.exists()
    assert Participation.objects.count() == 1


def test_an_outcome_answer_is_sealed_and_stored_under_its_dimension_and_may_be_left_out(
    employee, draft, org, open_cycle
):
    with_outcome = ProviderResponse(
        provider_id=org["it"].id, scores={**dict.fromkeys(SERVICE_DIMENSIONS, 4), EXPECTATION: 3, OUTCOME: 2}
    )
    survey_submit(employee=employee, draft=draft, responses=[with_outcome, full(org["executive_office"].id)])
    moved(open_cycle)
    outcomes = Answer.objects.filter(cycle=open_cycle, dimension__slug=OUTCOME)
    assert list(outcomes.values_list("provider_department", "score")) == [(org["it"].id, 2)]


@pytest.mark.parametrize("score", [0, 6, "5"])
def test_submit_refuses_an_outcome_outside_1_to_5(employee, draft, org, score):
    bad = ProviderResponse(
        provider_id=org["it"].id, scores={**dict.fromkeys(SERVICE_DIMENSIONS, 4), EXPECTATION: 3, OUTCOME: score}
    )
    with pytest.raises(SurveyRefused, match="whole numbers from 1 to 5"):
        survey_submit(employee=employee, draft=draft, responses=[bad])
    assert nothing_written()
