"""Reads for the survey page: who is asking, which cycle is open, which departments they rate.

Each function costs one query at most, whatever the size of the org, so the page's query count is
fixed (pinned in tests/surveys/test_views.py).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .dimensions import ALL_DIMENSIONS, COMMENT, EXPECTATION, SERVICE_DIMENSIONS, SKIP
from .models import Answer, Cycle, Department, Dimension, Draft, Employee, Participation


@dataclass(frozen=True)
class Provider:
    """A department as the signed-in employee sees it on their survey."""

    id: int
    name: str
    is_executive_office: bool = False
    is_own_management: bool = False
    always_included: bool = False

    @property
    def label(self) -> str:
        if self.is_own_management and self.is_executive_office:
            return f"{self.name} (your management)"
        if self.is_own_management:
            return f"Your management ({self.name})"
        return self.name


@dataclass(frozen=True)
class ProviderChoices:
    """The screener's departments: those always on the survey and those the employee may pick."""

    always: list[Provider]
    optional: list[Provider]

    @property
    def by_id(self) -> dict[int, Provider]:
        return {p.id: p for p in (*self.always, *self.optional)}


@dataclass(frozen=True)
class SurveyState:
    participation: Participation | None
    draft: Draft | None


def employee_for_user(*, user: AbstractBaseUser) -> Employee | None:
    """The org-file record of a signed-in user, or None for an account that is nobody in the org.

    No query for a user signed in through accounts.backends.PasswordBackend, which reads the
    record with the user."""
    if hasattr(user, "chain_survey_employee"):
        if user.chain_survey_employee is None:
            return None
        fields = ["id", "user_id", "employee_id", "department_id", "role"]
        values = [
            user.chain_survey_employee,
            user.pk,
            user.chain_survey_employee_key,
            user.chain_survey_department,
            user.chain_survey_org_role,
        ]
        employee = Employee.from_db(user._state.db, fields, values)
        employee.user = user
        return employee
    return Employee.objects.select_related("department", "user").filter(user_id=user.pk).first()


def open_cycle() -> Cycle | None:
    """The one cycle with status open (a database constraint allows at most one), or None."""
    return Cycle.objects.filter(status=Cycle.Status.OPEN).first()


def open_cycle_and_state(*, employee: Employee) -> tuple[Cycle | None, SurveyState]:
    """`open_cycle()` and whether the employee already took part in it or has a draft, in one
    query: each step of the survey asks for both. The SQL is written once per process: the ORM
    took ~4x longer to compile this join than the database took to run it."""
    found = list(Cycle.objects.raw(_open_cycle_and_state_sql(), [employee.pk, employee.pk, Cycle.Status.OPEN]))
    if not found:
        return None, SurveyState(participation=None, draft=None)
    cycle = found[0]
    participation = _joined_row(Participation, cycle, employee_id=employee.pk)
    draft = None if participation else _joined_row(Draft, cycle, employee_id=employee.pk)
    return cycle, SurveyState(participation=participation, draft=draft)


_JOINED_FIELDS = {Participation: ("id", "submitted_at"), Draft: ("id", "providers", "answers", "updated_at")}


@functools.cache
def _open_cycle_and_state_sql() -> str:
    quote = connection.ops.quote_name

    def joined(model, alias):
        return [
            f"{alias}.{quote(name)} AS {quote(f'_{model._meta.model_name}_{name}')}" for name in _JOINED_FIELDS[model]
        ]

    columns = ", ".join(["c.*", *joined(Participation, "p"), *joined(Draft, "d")])
    return (
        f"SELECT {columns} FROM {quote(Cycle._meta.db_table)} c"
        f" LEFT JOIN {quote(Participation._meta.db_table)} p ON p.cycle_id = c.id AND p.employee_id = %s"
        f" LEFT JOIN {quote(Draft._meta.db_table)} d ON d.cycle_id = c.id AND d.employee_id = %s"
        " WHERE c.status = %s"  # the one_open_cycle constraint: one row at most
    )


def _joined_row(model, cycle: Cycle, **known):
    """The `model` row joined to `cycle` by `_open_cycle_and_state_sql`, converted as the ORM
    would (JSON decoded, SQLite's datetimes parsed), or None when there is none."""
    prefix = f"_{model._meta.model_name}_"
    if getattr(cycle, f"{prefix}id") is None:
        return None
    values = {"cycle_id": cycle.pk, **known}
    for name in _JOINED_FIELDS[model]:
        field, value = model._meta.get_field(name), getattr(cycle, prefix + name)
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = convert(value, column, connection)
        values[field.attname] = value
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]  # from_db's order
    row = model.from_db(cycle._state.db, names, [values[name] for name in names])
    row.cycle = cycle
    return row


