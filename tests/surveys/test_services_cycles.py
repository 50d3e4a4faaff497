"""surveys.services.cycles: opening, closing and publishing survey rounds."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import RollupRun
from surveys.models import Cycle, CycleHeadcount
from surveys.services.cycles import CycleError, cycle_close, cycle_open, cycle_publish
from tests.conftest import IN_CI
from tests.factories import CycleFactory, EmployeeFactory, OpenCycleFactory

pytestmark = pytest.mark.django_db


def test_open_creates_the_cycle_open_for_21_days_with_the_configured_group_size(settings, org):
    settings.MIN_GROUP_SIZE = 7
    cycle = cycle_open(name="2026-Q4")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert cycle.closes_on == timezone.localdate() + datetime.timedelta(days=21)
    assert cycle.opens_at is not None
    assert cycle.min_group_size == 7
    assert cycle.accepts_answers


def test_open_uses_the_given_closing_day_and_an_existing_draft(org):
    draft = CycleFactory(name="2026-Q4", status=Cycle.Status.DRAFT)
    closes = timezone.localdate() + datetime.timedelta(days=3)
    cycle = cycle_open(name="2026-Q4", closes_on=closes)
    assert cycle.pk == draft.pk
    assert Cycle.objects.get(pk=draft.pk).closes_on == closes


def test_open_snapshots_active_headcount_per_department(org):
    EmployeeFactory.create_batch(3, department=org["sales"])
    EmployeeFactory.create_batch(2, department=org["it"])
    EmployeeFactory(department=org["it"], user__is_active=False)
    cycle = cycle_open(name="2026-Q4")
    counts = {h.department_id: h.eligible for h in CycleHeadcount.objects.filter(cycle=cycle)}
    assert counts == {org["sales"].id: 3, org["it"].id: 2}


def _queries_to_open(name: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        cycle_open(name=name)
    Cycle.objects.filter(name=name).update(status=Cycle.Status.CLOSED)
    return len(ctx.captured_queries)


def test_open_costs_the_same_queries_however_many_departments(org):
    EmployeeFactory.create_batch(2, department=org["sales"])
    few = _queries_to_open("2026-Q1")
    for index in range(10):
        EmployeeFactory.create_batch(2, department__name=f"Extra {index}")
    many = _queries_to_open("2026-Q2")
    assert few == many
    assert CycleHeadcount.objects.filter(cycle__name="2026-Q2").count() == 11


def test_only_one_cycle_is_open_and_a_refused_open_writes_nothing(org):
    cycle_open(name="2026-Q3")
    with pytest.raises(CycleError, match="2026-Q3 is open"):
        cycle_open(name="2026-Q4")
    assert not Cycle.objects.filter(name="2026-Q4").exists()
    assert list(Cycle.objects.filter(status=Cycle.Status.OPEN).values_list("name", flat=True)) == ["2026-Q3"]


@pytest.mark.parametrize("status", [Cycle.Status.CLOSED, Cycle.Status.PUBLISHED])
def test_a_closed_or_published_cycle_is_never_reopened(org, status):
    CycleFactory(name="2026-Q2", status=status)
    with pytest.raises(CycleError, match="never reopened"):
        cycle_open(name="2026-Q2")
    assert Cycle.objects.get(name="2026-Q2").status == status
    assert not CycleHeadcount.objects.exists()


def test_opening_an_open_cycle_again_is_refused(open_cycle):
    with pytest.raises(CycleError, match="already open"):
        cycle_open(name=open_cycle.name)


@pytest.mark.parametrize("name", ["2026-Q5", "2026Q1", "Q1-2026", "", "2026-q1"])
def test_open_rejects_a_malformed_name(db, name):
    with pytest.raises(CycleError, match="YYYY-Qn"):
        cycle_open(name=name)
    assert not Cycle.objects.exists()


def test_open_rejects_a_closing_day_in_the_past(db):
    with pytest.raises(CycleError, match="in the past"):
        cycle_open(name="2026-Q4", closes_on=timezone.localdate() - datetime.timedelta(days=1))
    assert not Cycle.objects.exists()


def test_open_accepts_today_as_closing_day(db):
    assert cycle_open(name="2026-Q4", closes_on=timezone.localdate()).accepts_answers


def test_close_ends_answering_and_runs_the_rollup_on_commit(open_cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        closed = cycle_close(cycle=open_cycle)
    assert len(callbacks) == 1
    open_cycle.refresh_from_db()
    assert open_cycle.status == Cycle.Status.CLOSED and closed.closed_at is not None
    assert not open_cycle.accepts_answers
    assert RollupRun.objects.get(cycle=open_cycle).state == RollupRun.State.DONE


def test_close_does_not_enqueue_until_the_transaction_commits(open_cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cycle_close(cycle=open_cycle)
    assert len(callbacks) == 1
    assert RollupRun.objects.get(cycle=open_cycle).state == RollupRun.State.REQUESTED


@pytest.mark.parametrize("status", [Cycle.Status.DRAFT, Cycle.Status.CLOSED, Cycle.Status.PUBLISHED])
def test_close_refuses_a_cycle_that_is_not_open(db, status):
    cycle = CycleFactory(name="2026-Q1", status=status)
    with pytest.raises(CycleError, match="not open"):
        cycle_close(cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).status == status
    assert not RollupRun.objects.exists()


def test_a_closed_cycle_frees_the_slot_for_the_next_one(open_cycle):
    cycle_close(cycle=open_cycle)
    assert cycle_open(name="2027-Q1").status == Cycle.Status.OPEN


def test_publish_makes_a_closed_and_rolled_up_cycle_published(db):
    from reports.services import rollup_cycle

    cycle = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED)
    rollup_cycle(cycle_id=cycle.id)
    published = cycle_publish(cycle=cycle)
    assert published.status == Cycle.Status.PUBLISHED and published.published_at is not None
    assert Cycle.objects.get(pk=cycle.pk).results_visible


@pytest.mark.parametrize("status", [Cycle.Status.DRAFT, Cycle.Status.OPEN, Cycle.Status.PUBLISHED])
def test_publish_refuses_anything_but_a_closed_cycle(db, status):
    cycle = OpenCycleFactory(name="2026-Q1") if status == Cycle.Status.OPEN else CycleFactory(status=status)
    with pytest.raises(CycleError, match="only a closed cycle"):
        cycle_publish(cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).status == status


@pytest.mark.parametrize("state", ["none", *(s for s in RollupRun.State.values if s != "done")])
def test_publish_refuses_a_cycle_whose_rollup_has_not_finished(db, state):
    cycle = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED)
    if state != "none":
        RollupRun.objects.create(cycle=cycle, state=state)
    with pytest.raises(CycleError, match="not computed yet"):
        cycle_publish(cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED


def test_publish_refuses_when_a_newer_rollup_is_pending_after_a_done_one(db):
    from reports.runs import rollup_request
    from reports.services import rollup_cycle

    cycle = CycleFactory(name="2026-Q1", status=Cycle.Status.CLOSED)
    rollup_cycle(cycle_id=cycle.id)
    rollup_request(cycle=cycle)  # e.g. answers re-imported: the results are being recomputed
    with pytest.raises(CycleError, match="not computed yet"):
        cycle_publish(cycle=cycle)


def test_a_closed_cycle_is_never_reopened(open_cycle):
    cycle_close(cycle=open_cycle)
    with pytest.raises(CycleError, match="never reopened"):
        cycle_open(name=open_cycle.name)
    assert Cycle.objects.get(pk=open_cycle.pk).status == Cycle.Status.CLOSED


def _race(*calls):
    """Run the calls at the same moment in threads, each on its own connection; returns outcomes."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _needs_postgresql():
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the race tests on PostgreSQL (DATABASE_URL)")
        pytest.skip("race tests need PostgreSQL: set DATABASE_URL")


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_opens_leave_exactly_one_cycle_open():
    _needs_postgresql()
    outcomes = _race(lambda: cycle_open(name="2026-Q3"), lambda: cycle_open(name="2026-Q4"))
    assert sum(isinstance(o, Cycle) for o in outcomes) == 1
    assert sum(isinstance(o, CycleError) for o in outcomes) == 1, outcomes
    assert Cycle.objects.filter(status=Cycle.Status.OPEN).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_closes_close_once_and_request_one_rollup():
    _needs_postgresql()
    cycle = OpenCycleFactory(name="2026-Q4")
    outcomes = _race(lambda: cycle_close(cycle=cycle), lambda: cycle_close(cycle=cycle))
    assert sum(isinstance(o, Cycle) for o in outcomes) == 1
    assert sum(isinstance(o, CycleError) for o in outcomes) == 1, outcomes
    assert RollupRun.objects.filter(cycle=cycle).count() == 1


