"""Writes of the survey page: keep a draft, and submit a survey once.

A submission is one transaction with a fixed number of queries whatever the number of providers:
it records who took part (Participation) and seals what they answered in a Ballot with no person
key. The answers reach the answer tables later, in the ballot box's shuffled batches
(services/ballots.py), never in the transaction, or next to the rows, that name the person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists

from ..dimensions import ALL_DIMENSIONS, EXPECTATION, MANAGEMENT, SCOPES, SELF_VIEW_SECTIONS, SERVICE_DIMENSIONS
from ..models import Cycle, Department, Dimension, Draft, Employee, Participation
from .ballots import ballot_seal, ballots_ready

COMMENT_MAX_LENGTH = 2000


class SurveyRefused(ValidationError):
    """The request cannot be honoured as sent; nothing was written. `messages` say why."""


class CycleNotOpen(SurveyRefused):
    pass


class AlreadySubmitted(SurveyRefused):
    pass


class NotYourDraft(SurveyRefused):
    pass


class IdentityChanged(SurveyRefused):
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
    answers: Mapping[tuple[int, str], object] | None = None,
) -> Draft:
    """Create or update the employee's draft for `cycle`: the screener's providers and/or the answers,
    by (department id, question).

    Changing the providers drops the answers of providers no longer chosen.
    """
    _check_cycle_open(cycle)
    if not employee.is_active:
        raise SurveyRefused("Your account is not in the current org file.")
    with transaction.atomic():
        # The cycle row first, as survey_submit locks it: a save racing the same person's
        # submission waits for it, then sees its participation, instead of re-creating the draft
        # that the submission just deleted.
        _check_cycle_open(Cycle.objects.select_for_update().get(pk=cycle.pk))
        # One query for two questions: is the account still signed in under the address this
        # request signed in with (an identity change deletes the person's drafts under the same
        # cycle lock: a save that waited for it must not write a draft for the new address's
        # reader), and did they submit already?
        state = list(
            get_user_model()
            .objects.filter(pk=employee.user_id, email=employee.user.email)
            .annotate(submitted=Exists(Participation.objects.filter(employee=employee, cycle=cycle)))
            .values_list("submitted", flat=True)
        )
        if not state:
            raise IdentityChanged("The address you sign in with has changed: sign in again. Nothing was saved.")
        if state[0]:
            raise AlreadySubmitted(f"You already submitted your survey for {cycle.name}: it cannot be changed.")
        # The cycle lock above serialises draft saves: no other request can create this draft meanwhile.
        draft = Draft.objects.select_for_update().filter(employee=employee, cycle=cycle).first()
        new = draft is None
        if new:
            draft = Draft(employee=employee, cycle=cycle)
        if providers is not None:
            draft.providers = sorted(set(providers))
        kept = {*draft.providers, *SELF_VIEW_SECTIONS}  # the self-view sections stay whatever the screener says
        merged = draft.keyed_answers if answers is None else answers
        draft.keyed_answers = {key: value for key, value in merged.items() if key[0] in kept}
        draft.save(**({} if new else {"update_fields": ["providers", "answers", "updated_at"]}))
    return draft


def drafts_discard(*, user_ids) -> int:
    """Delete the unsubmitted drafts of these accounts (their identity changed: accounts.identity).

    Drafts exist only while their cycle is open. The open cycle is locked first, as `draft_save`
    locks it: a save already past its checks finishes before (and its draft is deleted here), and
    one that waits sees the new address and refuses. Returns how many drafts went.
    """
    with transaction.atomic():
        list(Cycle.objects.select_for_update().filter(status=Cycle.Status.OPEN).values_list("pk", flat=True))
        deleted, _ = Draft.objects.filter(employee__user_id__in=list(user_ids)).delete()
    return deleted


def response_problems(*, responses: Sequence[ProviderResponse]) -> list[str]:
    """Every rule a submitted section breaks, as messages (empty when the responses are sound)."""
    problems: list[str] = []
    seen: set[int] = set()
    allowed = set(ALL_DIMENSIONS)
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


@dataclass(frozen=True)
class SelfViewResponse:
    """One self-view answer: how the person thinks others rate their own department on one
    dimension, in a scope (`supplier`: the departments it serves; `management`: its own staff)."""

    scope: str
    dimension: str
    score: int


def self_view_problems(*, employee: Employee, self_views: Sequence[SelfViewResponse]) -> list[str]:
    """Every rule the self-view answers break, as messages."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for v in self_views:
        if v.scope not in SCOPES or v.dimension not in SERVICE_DIMENSIONS:
            problems.append(f"Unknown self-view question {v.scope} {v.dimension}.")
        elif v.scope == MANAGEMENT and employee.rates_own_management:
            problems.append("Only managers and executives say how their staff rate their management.")
        if type(v.score) is not int or not 1 <= v.score <= 5:
            problems.append("Scores are whole numbers from 1 to 5 (self-view).")
        if (v.scope, v.dimension) in seen:
            problems.append(f"The self-view question {v.scope} {v.dimension} appears twice.")
        seen.add((v.scope, v.dimension))
    return problems


