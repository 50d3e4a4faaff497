"""/survey/: the screener, the ratings, save and resume, submit once, and every refusal."""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from surveys.dimensions import EXPECTATION, SERVICE_DIMENSIONS
from surveys.models import Answer, Ballot, Comment, Cycle, Draft, Participation
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/survey/"


class _CheckedRadios(HTMLParser):
    def __init__(self):
        super().__init__()
        self.checked: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "input" and found.get("type") == "radio" and "checked" in found:
            self.checked.setdefault(found["name"], []).append(found.get("value"))


def checked_radios(html: str) -> dict[str, list[str]]:
    """{radio group name: the values ticked} as a browser reads the page."""
    parser = _CheckedRadios()
    parser.feed(html)
    return parser.checked


def nothing_written():
    return not (
        Answer.objects.exists() or Comment.objects.exists() or Participation.objects.exists() or Ballot.objects.exists()
    )


def submitted_scores():
    """Every score submitted so far, as (provider, dimension, score): moved or still in the ballot box."""
    moved = Answer.objects.values_list("provider_department_id", "dimension_id", "score")
    sealed = [tuple(a) for answers in Ballot.objects.values_list("answers", flat=True) for a in answers]
    return sorted([*moved, *sealed])


def rated(dep_id, score="4", expectation="3", comment=""):
    fields = {f"p{dep_id}-{slug}": score for slug in SERVICE_DIMENSIONS}
    fields[f"p{dep_id}-{EXPECTATION}"] = expectation
    if comment:
        fields[f"p{dep_id}-comment"] = comment
    return fields


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee.user)
    return client


@pytest.fixture
def draft(employee, open_cycle, org):
    return Draft.objects.create(
        employee=employee, cycle=open_cycle, providers=[org["executive_office"].id, org["sales"].id, org["it"].id]
    )


def post_ratings(client, draft, data, action="submit", confirm=True):
    """The ratings form's POST; a submit carries confirm=1 (the confirmation page's POST) unless
    `confirm` is false (the first press, which asks)."""
    sent = {"cycle": draft.cycle.name, "draft": str(draft.pk), "action": action, **data}
    if action == "submit" and confirm:
        sent["confirm"] = "1"
    return client.post(URL, sent)


# --- who sees what -------------------------------------------------------------------------------


def test_account_outside_the_org_file_gets_a_friendly_403_and_no_form(client, outsider, open_cycle):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 403
    assert "not in the org file" in response.content.decode()
    assert b'<form method="post" action="/survey/"' not in response.content


def test_without_an_open_cycle_the_page_says_so_and_shows_no_form(signed_in):
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert "no survey open right now" in response.content.decode()
    assert b'name="cycle"' not in response.content


def test_an_open_cycle_past_its_closing_day_shows_no_form(signed_in, open_cycle):
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    response = signed_in.get(URL)
    assert "The survey 2026-Q4 is closed" in response.content.decode()
    assert b'name="cycle"' not in response.content


def test_screener_always_includes_executive_office_and_own_management(signed_in, open_cycle):
    html = signed_in.get(URL).content.decode()
    assert "Which departments did you deal with this quarter?" in html
    always = html[html.index("Always on your survey") : html.index("</ul>", html.index("Always on your survey"))]
    assert "Executive Office" in always and "Your management (Sales)" in always
    assert 'value="' in html and ">IT</label>" in html.replace("\n", "").replace("  ", "")
    assert "anonymous" in html and "at least 5 people" in html


def test_manager_screener_offers_neither_own_department_nor_own_management(client, manager, open_cycle, org):
    client.force_login(manager.user)
    html = client.get(URL).content.decode()
    assert "Your management" not in html
    assert f'value="{org["sales"].id}"' not in html


# --- the walk through: screener, save, resume, submit ------------------------------------------