def provider_choices(*, employee: Employee) -> ProviderChoices:
    """Split the org's departments into those always on this employee's survey and the rest.

    Always: the Executive Office and, for staff who are not managers or executives, their own
    management. Managers and executives never see their own department (they are its management).
    """
    own_id = employee.department_id
    rates_own = employee.rates_own_management
    always: list[Provider] = []
    optional: list[Provider] = []
    for dep_id, name, is_exec in Department.objects.order_by("name").values_list("id", "name", "is_executive_office"):
        is_own = dep_id == own_id
        if is_own and not rates_own:
            continue
        provider = Provider(
            id=dep_id,
            name=name,
            is_executive_office=is_exec,
            is_own_management=is_own,
            always_included=is_exec or is_own,
        )
        (always if provider.always_included else optional).append(provider)
    return ProviderChoices(always=sorted(always, key=section_order), optional=optional)


def section_order(provider: Provider) -> tuple[int, str]:
    """The Executive Office first, then the employee's own management, then the others by name."""
    if provider.is_executive_office:
        return (0, provider.name)
    if provider.is_own_management:
        return (1, provider.name)
    return (2, provider.name)


def survey_sections(*, choices: ProviderChoices, chosen_ids: Iterable[int]) -> list[Provider]:
    """The providers that get a section on the survey, in the order they are shown."""
    chosen = set(chosen_ids)
    picked = [p for p in choices.optional if p.id in chosen]
    return sorted([*choices.always, *picked], key=section_order)


def survey_dimensions() -> list[Dimension]:
    """The six service dimensions then the expectation question, in their survey order."""
    order = {slug: i for i, slug in enumerate(ALL_DIMENSIONS)}
    return sorted(Dimension.objects.all(), key=lambda d: order.get(d.slug, len(order)))


def section_is_complete(*, provider_id: int, answers: Mapping[tuple[int, str], object]) -> bool:
    """A section is done when it is skipped, or has at least one rating and the expectation.
    `answers` are by (department id, question), as drafts keep them."""
    if answers.get((provider_id, SKIP)):
        return True
    rated = any(answers.get((provider_id, slug)) not in (None, "") for slug in SERVICE_DIMENSIONS)
    return rated and answers.get((provider_id, EXPECTATION)) not in (None, "")


def survey_progress(*, sections: list[Provider], answers: Mapping[tuple[int, str], object]) -> tuple[int, int]:
    """(sections done, sections in all) for the progress bar."""
    done = sum(section_is_complete(provider_id=p.id, answers=answers) for p in sections)
    return done, len(sections)


@dataclass(frozen=True)
class SectionSummary:
    label: str
    answers: int  # ratings and the expectation given
    commented: bool


@dataclass(frozen=True)
class SubmissionSummary:
    """What a submission is about to send, for the confirmation step."""

    rated: list[SectionSummary]
    skipped: list[str]  # labels of the sections marked "did not deal with them"

    @property
    def answers(self) -> int:
        return sum(s.answers for s in self.rated)

    @property
    def comments(self) -> int:
        return sum(s.commented for s in self.rated)


def submission_summary(*, sections: list[Provider], answers: Mapping[tuple[int, str], object]) -> SubmissionSummary:
    """Per section of the survey, in its order: rated (how many answers, whether commented) or
    skipped. `answers` by (department id, question), as drafts keep them. No query."""
    rated, skipped = [], []
    for provider in sections:
        if answers.get((provider.id, SKIP)):
            skipped.append(provider.label)
            continue
        given = sum(answers.get((provider.id, slug)) not in (None, "") for slug in ALL_DIMENSIONS)
        commented = bool(str(answers.get((provider.id, COMMENT)) or "").strip())
        rated.append(SectionSummary(label=provider.label, answers=given, commented=commented))
    return SubmissionSummary(rated=rated, skipped=skipped)


# ---- The home page: where the person stands with the survey ----


class HomeState:
    """What the home page says about the survey, one value per situation."""

    NOT_STARTED = "not_started"  # a cycle accepts answers; nothing saved yet
    DRAFT = "draft"  # a cycle accepts answers; a draft is saved
    SUBMITTED = "submitted"  # the person submitted for the open cycle
    RESULTS_PENDING = "results_pending"  # no cycle accepts answers; the last one closed, results not out
    RESULTS_PUBLISHED = "results_published"  # no cycle accepts answers; the last one's results are out
    NO_SURVEY = "no_survey"  # no cycle was ever run here


