"""The self-view questions (blind spots) on /survey/: optional, kept in the draft, carried through
the confirmation step, sealed in the ballot and moved like the ratings, with no link to a person."""

import html
import re

import pytest

from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Answer, Ballot, Draft, Participation, SelfViewAnswer
from surveys.services.ballots import ballots_move
from tests.surveys.test_views import URL, post_ratings, rated

pytestmark = pytest.mark.django_db


def self_view(score="5", key="self"):
    return {f"p{key}-{slug}": score for slug in SERVICE_DIMENSIONS}


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee.user)
    return client


@pytest.fixture
def draft(employee, open_cycle, org):
    return Draft.objects.create(
        employee=employee, cycle=open_cycle, providers=[org["executive_office"].id, org["sales"].id, org["it"].id]
    )


def test_the_page_asks_the_self_view_with_cant_say_and_a_manager_also_about_their_management(
    client, employee, manager, open_cycle, org
):
    Draft.objects.create(employee=employee, cycle=open_cycle, providers=[org["it"].id])
    client.force_login(employee.user)
    page = client.get(URL).content.decode()
    assert "How do you think others see your department?" in page
    assert 'name=pself-ownership value=""' in page  # "Can’t say", as the other questions
    assert "pself_management-" not in page  # staff do not rate their own management's self-view
    Draft.objects.create(employee=manager, cycle=open_cycle, providers=[org["it"].id])
    client.force_login(manager.user)
    page = client.get(URL).content.decode()
    assert "How your own staff rate your management" in page and "pself_management-ownership" in page


def test_the_self_view_is_optional(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    response = post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it)})
    assert response.status_code == 302 and Participation.objects.count() == 1
    assert Ballot.objects.get().self_views == []


def test_the_self_view_is_saved_in_the_draft_and_shown_again(signed_in, draft, org):
    post_ratings(signed_in, draft, {**rated(org["it"].id), "pself-courtesy": "2"}, "save")
    assert Draft.objects.get(pk=draft.pk).answers["self"] == {"courtesy": 2}
    assert "name=pself-courtesy value=2 checked" in signed_in.get(URL).content.decode()


def test_the_self_view_travels_through_the_confirmation_into_the_ballot(signed_in, draft, org, employee):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo), **rated(sales), **rated(it), **self_view("4"), "pself-courtesy": "5"}
    page = post_ratings(signed_in, draft, data, confirm=False).content.decode()
    assert "<strong>How you think others see your department</strong>: 6 answers" in page
    start = page.index('<form method="post" action="/survey/"')
    form = page[start : page.index("</form>", start)]
    sent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    sent = {name: html.unescape(value) for name, value in sent.items() if name != "csrfmiddlewaretoken"}
    assert sent["pself-courtesy"] == "5"
    assert signed_in.post(URL, sent).status_code == 302
    ballot = Ballot.objects.get()
    assert sorted(score for scope, _, score in ballot.self_views) == [4, 4, 4, 4, 4, 5]
    assert {scope for scope, _, _ in ballot.self_views} == {"supplier"}
    assert len(ballot.answers) == 3 * 7  # the self-view is not among the ratings


def test_staff_cannot_send_a_management_self_view(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo), **rated(sales), **rated(it), **self_view("5", "self_management")}
    response = post_ratings(signed_in, draft, data)
    assert response.status_code == 400
    assert "Only managers and executives" in response.content.decode()
    assert Participation.objects.count() == 0 and not Ballot.objects.exists()


def test_a_self_view_score_outside_1_to_5_is_refused_and_nothing_is_saved(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    response = post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it), "pself-courtesy": "9"})
    assert response.status_code == 200 and "Choose a score from 1 to 5." in response.content.decode()
    assert Participation.objects.count() == 0


def test_moved_self_views_have_no_link_to_a_person_nor_to_their_ratings(client, open_cycle, org):
    """Through the ballot path: the moved rows hold department, scope, dimension, score and a
    respondent key drawn at the move that is none of the ratings' keys; no person key."""
    from tests.factories import EmployeeFactory

    people = [EmployeeFactory(department=org["sales"]) for _ in range(open_cycle.min_group_size)]
    it = org["it"].id
    for person in people:
        d = Draft.objects.create(employee=person, cycle=open_cycle, providers=[it])
        client.force_login(person.user)
        data = {**rated(it), **rated(org["executive_office"].id), **rated(org["sales"].id), **self_view("5")}
        assert post_ratings(client, d, data).status_code == 302
    ballots_move(cycle_id=open_cycle.pk, final=True)
    assert not Ballot.objects.exists()
    rows = SelfViewAnswer.objects.all()
    assert rows.count() == 6 * len(people)
    assert set(rows.values_list("department_id", flat=True)) == {org["sales"].id}
    fields = {f.name for f in SelfViewAnswer._meta.get_fields()}
    assert fields == {"pk", "cycle", "respondent", "department", "scope", "dimension", "score"}
    self_keys = set(rows.values_list("respondent", flat=True))
    assert len(self_keys) == len(people)
    assert not self_keys & set(Answer.objects.values_list("respondent", flat=True))