def test_employee_chooses_departments_saves_resumes_and_submits_once(signed_in, employee, open_cycle, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    response = signed_in.post(URL, {"cycle": "2026-Q4", "draft": "", "step": "departments", "providers": [str(it)]})
    assert response.status_code == 302
    draft = Draft.objects.get(employee=employee)
    assert sorted(draft.providers) == sorted([eo, sales, it])

    html = signed_in.get(URL).content.decode()
    # Executive Office first, then own management, then the others.
    positions = [html.index(f'id="section-{dep}"') for dep in (eo, sales, it)]
    assert positions == sorted(positions)
    assert "Your management (Sales)" in html
    assert "0 of 3" in html

    response = post_ratings(signed_in, draft, {**rated(eo, "5", comment="Clear goals"), f"p{it}-courtesy": "2"}, "save")
    assert response.status_code == 302
    assert nothing_written()

    html = signed_in.get(URL).content.decode()
    assert "1 of 3" in html
    assert checked_radios(html)[f"p{eo}-willingness"] == ["5"]
    assert "Clear goals" in html

    data = {**rated(eo, "5", comment="Clear goals"), **rated(sales, "3"), f"p{it}-skip": "on"}
    response = post_ratings(signed_in, draft, data)
    assert response.status_code == 302
    assert Participation.objects.filter(employee=employee, cycle=open_cycle).exists()
    # The answers wait in the ballot box for a full batch (see test_services_ballots)...
    assert len(submitted_scores()) == 14 and not Answer.objects.exists()
    assert Ballot.objects.get().comments == [[eo, "Clear goals"]]
    assert not Draft.objects.exists()

    # ...and the page says the survey is in right away.
    confirmation = signed_in.get(URL)
    assert "your survey for 2026-Q4 is in" in confirmation.content.decode()
    assert b'name="action"' not in confirmation.content


def test_saved_draft_restores_exactly_what_was_chosen(signed_in, draft, org):
    eo = org["executive_office"].id
    post_ratings(signed_in, draft, {f"p{eo}-ownership": "2", f"p{eo}-comment": "Slow replies"}, "save")
    # Stored by department and question, not by the form's field names.
    assert Draft.objects.get(pk=draft.pk).answers == {str(eo): {"ownership": 2, "comment": "Slow replies"}}
    html = signed_in.get(URL).content.decode()
    assert checked_radios(html)[f"p{eo}-ownership"] == ["2"]
    assert "Slow replies" in html


def test_each_rating_group_is_a_fieldset_whose_legend_names_provider_and_dimension(signed_in, draft):
    html = signed_in.get(URL).content.decode()
    assert html.count("<fieldset") >= 3 * 7
    assert '<legend><span class="visually-hidden">Executive Office — </span>Willingness to help' in html
    assert '<span class="visually-hidden">Your management (Sales) — </span>What you expected' in html
    for word in ("Very poor", "Poor", "Acceptable", "Good", "Excellent", "Very low", "Very high"):
        assert word in html


# --- validation keeps what was typed ------------------------------------------------------------


def test_submit_with_a_section_lacking_expectation_shows_the_error_next_to_it_and_keeps_input(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo), **rated(sales), f"p{it}-courtesy": "5", f"p{it}-comment": "Nice people"}
    response = post_ratings(signed_in, draft, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tell us what level of service you expected from IT." in html
    assert f'id="id_p{it}-expectation_error"' in html
    assert "Nice people" in html
    assert nothing_written() and Draft.objects.filter(pk=draft.pk).exists()


def test_submit_with_an_untouched_section_asks_to_rate_or_skip_it(signed_in, draft, org):
    eo, sales = org["executive_office"].id, org["sales"].id
    response = post_ratings(signed_in, draft, {**rated(eo), **rated(sales)})
    html = response.content.decode()
    assert "Rate IT on at least one dimension, or tick “I did not deal with IT after all”." in html
    assert nothing_written()


@pytest.mark.parametrize("score", ["0", "6", "abc", "2.5"])
def test_out_of_range_or_non_integer_scores_are_refused(signed_in, draft, org, score):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    response = post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it, score=score)})
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert nothing_written()


