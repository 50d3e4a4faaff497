"""The survey page's forms: the screener and the ratings.

Neither is drawn through crispy: its and Django's per-field and per-option templates took ~150 ms
and 187 KB for the ratings page's ~500 radio buttons, and half of the screener's time for 40
checkboxes. `SurveyForm.page_sections()` hands the template plain values and each question's radio
row is written here in one pass (every name escaped), as are the screener's boxes
(`ScreenerForm.boxes`, inside templates/surveys/_screener_options.html).

Forms only parse and validate; the views hand their cleaned data to surveys.services.survey.
Field names are built and parsed by `surveys.dimensions.field_name` / `parse_field_name`; drafts
store answers by (department id, question) instead (`draft_answers`, `initial_values`). A POST
naming a department that is not on the person's survey is refused whole.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping, Sequence

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from .dimensions import (
    COMMENT,
    DEPARTMENT_PLACEHOLDER,
    EXPECTATION,
    EXPECTATION_SCALE,
    MANAGEMENT,
    OUTCOME,
    OUTCOME_SCALE,
    QUESTIONS,
    SCALE,
    SELF_VIEW_SECTIONS,
    SERVICE_DIMENSIONS,
    SKIP,
    field_name,
    parse_field_name,
)
from .models import Dimension
from .selectors import Provider, ProviderChoices
from .services.survey import COMMENT_MAX_LENGTH, ProviderResponse, SelfViewResponse

SCORE_ERROR = gettext_lazy("Choose a score from 1 to 5.")


def initial_values(answers: Mapping[tuple[int, str], object]) -> dict[str, object]:
    """A draft's answers, by (department id, question), as the ratings form's initial values."""
    return {field_name(provider_id, question): value for (provider_id, question), value in answers.items()}


class ScaleWidget(forms.RadioSelect):
    """A 1–5 radio group drawn as a row of buttons showing the scale's words (no JavaScript needed).

    The page draws it with `scale_options`, not this widget's templates; the widget parses the POST.
    """


@functools.lru_cache(maxsize=4)
def _option_parts(choices: tuple[tuple[object, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """(value attribute, start of the label, end of the label) per choice, escaped once per scale."""
    parts = []
    for value, word in choices:
        if value == "":
            parts.append(('""', '<label class="scale-none">', f"{escape(word)}</label>"))
        else:
            parts.append((_attribute(str(value)), "<label>", f"<b>{escape(value)}</b> {escape(word)}</label>"))
    return tuple(parts)


def _attribute(value: str) -> str:
    """An HTML attribute value, unquoted where HTML allows it (a few KB less over ~500 radios)."""
    return value if _UNQUOTED.fullmatch(value) else f'"{escape(value)}"'


_UNQUOTED = re.compile(r"[\w-]+")


def scale_options(name: str, choices, current: str | None) -> SafeString:
    """A question's radio row: one `<label>` per score wrapping its radio, the scale's word as its text.

    Wrapping labels need no ids (500 fewer per page); the CSS draws each label as a button.
    `current` None (unanswered) ticks nothing; "" ticks "Can’t say", which only a POST drawn again
    sends (a draft keeps no "Can’t say"): an unanswered question must not look answered.
    """
    quoted = _attribute(name)
    current_attribute = None if current is None else ('""' if current == "" else _attribute(current))
    html = [
        f"{start}<input type=radio name={quoted} value={value}{' checked' if value == current_attribute else ''}>{end}"
        for value, start, end in _option_parts(tuple(choices))
    ]
    return mark_safe("".join(html))  # every part escaped above


def question_fieldset(*, section: str, name: str, label: str, question: str, errors, options: SafeString) -> SafeString:
    """One question of a section: a fieldset whose legend names the section (for screen readers),
    the question as its description, errors if any, and its radio row. Written here rather than in
    the template: 84 of them on a 12-department page were most of the template's work."""
    name = escape(name)
    described = f"q-{name}" + (f" id_{name}_error" if errors else "")
    invalid = f' scale-invalid" id="div_id_{name}' if errors else ""
    error_list = "".join(f'<p class="mb-1">{escape(error)}</p>' for error in errors)
    shown_errors = f'<div id="id_{name}_error" class="scale-error">{error_list}</div>' if errors else ""
    return mark_safe(  # every value escaped above
        f'<fieldset class="scale{invalid}" aria-describedby="{described}"><legend>'
        f'<span class="visually-hidden">{escape(section)} — </span>{escape(label)}</legend>'
        f'<p id="q-{name}">{escape(question)}</p>{shown_errors}<div>{options}</div></fieldset>'
    )


