"""surveys.forms: the screener and the ratings form parse, validate and lay out the survey."""

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from surveys.dimensions import EXPECTATION, OUTCOME, SERVICE_DIMENSIONS
from surveys.forms import ScreenerForm, SurveyForm, initial_values
from surveys.selectors import Provider, ProviderChoices, survey_dimensions

pytestmark = pytest.mark.django_db

EO = Provider(id=1, name="Executive Office", is_executive_office=True, always_included=True)
OWN = Provider(id=2, name="Sales", is_own_management=True, always_included=True)
IT = Provider(id=3, name="IT")
CHOICES = ProviderChoices(always=[EO, OWN], optional=[IT])


def survey_form(data=None, *, completing=False, sections=(EO, OWN, IT), own=2, rates_own=True):
    return SurveyForm(
        QueryDict(mutable=True) if data is None else data,
        sections=sections,
        dimensions=survey_dimensions(),
        own_department_id=own,
        rates_own_management=rates_own,
        completing=completing,
    )


def qd(mapping):
    data = QueryDict(mutable=True)
    for key, value in mapping.items():
        data[key] = value
    return data


def rated(dep, score="4"):
    return {**{f"p{dep}-{s}": score for s in SERVICE_DIMENSIONS}, f"p{dep}-{EXPECTATION}": "3"}


def test_screener_chosen_ids_are_always_included_plus_ticked():
    form = ScreenerForm(qd({"providers": "3"}), choices=CHOICES, own_department_id=2, rates_own_management=True)
    assert form.is_valid(), form.errors
    assert form.chosen_ids() == [1, 2, 3]


def test_screener_refuses_an_unknown_department():
    form = ScreenerForm(qd({"providers": "77"}), choices=CHOICES, own_department_id=2, rates_own_management=True)
    assert not form.is_valid()
    assert "“77” is not one of the departments listed" in str(form.errors)


def test_screener_refuses_a_managers_own_department_by_name_of_the_rule():
    choices = ProviderChoices(always=[EO], optional=[IT])
    form = ScreenerForm(qd({"providers": "2"}), choices=choices, own_department_id=2, rates_own_management=False)
    assert not form.is_valid()
    assert "Managers and executives do not rate their own department" in str(form.errors)


def test_saving_accepts_unfinished_sections_and_keeps_only_what_was_filled_in():
    form = survey_form(qd({"p1-courtesy": "5", "p3-comment": "hi"}))
    assert form.is_valid(), form.errors
    assert form.draft_answers() == {(1, "courtesy"): 5, (3, "comment"): "hi"}


def test_a_drafts_answers_come_back_as_the_forms_initial_values():
    form = survey_form(qd({"p1-courtesy": "5", "p2-skip": "on", "p3-comment": "hi"}))
    assert form.is_valid(), form.errors
    answers = form.draft_answers()
    assert answers == {(1, "courtesy"): 5, (2, "skip"): True, (3, "comment"): "hi"}
    assert initial_values(answers) == {"p1-courtesy": 5, "p2-skip": True, "p3-comment": "hi"}
    again = SurveyForm(
        initial=initial_values(answers),
        sections=(EO, OWN, IT),
        dimensions=survey_dimensions(),
        own_department_id=2,
        rates_own_management=True,
    )
    assert again["p1-courtesy"].value() == 5 and again["p2-skip"].value() and again["p3-comment"].value() == "hi"


def test_sent_answers_are_the_posts_fields_of_this_surveys_sections_as_sent():
    form = survey_form(qd({"p1-courtesy": "9", "p3-skip": "on", "p7-courtesy": "4", "pabc-skip": "on", "cycle": "x"}))
    assert form.sent_answers() == {(1, "courtesy"): "9", (3, "skip"): "on"}


def test_completing_requires_a_rating_and_the_expectation_per_section_unless_skipped():
    form = survey_form(qd({**rated(1), "p2-courtesy": "4", "p3-skip": "on"}), completing=True)
    assert not form.is_valid()
    assert list(form.errors) == ["p2-expectation"]


