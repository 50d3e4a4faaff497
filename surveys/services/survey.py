"""Writes of the survey page: keep a draft, and submit a survey once.

The submission is one transaction with a fixed number of queries whatever the number of
providers: the answers and the comments each go in with one multi-row INSERT. Who took part
(Participation) and what they answered (Answer, Comment) share nothing but the transaction: the
answers carry a fresh random `respondent` key that is stored nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..dimensions import EXPECTATION, SERVICE_DIMENSIONS
from ..models import (
    Answer,
    Comment,
    Cycle,
    Department,
    Dimension,
    Draft,
    Employee,
    Participation,
    new_respondent_key,
)

COMMENT_MAX_LENGTH = 2000


class SurveyRefused(ValidationError):
    """The request cannot be honoured as sent; nothing was written. `messages` say why."""


class CycleNotOpen(SurveyRefused):
    pass


class AlreadySubmitted(SurveyRefused):
    pass


class NotYourDraft(SurveyRefused):
    pass


@dataclass(frozen=True)
class ProviderResponse:
    """One section of a submitted survey: a provider skipped, or rated on some dimensions."""

    provider_id: int
    skipped: bool = False
    scores: Mapping[str, int] = field(default_factory=dict)  # dimension slug (incl. expectation) → 1..5
    comment: str = ""


def _check_cycle_open(cycle: Cycle) -> None:
    if not cycle.accepts_answers:
        raise CycleNotOpen(f"The survey {cycle.name} is closed: your answers were not saved.")


def draft_save(
    *,
    employee: Employee,
    cycle: Cycle,
    providers: Sequence[int] | None = None,
    answers: Mapping[str, object] | None = None,
) -> Draft:
    """Create or update the employee's draft for `cycle`: the screener's providers and/or the answers.

    Changing the providers drops the answers of providers no longer chosen.
    """
    _check_cycle_open(cycle)
    if not employee.is_active:
        raise SurveyRefused("Your account is not in the current org file.")
    with transaction.atomic():
        if Participation.objects.filter(employee=employee, cycle=cycle).exists():
            raise AlreadySubmitted(f"You already submitted your survey for {cycle.name}: it cannot be changed.")
        draft, _ = Draft.objects.select_for_update().get_or_create(employee=employee, cycle=cycle)
        if providers is not None:
            draft.providers = sorted(set(providers))
        kept = set(draft.providers)
        merged = dict(draft.answers if answers is None else answers)
        draft.answers = {name: value for name, value in merged.items() if _provider_of(name) in kept}
        draft.save(update_fields=["providers", "answers", "updated_at"])
    return draft


def _provider_of(field_name: str) -> int | None:
    head, _, _ = field_name.partition("-")
    return int(head[1:]) if head[:1] == "p" and head[1:].isdigit() else None


def response_problems(*, responses: Sequence[ProviderResponse]) -> list[str]:
    """Every rule a submitted section breaks, as messages (empty when the responses are sound)."""
    problems: list[str] = []
    seen: set[int] = set()
    allowed = {*SERVICE_DIMENSIONS, EXPECTATION}
    for r in responses:
        if r.provider_id in seen:
            problems.append(f"Department {r.provider_id} appears twice.")
        seen.add(r.provider_id)
        unknown = set(r.scores) - allowed
        if unknown:
            problems.append(f"Unknown question(s) {', '.join(sorted(unknown))} for department {r.provider_id}.")
        bad = [s for s in r.scores.values() if type(s) is not int or not 1 <= s <= 5]
        if bad:
            problems.append(f"Scores are whole numbers from 1 to 5 (department {r.provider_id}).")
        if r.skipped:
            if r.scores or r.comment:
                problems.append(f"Department {r.provider_id} is marked as not dealt with but has answers.")
        elif not any(slug in r.scores for slug in SERVICE_DIMENSIONS) or EXPECTATION not in r.scores:
            problems.append(f"Department {r.provider_id} needs at least one rating and the expectation, or a skip.")
        if len(r.comment) > COMMENT_MAX_LENGTH:
            problems.append(f"The comment for department {r.provider_id} is over {COMMENT_MAX_LENGTH} characters.")
    return problems


def survey_submit(*, employee: Employee, draft: Draft, responses: Sequence[ProviderResponse]) -> Participation:
    """Record the employee's survey for the draft's cycle, once, and delete the draft.

    Refuses (SurveyRefused and subclasses, nothing written) a draft that is not the employee's,
    a cycle that no longer accepts answers, a second submission (also when two race: the unique
    participation constraint decides), providers that are not departments or not on this
    employee's survey, and malformed sections.
    """
    if draft.employee_id != employee.pk:
        raise NotYourDraft("This survey draft belongs to someone else: nothing was saved.")
    if not employee.is_active:
        raise SurveyRefused("Your account is not in the current org file.")
    problems = response_problems(responses=responses)
    if problems:
        raise SurveyRefused(problems)
    provider_ids = {r.provider_id for r in responses}
    rater_department_id = employee.department_id

    with transaction.atomic():
        # Locking the cycle row orders this submission against a concurrent close: the roll-up
        # started by the close sees either all of this survey or none of it.
        cycle = Cycle.objects.select_for_update().get(pk=draft.cycle_id)
        _check_cycle_open(cycle)
        departments = dict(Department.objects.filter(pk__in=provider_ids).values_list("id", "is_executive_office"))
        missing = provider_ids - departments.keys()
        if missing:
            raise SurveyRefused(f"Not a department: {', '.join(map(str, sorted(missing)))}. Nothing was saved.")
        if rater_department_id in provider_ids and not employee.rates_own_management:
            raise SurveyRefused("Managers and executives do not rate their own department. Nothing was saved.")
        expected = set(draft.providers) | {d for d, is_exec in departments.items() if is_exec}
        if employee.rates_own_management:
            expected.add(rater_department_id)
        extra = provider_ids - expected
        if extra:
            raise SurveyRefused(
                f"Department(s) {', '.join(map(str, sorted(extra)))} are not on your survey. Nothing was saved."
            )
        dimension_ids = dict(Dimension.objects.values_list("slug", "id"))

        try:
            with transaction.atomic():
                participation = Participation.objects.create(
                    employee=employee, cycle=cycle, department_id=rater_department_id
                )
        except IntegrityError:
            raise AlreadySubmitted(
                f"You already submitted your survey for {cycle.name}: it cannot be changed."
            ) from None

        respondent = new_respondent_key()
        Answer.objects.bulk_create(
            [
                Answer(
                    cycle=cycle,
                    respondent=respondent,
                    rater_department_id=rater_department_id,
                    provider_department_id=r.provider_id,
                    dimension_id=dimension_ids[slug],
                    score=score,
                )
                for r in responses
                if not r.skipped
                for slug, score in r.scores.items()
            ]
        )
        comments = [
            Comment(
                cycle=cycle,
                rater_department_id=rater_department_id,
                provider_department_id=r.provider_id,
                text=r.comment.strip(),
            )
            for r in responses
            if not r.skipped and r.comment.strip()
        ]
        if comments:
            Comment.objects.bulk_create(comments)
        Draft.objects.filter(pk=draft.pk).delete()
    return participation