def _submitted(cycle, department, providers, count, *, comment=""):
    """`count` people of `department` submit their survey; the ballot box runs as after a commit."""
    from surveys.dimensions import EXPECTATION, SERVICE_DIMENSIONS
    from surveys.models import Draft
    from surveys.services.survey import ProviderResponse, survey_submit

    people = [EmployeeFactory(department=department) for _ in range(count)]
    for n, person in enumerate(people):
        draft = Draft.objects.create(employee=person, cycle=cycle, providers=[p.id for p in providers])
        scores = {**dict.fromkeys(SERVICE_DIMENSIONS, 1 + n % 5), EXPECTATION: 3}
        survey_submit(
            employee=person,
            draft=draft,
            responses=[ProviderResponse(provider_id=p.id, scores=scores, comment=comment) for p in providers],
        )
    return people


def test_close_moves_the_last_ballots_and_the_rollup_counts_every_submitted_survey(
    org, open_cycle, django_capture_on_commit_callbacks
):
    from reports.models import DepartmentResult
    from surveys.models import Answer, Ballot, Comment

    for _ in range(open_cycle.min_group_size + 1):
        with django_capture_on_commit_callbacks(execute=True):  # each submission commits on its own
            _submitted(open_cycle, org["sales"], [org["it"]], 1, comment="Slow")
    # One full batch moved as soon as it was complete; the last submission still waits.
    assert Ballot.objects.count() == 1
    assert Answer.objects.values("respondent").distinct().count() == open_cycle.min_group_size

    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=open_cycle)

    assert not Ballot.objects.exists()
    assert Answer.objects.values("respondent").distinct().count() == open_cycle.min_group_size + 1
    assert Comment.objects.count() == open_cycle.min_group_size + 1
    it_overall = DepartmentResult.objects.get(
        cycle=open_cycle, department=org["it"], scope="supplier", dimension="overall"
    )
    assert it_overall.respondents == open_cycle.min_group_size + 1


def test_close_deletes_the_drafts_of_people_who_did_not_submit(org, open_cycle):
    from surveys.models import Draft

    for person in [EmployeeFactory(department=org["sales"]) for _ in range(3)]:
        Draft.objects.create(
            employee=person, cycle=open_cycle, providers=[org["it"].id], answers={str(org["it"].id): {"courtesy": 1}}
        )
    other = OpenCycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED)
    kept = Draft.objects.create(employee=EmployeeFactory(department=org["it"]), cycle=other)

    cycle_close(cycle=open_cycle)

    assert list(Draft.objects.all()) == [kept]


def test_close_costs_the_same_queries_however_many_ballots_wait(org, open_cycle):
    _submitted(open_cycle, org["sales"], [org["it"]], 1, comment="Fine")
    with CaptureQueriesContext(connection) as few:
        cycle_close(cycle=open_cycle)
    later = OpenCycleFactory(name="2027-Q1")
    _submitted(later, org["it"], [org["sales"], org["executive_office"]], 4, comment="Fine")
    with CaptureQueriesContext(connection) as many:
        cycle_close(cycle=later)
    assert len(many) == len(few)