def test_responses_turn_sections_into_scores_skips_and_comments():
    form = survey_form(
        qd({**rated(1, "5"), "p1-comment": "ok", "p2-courtesy": "2", "p2-expectation": "4", "p3-skip": "on"})
    )
    assert form.is_valid(), form.errors
    eo, own, it = form.responses()
    assert eo.scores == {**dict.fromkeys(SERVICE_DIMENSIONS, 5), EXPECTATION: 3} and eo.comment == "ok"
    assert own.scores == {"courtesy": 2, EXPECTATION: 4} and not own.skipped
    assert it.skipped and it.scores == {}


def test_cant_say_leaves_a_dimension_unanswered():
    form = survey_form(qd({**rated(1), "p1-courtesy": "", "p2-skip": "on", "p3-skip": "on"}), completing=True)
    assert form.is_valid(), form.errors
    assert "courtesy" not in form.responses()[0].scores


def test_a_field_of_an_unknown_question_is_refused_whole():
    form = survey_form(qd({**rated(1), "p1-salary": "5"}))
    assert not form.is_valid() and form.tampered
    assert "“p1-salary” is not a question of this survey. Nothing was saved." in form.non_field_errors()


def test_the_own_department_of_a_manager_is_refused_whole():
    form = survey_form(qd({**rated(1), **rated(2)}), sections=(EO, IT), rates_own=False)
    assert not form.is_valid() and form.tampered
    assert form.cleaned_data == {}


def test_too_long_a_comment_is_refused():
    form = survey_form(qd({"p3-comment": "x" * 2001}))
    assert not form.is_valid()
    assert "p3-comment" in form.errors


def render_ratings(form) -> str:
    return render_to_string("surveys/_ratings.html", {"sections": form.page_sections()})


def test_layout_renders_one_section_per_provider_with_scale_words_and_labelled_controls():
    html = render_ratings(survey_form(None))
    assert html.count('class="survey-section card') == 3
    assert html.count("<fieldset") == 3 * 8  # six dimensions, the expectation, the outcome
    assert "I did not deal with Your management (Sales) after all" in html
    assert 'for="id_p3-comment"' in html
    assert html.count("Very poor") == 3 * 6 and html.count("Very high") == 3
    # Every radio sits inside the label that names it: "<b>1</b> Very poor" reads as "1 Very poor".
    assert html.count("<label><input type=radio") == 3 * 6 * 5 + 3 * 5 + 3 * 5
    assert html.count('<label class="scale-none"><input type=radio') == 3 * 6 + 3  # the outcome too


def test_each_section_ends_with_the_outcome_question_naming_its_department():
    html = render_ratings(survey_form(None))
    assert html.count("Strongly agree") == 3
    for name in ("Executive Office", "Your management (Sales)", "IT"):
        assert f"Overall, I get what I need from {name} to do my job well." in html
    # After the six dimensions and the expectation, in each section.
    section = html.split('class="survey-section card')[3]
    assert section.index("p3-expectation") < section.index("p3-outcome") < section.index("p3-comment")


def test_the_outcome_may_be_skipped_and_is_kept_like_any_score_when_given():
    form = survey_form(qd({**rated(1), f"p2-{OUTCOME}": "5", **rated(2), "p3-skip": "on"}), completing=True)
    assert form.is_valid(), form.errors
    eo, own, _ = form.responses()
    assert OUTCOME not in eo.scores and own.scores[OUTCOME] == 5
    assert form.draft_answers()[2, OUTCOME] == 5


def test_an_outcome_outside_the_scale_is_refused():
    form = survey_form(qd({**rated(1), f"p1-{OUTCOME}": "6"}))
    assert not form.is_valid()
    assert f"p1-{OUTCOME}" in form.errors


def test_an_outcome_alone_is_not_a_rating_and_a_skipped_section_may_not_have_one():
    form = survey_form(qd({f"p1-{OUTCOME}": "4", "p1-expectation": "3", f"p3-{OUTCOME}": "2", "p3-skip": "on"}))
    form.completing = True
    assert not form.is_valid()
    assert "Rate Executive Office on at least one dimension" in str(form.errors["p1-skip"])
    assert "but answered questions about them" in str(form.errors["p3-skip"])