def survey_submit(
    *,
    employee: Employee,
    draft: Draft,
    responses: Sequence[ProviderResponse],
    self_views: Sequence[SelfViewResponse] = (),
) -> Participation:
    """Record the employee's participation and seal their answers in the ballot box, once, and
    delete the draft. Once this commits, the ballot box is started if the employee's department
    now has a batch waiting.

    Refuses (SurveyRefused and subclasses, nothing written) a draft that is not the employee's,
    a cycle that no longer accepts answers, a second submission (also when two race: the unique
    participation constraint decides), providers that are not departments or not on this
    employee's survey, and malformed sections.
    """
    if draft.employee_id != employee.pk:
        raise NotYourDraft("This survey draft belongs to someone else: nothing was saved.")
    if not employee.is_active:
        raise SurveyRefused("Your account is not in the current org file.")
    problems = response_problems(responses=responses) + self_view_problems(employee=employee, self_views=self_views)
    if problems:
        raise SurveyRefused(problems)
    provider_ids = {r.provider_id for r in responses}
    rater_department_id = employee.department_id

    with transaction.atomic():
        # Locking the cycle row orders this submission against a concurrent close: the roll-up
        # started by the close sees either all of this survey or none of it.
        cycle = Cycle.objects.select_for_update().get(pk=draft.cycle_id)
        _check_cycle_open(cycle)
        _check_providers(employee=employee, draft=draft, provider_ids=provider_ids)
        dimension_ids = dict(Dimension.objects.values_list("slug", "id"))

        try:
            # No savepoint: a second submission fails the whole transaction, which the raise rolls back.
            participation = Participation.objects.create(
                employee=employee, cycle=cycle, department_id=rater_department_id
            )
        except IntegrityError:
            raise AlreadySubmitted(
                f"You already submitted your survey for {cycle.name}: it cannot be changed."
            ) from None

        ballot_seal(
            cycle=cycle,
            rater_department_id=rater_department_id,
            answers=[
                (r.provider_id, dimension_ids[slug], score)
                for r in responses
                if not r.skipped
                for slug, score in r.scores.items()
            ],
            comments=[(r.provider_id, r.comment.strip()) for r in responses if not r.skipped and r.comment.strip()],
            # Sealed with the ratings, so they leave the person the same way (ballots_move).
            self_views=[(v.scope, dimension_ids[v.dimension], v.score) for v in self_views],
        )
        Draft.objects.filter(pk=draft.pk).delete()
        transaction.on_commit(
            partial(
                _move_ballots_if_ready,
                cycle_id=cycle.pk,
                rater_department_id=rater_department_id,
                min_group_size=cycle.min_group_size,
            ),
            robust=True,  # the survey is stored: a failing check is logged, never shown to its author
        )
    return participation


def _check_providers(*, employee: Employee, draft: Draft, provider_ids: set[int]) -> None:
    """Refuse providers that are not departments or not on this employee's survey (one query)."""
    departments = dict(Department.objects.filter(pk__in=provider_ids).values_list("id", "is_executive_office"))
    missing = provider_ids - departments.keys()
    if missing:
        raise SurveyRefused(f"Not a department: {', '.join(map(str, sorted(missing)))}. Nothing was saved.")
    own = employee.department_id
    if own in provider_ids and not employee.rates_own_management:
        raise SurveyRefused("Managers and executives do not rate their own department. Nothing was saved.")
    expected = set(draft.providers) | {d for d, is_exec in departments.items() if is_exec}
    if employee.rates_own_management:
        expected.add(own)
    extra = provider_ids - expected
    if extra:
        raise SurveyRefused(
            f"Department(s) {', '.join(map(str, sorted(extra)))} are not on your survey. Nothing was saved."
        )


def _move_ballots_if_ready(*, cycle_id: int, rater_department_id: int, min_group_size: int) -> None:
    """After a submission commits: start the ballot box if the department now fills a batch."""
    from ..tasks import enqueue_ballots_move  # Celery loads where a task is sent, not at start-up

    if ballots_ready(cycle_id=cycle_id, rater_department_id=rater_department_id, min_group_size=min_group_size):
        enqueue_ballots_move(cycle_id=cycle_id)