# The self-view's two parts, as the page titles them.
_SELF_VIEW_TITLES = {
    "self": gettext_lazy("How the departments you serve rate your department"),
    "self_management": gettext_lazy("How your own staff rate your management"),
}

# The words of each question's 1–5 scale by slug; the six dimensions use SCALE.
_SCALES = {EXPECTATION: EXPECTATION_SCALE, OUTCOME: OUTCOME_SCALE}


def section_question(dim: Dimension, provider_label: str) -> str:
    """A question as the section asks it: the outcome names its department (DEPARTMENT_PLACEHOLDER)."""
    # Translated at render time from the stored English (an admin-edited text is its own msgid).
    return gettext(dim.question).replace(DEPARTMENT_PLACEHOLDER, provider_label)


def _scale_field(*, slug: str, question: str) -> forms.TypedChoiceField:
    return _scale_field_in(slug=slug, question=question, language=get_language())


@functools.lru_cache(maxsize=128)
def _scale_field_in(*, slug: str, question: str, language: str) -> forms.TypedChoiceField:
    words = {value: gettext(word) for value, word in _SCALES.get(slug, SCALE).items()}
    is_expectation = slug == EXPECTATION
    return forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        # "Can’t say" un-answers a dimension or the outcome (a radio cannot be unticked); the
        # expectation has none: a section is skipped as a whole instead.
        choices=list(words.items()) if is_expectation else [*words.items(), ("", gettext("Can’t say"))],
        widget=ScaleWidget(attrs={"class": "btn-check"}),
        help_text=question,
        error_messages={"invalid_choice": SCORE_ERROR},
    )


class ProviderChoiceField(forms.TypedMultipleChoiceField):
    """The screener's checkboxes; a manager's own department gets its own, plain refusal."""

    own_department_id: int | None = None

    def validate(self, value):
        if self.own_department_id is not None and str(self.own_department_id) in {str(v) for v in value}:
            raise forms.ValidationError(
                "Managers and executives do not rate their own department. Your choices were not saved.",
                code="own_department",
            )
        super().validate(value)