@pytest.mark.parametrize("action", ["save", "submit"])
def test_ratings_for_a_skipped_provider_are_refused(signed_in, draft, org, action):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo), **rated(sales), **rated(it), f"p{it}-skip": "on"}
    response = post_ratings(signed_in, draft, data, action)
    assert "You ticked that you did not deal with IT, but answered questions about them" in response.content.decode()
    assert nothing_written()
    assert Draft.objects.get(pk=draft.pk).answers == {}


# --- tampered posts: refused whole --------------------------------------------------------------


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_provider_id_that_is_not_a_department_is_refused(signed_in, draft, org, action):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo), **rated(sales), **rated(it), **rated(999999)}
    response = post_ratings(signed_in, draft, data, action)
    assert response.status_code == 400
    assert "“999999” is not one of the departments on your survey. Nothing was saved." in response.content.decode()
    assert nothing_written() and Draft.objects.get(pk=draft.pk).answers == {}


def test_a_department_not_chosen_in_the_screener_is_refused(signed_in, draft, org):
    finance = DepartmentFactory(name="Finance")
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    response = post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it), **rated(finance.id)})
    assert response.status_code == 400
    assert nothing_written()


def test_manager_rating_own_department_is_refused(client, manager, open_cycle, org):
    client.force_login(manager.user)
    eo, sales = org["executive_office"].id, org["sales"].id
    draft = Draft.objects.create(employee=manager, cycle=open_cycle, providers=[eo])
    response = post_ratings(client, draft, {**rated(eo), **rated(sales)})
    assert response.status_code == 400
    assert "Managers and executives do not rate their own department." in response.content.decode()
    assert nothing_written()


def test_manager_choosing_own_department_in_the_screener_is_refused(client, manager, open_cycle, org):
    client.force_login(manager.user)
    response = client.post(
        URL, {"cycle": "2026-Q4", "draft": "", "step": "departments", "providers": [str(org["sales"].id)]}
    )
    assert response.status_code == 400
    assert "Managers and executives do not rate their own department" in response.content.decode()
    assert not Draft.objects.exists()


def test_screener_refuses_a_provider_id_that_is_not_a_department(signed_in, open_cycle):
    response = signed_in.post(URL, {"cycle": "2026-Q4", "draft": "", "step": "departments", "providers": ["424242"]})
    assert response.status_code == 400
    assert "“424242” is not one of the departments listed" in response.content.decode()
    assert not Draft.objects.exists()


def test_a_post_for_a_closed_cycle_is_refused(signed_in, draft, org):
    Cycle.objects.filter(pk=draft.cycle_id).update(status=Cycle.Status.CLOSED)
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    response = post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it)})
    assert response.status_code == 409
    assert "what you sent was not saved" in response.content.decode()
    assert nothing_written()


def test_a_post_naming_another_cycle_is_refused(signed_in, draft, org):
    data = {
        **rated(org["executive_office"].id),
        "cycle": "2026-Q3",
        "draft": str(draft.pk),
        "action": "submit",
        "confirm": "1",
    }
    response = signed_in.post(URL, data)
    assert response.status_code == 409
    assert nothing_written()


def test_a_post_with_somebody_elses_draft_is_refused(signed_in, employee, open_cycle, org):
    colleague = EmployeeFactory(department=org["it"])
    theirs = Draft.objects.create(employee=colleague, cycle=open_cycle, providers=[org["sales"].id])
    Draft.objects.create(employee=employee, cycle=open_cycle, providers=[org["it"].id])
    response = post_ratings(signed_in, theirs, rated(org["sales"].id))
    assert response.status_code == 403
    assert "belongs to someone else" in response.content.decode()
    assert nothing_written() and Draft.objects.get(pk=theirs.pk).answers == {}


def test_a_second_submission_is_refused_and_changes_nothing(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it)})
    before = submitted_scores()
    assert len(before) == 21
    response = post_ratings(signed_in, draft, {**rated(eo, "1"), **rated(sales, "1"), **rated(it, "1")})
    assert response.status_code == 409
    assert "already submitted your survey for 2026-Q4" in response.content.decode()
    assert submitted_scores() == before