@dataclass(frozen=True)
class HomeSurvey:
    state: str
    cycle: Cycle | None = None  # the open cycle, or the last one run when none accepts answers
    closes_on: datetime.date | None = None  # the open cycle's last day of answers
    draft_saved_at: datetime.datetime | None = None
    sections_done: int = 0
    sections_total: int = 0
    submitted_at: datetime.datetime | None = None
    took_part: bool = False  # in `cycle`, for the states after it closed

    @property
    def accepts_answers(self) -> bool:
        return self.state in (HomeState.NOT_STARTED, HomeState.DRAFT)

    @property
    def closed_on(self) -> datetime.date | None:
        """The day `cycle` stopped taking answers: its close, else its last day of answers."""
        if self.cycle is None:
            return None
        if self.cycle.closed_at is not None:
            return timezone.localdate(self.cycle.closed_at)
        return self.cycle.closes_on


def home_survey(*, employee: Employee) -> HomeSurvey:
    """The person's survey state for the home page. One query while a cycle accepts answers (the
    open cycle with their participation and draft: `open_cycle_and_state`), two otherwise (that
    one, then the last cycle run with whether they took part in it), whatever the number of cycles or answers."""
    cycle, state = open_cycle_and_state(employee=employee)
    if cycle is not None and state.participation is not None:
        return HomeSurvey(
            state=HomeState.SUBMITTED,
            cycle=cycle,
            closes_on=cycle.closes_on,
            submitted_at=state.participation.submitted_at,
            took_part=True,
        )
    if cycle is not None and cycle.accepts_answers:
        if state.draft is None:
            return HomeSurvey(state=HomeState.NOT_STARTED, cycle=cycle, closes_on=cycle.closes_on)
        answers = state.draft.keyed_answers
        # The draft's providers are every section of the survey (the screener stores the ones
        # always included too): the progress needs no query of the departments.
        sections = [Provider(id=p, name="") for p in state.draft.providers]
        done, total = survey_progress(sections=sections, answers=answers)
        return HomeSurvey(
            state=HomeState.DRAFT,
            cycle=cycle,
            closes_on=cycle.closes_on,
            draft_saved_at=state.draft.updated_at,
            sections_done=done,
            sections_total=total,
        )
    if cycle is not None:
        # Open, but past its last day and not closed yet (the schedule closes it): answers are over.
        return HomeSurvey(state=HomeState.RESULTS_PENDING, cycle=cycle, closes_on=cycle.closes_on)
    last = (
        Cycle.objects.filter(status__in=[Cycle.Status.CLOSED, Cycle.Status.PUBLISHED], is_historical=False)
        .annotate(took_part=Exists(Participation.objects.filter(cycle=OuterRef("pk"), employee=employee)))
        .order_by("-name")
        .first()
    )
    if last is None:
        return HomeSurvey(state=HomeState.NO_SURVEY)
    published = last.status == Cycle.Status.PUBLISHED
    return HomeSurvey(
        state=HomeState.RESULTS_PUBLISHED if published else HomeState.RESULTS_PENDING,
        cycle=last,
        closes_on=last.closes_on,
        took_part=last.took_part,
    )


# ---- Cycles in YYYY-Qn order: what a cycle's results compare with, and what later shows their effect ----
# The roll-up's deltas compare with `previous_cycle` (and a cycle's answers change the deltas of
# `next_cycle_with_answers`); a verdict on what was done about a cycle's results reads
# `next_cycle_with_results`.


def _holding_answers():
    """Cycles that hold answers and are not open. A cycle still open has no results: its answers so
    far are interim, and a delta against them would publish its interim means (the contract: "a
    cycle still open is never anyone's previous cycle"). Its roll-up is requested when it closes."""
    return Cycle.objects.filter(Exists(Answer.objects.filter(cycle=OuterRef("pk")))).exclude(status=Cycle.Status.OPEN)


def previous_cycle(*, cycle: Cycle) -> Cycle | None:
    """The latest earlier cycle, in YYYY-Qn order, that holds answers and is not open: what its
    deltas compare with. One query."""
    return _holding_answers().filter(name__lt=cycle.name).order_by("-name").first()


def next_cycle_with_answers(*, cycle: Cycle) -> Cycle | None:
    """The earliest later cycle, in YYYY-Qn order, that holds answers and is not open: the one whose
    `previous_cycle` `cycle` is once it holds answers, so its deltas follow `cycle`'s. One query."""
    return _holding_answers().filter(name__gt=cycle.name).order_by("name").first()


def next_cycle_with_results(*, cycle: Cycle) -> Cycle | None:
    """The earliest later cycle, in YYYY-Qn order, whose results may be shown and are rolled up
    (`Cycle.objects.with_results()`), or None while there is none yet. One query."""
    return Cycle.objects.with_results().filter(name__gt=cycle.name).order_by("name").first()
