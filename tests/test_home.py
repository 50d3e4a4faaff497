"""The home page (chainsurvey/views.home): where the person stands with the survey, in every state."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Cycle, Draft, Participation
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db


def home(client, person) -> str:
    client.force_login(person.user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_not_started_says_so_with_the_closing_day(client, employee, open_cycle):
    html = home(client, employee)
    assert 'Survey 2026-Q4: <span class="home-survey-status">not started</span>' in html
    assert f"open until the end of <strong>{open_cycle.closes_on:%A %-d %B %Y}</strong>" in html
    assert ">Start my survey</a>" in html


def test_a_saved_draft_says_when_and_how_far(client, employee, open_cycle, org):
    eo, sales = org["executive_office"].id, org["sales"].id
    draft = Draft(employee=employee, cycle=open_cycle, providers=[eo, sales])
    draft.keyed_answers = {(eo, "courtesy"): 4, (eo, "expectation"): 3}
    draft.save()
    html = home(client, employee)
    assert "draft saved</span>, not submitted" in html
    assert f"You last saved your answers on {timezone.localtime(draft.updated_at):%-d %B %Y, %H:%M}" in html
    assert "1 of 2 departments done" in html
    assert ">Continue my survey</a>" in html and "Tell us how the departments" not in html


def test_after_submitting_it_says_submitted_on_the_day_and_when_results_come(client, employee, open_cycle, org):
    Participation.objects.create(employee=employee, cycle=open_cycle, department=org["sales"])
    html = home(client, employee)
    assert f"submitted</span> on {timezone.localdate():%-d %B %Y}" in html
    assert f"Results come after the survey closes on {open_cycle.closes_on:%-d %B %Y}" in html
    assert "my survey</a>" not in html


def test_with_no_cycle_open_it_says_when_the_last_closed_and_that_results_are_being_prepared(client, employee):
    closed_at = timezone.make_aware(datetime.datetime(2026, 9, 30, 12, 0))
    CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, closed_at=closed_at)
    html = home(client, employee)
    assert "No survey is open right now" in html
    assert "The survey 2026-Q3 closed on 30 September 2026" in html
    assert "Its results are being prepared" in html
    assert "my survey</a>" not in html


def test_published_results_link_to_what_each_role_may_see(client, employee, manager, executive):
    cycle = CycleFactory(
        name="2026-Q3",
        status=Cycle.Status.PUBLISHED,
        closed_at=timezone.make_aware(datetime.datetime(2026, 9, 30, 12, 0)),
        published_at=timezone.make_aware(datetime.datetime(2026, 10, 7, 12, 0)),
    )
    html = home(client, employee)
    assert "Its results are <strong>published</strong> (since 7 October 2026)" in html
    assert 'href="/actions/">What the departments promised' in html and "/reports/" not in html
    html = home(client, manager)
    assert f'href="/reports/{cycle.name}/departments/sales/">Sales\'s results for 2026-Q3</a>' in html
    html = home(client, executive)
    assert f'href="/reports/{cycle.name}/">The results of 2026-Q3</a>' in html


def test_before_any_cycle_it_says_the_first_survey_will_open_here(client, employee):
    assert "No survey has been run yet" in home(client, employee)


def test_an_account_outside_the_org_gets_no_survey_card(client, outsider, open_cycle):
    client.force_login(outsider)
    assert "home-survey" not in client.get("/").content.decode()


@pytest.mark.parametrize("past_cycles", [0, 20])
@pytest.mark.parametrize("cycle_open", [True, False], ids=["open", "none-open"])
def test_the_home_page_costs_a_fixed_number_of_queries(
    client, employee, org, django_assert_num_queries, past_cycles, cycle_open
):
    for n in range(past_cycles):
        past = CycleFactory(name=f"{2000 + n}-Q1", status=Cycle.Status.PUBLISHED)
        Participation.objects.create(employee=employee, cycle=past, department=org["sales"])
    if cycle_open:
        cycle = CycleFactory(name="2099-Q1", status=Cycle.Status.OPEN)
        Draft.objects.create(employee=employee, cycle=cycle, providers=[org["executive_office"].id])
    client.force_login(employee.user)
    # the session with its user and their employee record (one statement: accounts.sessions); the open cycle with the
    # person's participation and draft (surveys.selectors.home_survey); with none open, the last cycle run and whether
    # they took part; the visible cycles (the commitments block); the user's and their groups' permissions (the
    # template's `perms`).
    with django_assert_num_queries(5 if cycle_open else 6):
        response = client.get("/")
    assert response.status_code == 200