# --- query counts -------------------------------------------------------------------------------


def _many_departments(count):
    return [DepartmentFactory() for _ in range(count)]


@pytest.mark.parametrize("extra_departments", [0, 40])
def test_survey_page_costs_a_fixed_number_of_queries(
    client, employee, open_cycle, org, django_assert_num_queries, extra_departments
):
    others = _many_departments(extra_departments)
    Draft.objects.create(employee=employee, cycle=open_cycle, providers=[org["it"].id, *[d.id for d in others]])
    client.force_login(employee.user)
    # the session with its user, their role and employee record (one statement: accounts.sessions);
    # the open cycle (with the participation
    # and draft in it); departments; dimensions.
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize("extra_departments", [0, 12])
def test_submitting_costs_a_fixed_number_of_queries(
    client, employee, open_cycle, org, django_assert_num_queries, extra_departments
):
    others = _many_departments(extra_departments)
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    draft = Draft.objects.create(employee=employee, cycle=open_cycle, providers=[it, *[d.id for d in others]])
    data = {**rated(eo, comment="a"), **rated(sales, comment="b"), **rated(it, comment="c")}
    for d in others:
        data.update(rated(d.id, comment="d"))
    client.force_login(employee.user)
    # the session with its user and their employee record (one statement: accounts.sessions); the open cycle (with
    # participation and draft); departments; dimensions; then the 8 queries of the submission (see
    # test_services_survey); the redirect renders no template. (The ballot box's check runs once the request's
    # transaction commits: not inside this test's.)
    with django_assert_num_queries(12):
        response = post_ratings(client, draft, data)
    assert response.status_code == 302
    assert len(submitted_scores()) == 7 * (3 + extra_departments)


def test_inactive_employee_record_gets_the_not_in_org_page(client, org, open_cycle, settings):
    # Django's default backend already treats an inactive user as signed out (sent to the login
    # page); with a backend that lets them through, the page itself still refuses.
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
    gone = EmployeeFactory(department=org["it"], role=Role.EMPLOYEE, user=UserFactory(is_active=False))
    client.force_login(gone.user)
    response = client.get(URL)
    assert response.status_code == 403
    assert "not in the org file" in response.content.decode()
    assert b'name="cycle"' not in response.content


def test_inactive_employee_is_signed_out_by_the_default_backend(client, org, open_cycle):
    gone = EmployeeFactory(department=org["it"], role=Role.EMPLOYEE, user=UserFactory(is_active=False))
    client.force_login(gone.user)
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- submitting is final: the confirmation step ---------------------------------------------------


def test_submit_first_asks_for_confirmation_with_a_summary_and_keeps_the_answers_in_the_draft(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo, comment="Clear goals"), **rated(sales), f"p{it}-skip": "on"}
    response = post_ratings(signed_in, draft, data, confirm=False)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Submitting is final: you cannot change your answers afterwards." in html
    assert "14 answers</strong> about <strong>2 departments</strong>, with 1 comment" in html
    assert "<strong>Executive Office</strong>: 7 answers and a comment" in html
    assert "<strong>IT</strong>: not rated" in html
    assert nothing_written() and Participation.objects.count() == 0
    # Nothing is lost by leaving here: the draft holds the answers.
    assert Draft.objects.get(pk=draft.pk).answers[str(eo)]["comment"] == "Clear goals"
    # The confirmation sends the same answers again, with confirm=1.
    assert 'name="confirm" value="1"' in html and 'name="action" value="submit"' in html
    assert f'name="p{eo}-comment" value="Clear goals"' in html and f'name="p{it}-skip" value="on"' in html