class ScreenerForm(forms.Form):
    """“Which departments did you deal with this quarter?” over the departments not always included."""

    providers = ProviderChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which other departments did you deal with this quarter?",
        help_text="Tick every department whose service you used. You can change this later.",
        error_messages={
            "invalid_choice": "“%(value)s” is not one of the departments listed. Your choices were not saved."
        },
    )

    def __init__(self, *args, choices: ProviderChoices, own_department_id: int, rates_own_management: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.own_department_id = own_department_id
        self.rates_own_management = rates_own_management
        field = self.fields["providers"]
        field.choices = [(p.id, p.name) for p in choices.optional]
        field.own_department_id = None if rates_own_management else own_department_id

    def boxes(self) -> SafeString:
        """The checkboxes, one per department (templates/surveys/_screener_options.html), written
        here rather than by a template loop: at 200 departments the loop's 600 lookups and number
        formats were most of the screener's time. The names are escaped; the ids are integers."""
        invalid = " is-invalid" if self["providers"].errors else ""
        ticked = self.ticked_ids()
        return mark_safe(  # every name escaped, every id an int
            "\n".join(
                f'<div class="form-check"><input type="checkbox" class="form-check-input{invalid}" name="providers"'
                f' value="{int(pk)}" id="id_providers_{i}"{" checked" if pk in ticked else ""}>'
                f'<label for="id_providers_{i}" class="form-check-label">{escape(name)}</label></div>'
                for i, (pk, name) in enumerate(self.fields["providers"].choices)
            )
        )

    def ticked_ids(self) -> set[int]:
        """The departments to show ticked: those sent (even when refused), else the initial ones."""
        values = self["providers"].value() or []
        return {int(v) for v in values if str(v).isdigit()}

    def chosen_ids(self) -> list[int]:
        """Every provider on the survey: those always included, then the ones ticked."""
        return [p.id for p in self.choices.always] + list(self.cleaned_data["providers"])


class SurveyForm(forms.Form):
    """One section per provider: skip, six 1–5 ratings, the expectation, the outcome (optional), an
    optional comment.

    `completing=True` (the submit button) also requires each section to be skipped or to have a
    rating and the expectation; saving a draft accepts unfinished sections.
    """

    def __init__(
        self,
        *args,
        sections: Sequence[Provider],
        dimensions: Sequence[Dimension],
        own_department_id: int,
        rates_own_management: bool,
        completing: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        self.dimensions = list(dimensions)
        self.own_department_id = own_department_id
        self.rates_own_management = rates_own_management
        self.completing = completing
        self.tampered = False
        for provider in self.sections:
            self._add_section_fields(provider)
        # The self-view (blind spots): everyone says how they think the departments they serve rate
        # their own; managers and executives also how their staff rate their management. Optional.
        self.self_view_keys = [
            key for key, scope in SELF_VIEW_SECTIONS.items() if scope != MANAGEMENT or not rates_own_management
        ]
        self.self_view_dimensions = [d for d in self.dimensions if d.slug in SERVICE_DIMENSIONS]
        for key in self.self_view_keys:
            for dim in self.self_view_dimensions:
                field = copy.copy(_scale_field(slug=dim.slug, question=dim.question))
                field.label = f"{_SELF_VIEW_TITLES[key]} — {gettext(dim.label)}"
                self.fields[field_name(key, dim.slug)] = field

    def _add_section_fields(self, provider: Provider) -> None:
        name = functools.partial(field_name, provider.id)
        self.fields[name(SKIP)] = forms.BooleanField(
            required=False,
            label=gettext("I did not deal with %(department)s after all") % {"department": provider.label},
        )
        for dim in self.dimensions:
            # A shallow copy of one field per question: building 100+ choice fields from scratch
            # is most of the cost of a submission. The shared widget is never changed per field.
            field = copy.copy(_scale_field(slug=dim.slug, question=dim.question))
            field.label = f"{provider.label} — {gettext(dim.label)}"
            self.fields[name(dim.slug)] = field
        self.fields[name(COMMENT)] = forms.CharField(
            required=False,
            max_length=COMMENT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2}),
            label=gettext("Comment for %(department)s (optional)") % {"department": provider.label},
            help_text=gettext("Shown to the department without your name. Avoid details that identify you."),
        )

    def page_sections(self) -> list[dict]:
        """What the ratings template draws, per section: plain values, and each radio row as HTML."""
        return [self._page_section(provider, number) for number, provider in enumerate(self.sections, start=1)]

    def _page_section(self, provider: Provider, number: int) -> dict:
        name = functools.partial(field_name, provider.id)
        questions = []
        for dim in self.dimensions:
            bound = self[name(dim.slug)]
            value = bound.value()
            options = scale_options(bound.html_name, bound.field.choices, None if value is None else str(value))
            questions.append(
                question_fieldset(
                    section=provider.label,
                    name=bound.html_name,
                    label=gettext(dim.label),
                    question=section_question(dim, provider.label),
                    errors=bound.errors,
                    options=options,
                )
            )
        skip, comment = self[name(SKIP)], self[name(COMMENT)]
        return {
            "id": provider.id,
            "number": number,
            "label": provider.label,
            "skip": skip,
            "skipped": skip.field.widget.check_test(skip.value()),
            "questions": questions,
            "comment": comment,
            "comment_text": comment.value() or "",
        }

    def self_view_section(self) -> list[dict]:
        """What the template draws for the self-view: per part, its title and its question rows."""
        parts = []
        for key in self.self_view_keys:
            questions = []
            for dim in self.self_view_dimensions:
                bound = self[field_name(key, dim.slug)]
                value = bound.value()
                options = scale_options(bound.html_name, bound.field.choices, None if value is None else str(value))
                questions.append(
                    question_fieldset(
                        section=_SELF_VIEW_TITLES[key],
                        name=bound.html_name,
                        label=gettext(dim.label),
                        question=gettext(dim.question),
                        errors=bound.errors,
                        options=options,
                    )
                )
            parts.append({"key": key, "title": _SELF_VIEW_TITLES[key], "questions": questions})
        return parts

    def full_clean(self):
        self._tamper_problems = self._unknown_field_problems()
        self.tampered = bool(self._tamper_problems)
        super().full_clean()
        if self.tampered:
            # A tampered form keeps its errors, but nothing in it may be used.
            self.cleaned_data = {}

    def _unknown_field_problems(self) -> list[str]:
        """Fields of departments that are not on this survey (or do not exist), as messages."""
        if not self.is_bound:
            return []
        section_ids = {str(p.id) for p in self.sections}
        problems: set[str] = set()
        for name in self.data:
            parsed = parse_field_name(name)
            if parsed is None:
                continue
            dep, question = parsed
            if dep in SELF_VIEW_SECTIONS:
                if dep not in self.self_view_keys:
                    problems.add("Only managers and executives say how their staff rate their management.")
                elif question not in SERVICE_DIMENSIONS:
                    problems.add(f"“{name}” is not a question of this survey.")
            elif dep == str(self.own_department_id) and not self.rates_own_management:
                problems.add("Managers and executives do not rate their own department.")
            elif dep not in section_ids:
                problems.add(f"“{dep}” is not one of the departments on your survey.")
            elif question not in QUESTIONS and question not in {d.slug for d in self.dimensions}:
                problems.add(f"“{name}” is not a question of this survey.")
        return sorted(problems)

    def clean(self):
        cleaned = super().clean()
        if self.tampered:
            for message in self._tamper_problems:
                self.add_error(None, f"{message} Nothing was saved.")
            return cleaned
        for provider in self.sections:
            self._clean_section(provider, cleaned)
        return cleaned

    def _clean_section(self, provider: Provider, cleaned: dict) -> None:
        name = functools.partial(field_name, provider.id)
        if name(SKIP) not in cleaned:
            return
        rated = [d.slug for d in self.dimensions if d.slug in SERVICE_DIMENSIONS and cleaned.get(name(d.slug))]
        has_expectation = cleaned.get(name(EXPECTATION)) is not None
        has_outcome = cleaned.get(name(OUTCOME)) is not None
        has_comment = bool((cleaned.get(name(COMMENT)) or "").strip())
        if cleaned[name(SKIP)]:
            if rated or has_expectation or has_outcome or has_comment:
                self.add_error(
                    name(SKIP),
                    f"You ticked that you did not deal with {provider.label}, but answered questions about them: "
                    "untick this box, or clear those answers.",
                )
            return
        if not self.completing:
            return
        if not rated:
            self.add_error(
                name(SKIP),
                f"Rate {provider.label} on at least one dimension, "
                f"or tick “I did not deal with {provider.label} after all”.",
            )
        if not has_expectation:
            self.add_error(name(EXPECTATION), f"Tell us what level of service you expected from {provider.label}.")

    def responses(self) -> list[ProviderResponse]:
        """The cleaned sections, for surveys.services.survey.survey_submit."""
        result = []
        for provider in self.sections:
            name = functools.partial(field_name, provider.id)
            skipped = bool(self.cleaned_data[name(SKIP)])
            scores = {
                d.slug: self.cleaned_data[name(d.slug)]
                for d in self.dimensions
                if self.cleaned_data.get(name(d.slug)) is not None
            }
            comment = self.cleaned_data[name(COMMENT)]
            result.append(
                ProviderResponse(
                    provider_id=provider.id,
                    skipped=skipped,
                    scores={} if skipped else scores,
                    comment="" if skipped else comment,
                )
            )
        return result

    def draft_answers(self) -> dict[tuple[int, str], object]:
        """The answers as typed, for the draft, by (department id, question): only what was filled in."""
        answers = {}
        for provider in self.sections:
            for question in (SKIP, *(d.slug for d in self.dimensions), COMMENT):
                value = self.cleaned_data.get(field_name(provider.id, question))
                if value not in (None, "", False):
                    answers[provider.id, question] = value
        for key in self.self_view_keys:
            for dim in self.self_view_dimensions:
                value = self.cleaned_data.get(field_name(key, dim.slug))
                if value is not None:
                    answers[key, dim.slug] = value
        return answers

    def self_views(self) -> list[SelfViewResponse]:
        """The self-view answers given, for surveys.services.survey.survey_submit."""
        return [
            SelfViewResponse(scope=SELF_VIEW_SECTIONS[key], dimension=dim.slug, score=value)
            for key in self.self_view_keys
            for dim in self.self_view_dimensions
            if (value := self.cleaned_data.get(field_name(key, dim.slug))) is not None
        ]

    def sent_answers(self) -> dict[tuple[int, str], object]:
        """What the POST holds for this survey's sections, as sent, by (department id, question):
        the progress bar of a page drawn again from a POST."""
        sections = {str(p.id): p.id for p in self.sections}
        answers = {}
        for name in self.data:
            parsed = parse_field_name(name)
            if parsed is not None and parsed[0] in sections:
                answers[sections[parsed[0]], parsed[1]] = self.data.get(name)
        return answers

    def error_summary(self) -> list[tuple[str, str]]:
        """(wrapper element id, message) of every field error, for the summary at the top of the page."""
        return [
            (f"div_{self[name].auto_id}", str(message))
            for name, errors in self.errors.items()
            if name != forms.forms.NON_FIELD_ERRORS
            for message in errors
        ]
