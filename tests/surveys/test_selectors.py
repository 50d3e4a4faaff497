"""surveys.selectors: who rates which departments, in which order, and how far they got."""

import pytest

from surveys import selectors
from surveys.models import Draft, Participation
from surveys.roles import Role
from surveys.selectors import (
    Provider,
    employee_for_user,
    provider_choices,
    survey_dimensions,
    survey_progress,
    survey_sections,
)
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def test_employee_sees_executive_office_and_own_management_always_and_the_rest_optional(employee, org):
    choices = provider_choices(employee=employee)
    assert [p.label for p in choices.always] == ["Executive Office", "Your management (Sales)"]
    assert [p.name for p in choices.optional] == ["IT"]


def test_manager_never_sees_own_department(manager, org):
    choices = provider_choices(employee=manager)
    assert [p.name for p in choices.always] == ["Executive Office"]
    assert "Sales" not in [p.name for p in choices.optional]


def test_executive_does_not_rate_the_executive_office(executive, org):
    choices = provider_choices(employee=executive)
    assert choices.always == []
    assert sorted(p.name for p in choices.optional) == ["IT", "Sales"]


def test_staff_of_the_executive_office_rate_it_once_as_their_management(org):
    assistant = EmployeeFactory(department=org["executive_office"], role=Role.EMPLOYEE)
    choices = provider_choices(employee=assistant)
    assert [p.label for p in choices.always] == ["Executive Office (your management)"]


def test_sections_put_executive_office_first_then_own_management_then_others_by_name(employee, org):
    DepartmentFactory(name="Accounts")
    choices = provider_choices(employee=employee)
    chosen = [p.id for p in choices.optional]
    names = [p.label for p in survey_sections(choices=choices, chosen_ids=chosen)]
    assert names == ["Executive Office", "Your management (Sales)", "Accounts", "IT"]


def test_sections_ignore_chosen_ids_that_are_not_offered(employee, org):
    choices = provider_choices(employee=employee)
    assert len(survey_sections(choices=choices, chosen_ids=[999])) == 2


def test_open_cycle_is_the_one_with_status_open(open_cycle):
    CycleFactory(name="2026-Q3")
    assert selectors.open_cycle() == open_cycle


def test_no_open_cycle_gives_none():
    CycleFactory(name="2026-Q3")
    assert selectors.open_cycle() is None


def test_employee_for_user_is_none_for_an_account_outside_the_org(outsider):
    assert employee_for_user(user=outsider) is None


def test_survey_state_tells_draft_and_participation(employee, open_cycle, org):
    assert employee_for_user(user=employee.user) == employee
    _, state = selectors.open_cycle_and_state(employee=employee)
    assert state.participation is None and state.draft is None
    draft = Draft.objects.create(employee=employee, cycle=open_cycle)
    assert selectors.open_cycle_and_state(employee=employee)[1].draft == draft
    Participation.objects.create(employee=employee, cycle=open_cycle, department=org["sales"])
    _, state = selectors.open_cycle_and_state(employee=employee)
    assert state.participation is not None and state.draft is None


def test_open_cycle_and_state_reads_the_cycle_participation_and_draft_in_one_query(
    employee, open_cycle, org, django_assert_num_queries
):
    CycleFactory(name="2026-Q1")  # another, closed cycle's rows must not leak in
    with django_assert_num_queries(1):
        cycle, state = selectors.open_cycle_and_state(employee=employee)
    assert cycle == open_cycle and state == selectors.SurveyState(participation=None, draft=None)

    other = EmployeeFactory(department=org["it"], role=Role.EMPLOYEE)
    Draft.objects.create(employee=other, cycle=open_cycle, providers=[org["sales"].id])
    draft = Draft.objects.create(
        employee=employee, cycle=open_cycle, providers=[org["it"].id], answers={str(org["it"].id): {"courtesy": 1}}
    )
    with django_assert_num_queries(1):
        _, state = selectors.open_cycle_and_state(employee=employee)
    assert state.participation is None
    read = state.draft
    assert (read.pk, read.providers, read.answers, read.updated_at) == (
        draft.pk,
        [org["it"].id],
        {str(org["it"].id): {"courtesy": 1}},
        draft.updated_at,
    )
    assert read.employee_id == employee.pk and read.cycle_id == open_cycle.pk and not read._state.adding

    done = Participation.objects.create(employee=employee, cycle=open_cycle, department=org["sales"])
    with django_assert_num_queries(1):
        _, state = selectors.open_cycle_and_state(employee=employee)
    assert state.draft is None and state.participation == done
    assert state.participation.submitted_at == done.submitted_at


def test_open_cycle_and_state_without_an_open_cycle(employee):
    CycleFactory(name="2026-Q3")
    assert selectors.open_cycle_and_state(employee=employee) == (None, selectors.SurveyState(None, None))


def test_a_user_signed_in_by_the_password_backend_brings_their_employee_record(
    employee, outsider, django_assert_num_queries
):
    from accounts.backends import PasswordBackend

    user = PasswordBackend().get_user(employee.user.pk)
    with django_assert_num_queries(0):
        read = employee_for_user(user=user)
        assert read.user is user
    assert (read.pk, read.employee_id, read.department_id, read.role) == (
        employee.pk,
        employee.employee_id,
        employee.department_id,
        employee.role,
    )
    assert read.rates_own_management == employee.rates_own_management and read.is_active
    nobody = PasswordBackend().get_user(outsider.pk)
    with django_assert_num_queries(0):
        assert employee_for_user(user=nobody) is None