def test_the_confirmation_form_as_the_page_writes_it_submits(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo, "5", comment="Clear <b>goals</b> & more"), **rated(sales), f"p{it}-skip": "on"}
    page = post_ratings(signed_in, draft, data, confirm=False).content.decode()
    start = page.index('<form method="post" action="/survey/"')
    form = page[start : page.index("</form>", start)]
    sent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    sent = {name: html.unescape(value) for name, value in sent.items() if name != "csrfmiddlewaretoken"}
    assert sent["confirm"] == "1"
    response = signed_in.post(URL, sent)
    assert response.status_code == 302
    assert len(submitted_scores()) == 14
    assert Ballot.objects.get().comments == [[eo, "Clear <b>goals</b> & more"]]
    assert not Draft.objects.exists()


@pytest.mark.parametrize("confirm", ["", "yes", "0"])
def test_only_confirm_1_submits(signed_in, draft, org, confirm):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    data = {**rated(eo), **rated(sales), **rated(it), "confirm": confirm}
    response = post_ratings(signed_in, draft, data, confirm=False)
    assert response.status_code == 200 and "Submitting is final" in response.content.decode()
    assert nothing_written() and Participation.objects.count() == 0


def test_a_tampered_confirmation_loses_nothing_and_submits_nothing(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    post_ratings(signed_in, draft, {**rated(eo, "2"), **rated(sales)}, "save")
    saved = Draft.objects.get(pk=draft.pk).answers
    tampered = {**rated(eo), **rated(sales), **rated(it), **rated(999999)}
    response = post_ratings(signed_in, draft, tampered)  # confirm=1, with a department not on the survey
    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert nothing_written() and Participation.objects.count() == 0
    assert Draft.objects.get(pk=draft.pk).answers == saved


def test_the_thank_you_page_says_what_happens_next(signed_in, draft, org):
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    post_ratings(signed_in, draft, {**rated(eo), **rated(sales), **rated(it)})
    html = signed_in.get(URL).content.decode()
    assert "What happens next" in html
    assert f"closes at the end of <strong>{draft.cycle.closes_on:%-d %B %Y}</strong>. Results come after that" in html
    assert "Your answers are anonymous." in html and "at least 5 people" in html


# --- unanswered looks unanswered ----------------------------------------------------------------


def test_a_resumed_draft_ticks_nothing_on_the_questions_it_left_unanswered(signed_in, draft, org):
    eo = org["executive_office"].id
    post_ratings(signed_in, draft, {f"p{eo}-ownership": "2", f"p{eo}-courtesy": ""}, "save")
    checked = checked_radios(signed_in.get(URL).content.decode())
    assert checked == {f"p{eo}-ownership": ["2"]}  # no "Can’t say" ticked anywhere


def test_can_t_say_chosen_stays_ticked_on_a_page_drawn_again_from_the_post(signed_in, draft, org):
    eo, sales = org["executive_office"].id, org["sales"].id
    response = post_ratings(signed_in, draft, {**rated(eo), f"p{sales}-courtesy": ""})  # IT is missing
    assert response.status_code == 200
    checked = checked_radios(response.content.decode())
    assert checked[f"p{sales}-courtesy"] == [""] and f"p{sales}-ownership" not in checked


@pytest.mark.parametrize("extra_departments", [0, 12])
def test_asking_to_confirm_costs_a_fixed_number_of_queries(
    client, employee, open_cycle, org, django_assert_num_queries, extra_departments
):
    others = _many_departments(extra_departments)
    eo, sales, it = org["executive_office"].id, org["sales"].id, org["it"].id
    draft = Draft.objects.create(employee=employee, cycle=open_cycle, providers=[it, *[d.id for d in others]])
    data = {**rated(eo, comment="a"), **rated(sales), **rated(it)}
    for d in others:
        data.update(rated(d.id))
    client.force_login(employee.user)
    # the session with its user (one statement); the open cycle (with participation and draft);
    # departments; dimensions; then
    # the draft's save (savepoint, the cycle locked, submitted already?, the draft locked, its
    # update, release); the confirmation page reads nothing more.
    with django_assert_num_queries(10):
        response = post_ratings(client, draft, data, confirm=False)
    assert response.status_code == 200