def test_dimensions_come_in_survey_order_with_expectation_then_outcome_last():
    assert [d.slug for d in survey_dimensions()] == [
        "willingness",
        "ownership",
        "responsiveness",
        "reliability",
        "courtesy",
        "communication",
        "expectation",
        "outcome",
    ]


def test_progress_counts_skipped_and_complete_sections():
    sections = [Provider(id=1, name="A"), Provider(id=2, name="B"), Provider(id=3, name="C")]
    answers = {(1, "skip"): True, (2, "courtesy"): 4, (2, "expectation"): 3, (3, "courtesy"): 5}
    assert survey_progress(sections=sections, answers=answers) == (2, 3)


# --- the home page's survey state ---------------------------------------------------------------


def test_home_survey_is_not_started_with_the_closing_day_while_nothing_is_saved(employee, open_cycle):
    state = selectors.home_survey(employee=employee)
    assert state.state == selectors.HomeState.NOT_STARTED
    assert state.cycle == open_cycle and state.closes_on == open_cycle.closes_on
    assert state.accepts_answers


def test_home_survey_tells_when_a_draft_was_saved_and_how_far_it_got(employee, open_cycle, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    draft = Draft(employee=employee, cycle=open_cycle, providers=[eo, sales, it])
    draft.keyed_answers = {(eo, "courtesy"): 4, (eo, "expectation"): 3, (sales, "courtesy"): 2, (it, "skip"): True}
    draft.save()
    state = selectors.home_survey(employee=employee)
    assert state.state == selectors.HomeState.DRAFT
    assert (state.sections_done, state.sections_total) == (2, 3)  # the Executive Office rated, IT skipped
    assert state.draft_saved_at == Draft.objects.get().updated_at


def test_home_survey_tells_when_it_was_submitted(employee, open_cycle, org):
    participation = Participation.objects.create(employee=employee, cycle=open_cycle, department=org["sales"])
    state = selectors.home_survey(employee=employee)
    assert state.state == selectors.HomeState.SUBMITTED
    assert state.submitted_at == participation.submitted_at and not state.accepts_answers


def test_home_survey_after_the_last_day_of_an_open_cycle_says_answers_are_over(employee, open_cycle):
    import datetime

    from django.utils import timezone

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    type(open_cycle).objects.filter(pk=open_cycle.pk).update(closes_on=yesterday)
    state = selectors.home_survey(employee=employee)
    assert state.state == selectors.HomeState.RESULTS_PENDING and state.closed_on == yesterday


def test_home_survey_without_an_open_cycle_names_the_last_cycle_run_and_whether_results_are_out(employee, org):
    import datetime

    from django.utils import timezone

    from surveys.models import Cycle

    assert selectors.home_survey(employee=employee).state == selectors.HomeState.NO_SURVEY
    closed_at = timezone.make_aware(datetime.datetime(2026, 9, 30, 18, 0))
    CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED, closed_at=closed_at - datetime.timedelta(days=90))
    CycleFactory(name="2027-Q1", status=Cycle.Status.CLOSED, is_historical=True)  # history: not a survey run here
    q3 = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, closed_at=closed_at)
    Participation.objects.create(employee=employee, cycle=q3, department=org["sales"])

    state = selectors.home_survey(employee=employee)
    assert state.state == selectors.HomeState.RESULTS_PENDING
    assert state.cycle == q3 and state.closed_on == datetime.date(2026, 9, 30) and state.took_part

    Cycle.objects.filter(pk=q3.pk).update(status=Cycle.Status.PUBLISHED)
    state = selectors.home_survey(employee=employee)
    assert state.state == selectors.HomeState.RESULTS_PUBLISHED and state.cycle == q3


@pytest.mark.parametrize("cycles", [1, 30])
def test_home_survey_costs_one_query_with_a_cycle_open_and_two_without(
    employee, org, django_assert_num_queries, cycles
):
    from surveys.models import Cycle

    for n in range(cycles):
        past = CycleFactory(name=f"{2000 + n}-Q1", status=Cycle.Status.PUBLISHED)
        Participation.objects.create(employee=employee, cycle=past, department=org["sales"])
    # The last cycle run, with whether the person took part in it; before it, the open-cycle read.
    with django_assert_num_queries(2):
        assert selectors.home_survey(employee=employee).state == selectors.HomeState.RESULTS_PUBLISHED
    open_cycle = CycleFactory(name="2099-Q1", status=Cycle.Status.OPEN)
    Draft.objects.create(employee=employee, cycle=open_cycle, providers=[d.id for d in org.values()])
    # The open cycle with the person's participation and draft in it: nothing else.
    with django_assert_num_queries(1):
        assert selectors.home_survey(employee=employee).state == selectors.HomeState.DRAFT


def test_submission_summary_counts_answers_and_comments_per_section_in_order():
    sections = [Provider(id=1, name="A"), Provider(id=2, name="B"), Provider(id=3, name="C")]
    answers = {
        (1, "courtesy"): 4,
        (1, "ownership"): 2,
        (1, "expectation"): 3,
        (1, "comment"): "Quick",
        (2, "skip"): True,
        (3, "courtesy"): 5,
        (3, "expectation"): 4,
        (3, "comment"): "  ",
    }
    summary = selectors.submission_summary(sections=sections, answers=answers)
    assert [(s.label, s.answers, s.commented) for s in summary.rated] == [("A", 3, True), ("C", 2, False)]
    assert summary.skipped == ["B"]
    assert (summary.answers, summary.comments) == (5, 1)
