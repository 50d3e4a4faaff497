"""Writes of commitments: draft, edit, publish, status, progress updates. Every rule is checked
here, so that the pages, the admin and tests all go through the same gate."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.templatetags.local_dates import local_format
from reports.models import Scope
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Cycle, Department, Employee

from .cascade import cascade_for, results_published_at
from .models import TEXT_MAX, UPDATE_MAX, Commitment, ProgressUpdate, TrainingModule

# A promise is for the coming quarters: a due date more than this far after the results is refused.
LONGEST_HORIZON = datetime.timedelta(days=366)


class CommitmentError(ValueError):
    """A commitment that may not be written as asked; the message is meant for the person who asked."""


@dataclass(frozen=True)
class Draft:
    """What a commitment says, as its form collected it."""

    scope: str
    dimension: str
    text: str
    owner: Employee
    due: datetime.date
    especially_for: tuple[Department, ...] = ()
    modules: tuple[TrainingModule, ...] = ()


def check_cycle(cycle: Cycle) -> datetime.date:
    """The day the cycle's results were published; refuses a cycle whose results are not."""
    published = results_published_at(cycle)
    if published is None:
        message = _("Commitments answer published results, and %(cycle)s's are not published.")
        raise CommitmentError(message % {"cycle": cycle.name})
    return timezone.localtime(published).date()


def _check(draft: Draft, *, cycle: Cycle, department: Department) -> None:
    results_day = check_cycle(cycle)
    problems = []
    if draft.scope not in Scope.values:
        problems.append(_("Choose a scope: the departments you serve, or your own staff."))
    if draft.dimension not in SERVICE_DIMENSIONS:
        problems.append(_("Choose one of the six dimensions."))
    text = draft.text.strip()
    if not text:
        problems.append(_("Say what you will do."))
    elif len(text) > TEXT_MAX:
        message = _("Keep what you will do to %(max)s characters (it has %(length)s).")
        problems.append(message % {"max": TEXT_MAX, "length": len(text)})
    if draft.owner.department_id != department.id or not draft.owner.is_active:
        problems.append(_("The owner must be an active person of %(department)s.") % {"department": department.name})
    if draft.due < results_day:
        problems.append(
            _("The due date is before the results were published (%(day)s).")
            % {"day": date_format(results_day, local_format("j F Y"))}
        )
    elif draft.due > results_day + LONGEST_HORIZON:
        problems.append(_("The due date is more than a year after the results: promise something nearer."))
    if draft.especially_for and draft.scope != Scope.SUPPLIER:
        problems.append(_("Only a promise to the departments you serve names departments it is especially for."))
    if any(d.id == department.id for d in draft.especially_for):
        problems.append(_("A department does not serve itself: name the departments it serves."))
    if problems:
        raise CommitmentError(" ".join(problems))


def _write(commitment: Commitment, draft: Draft) -> Commitment:
    commitment.scope, commitment.dimension = draft.scope, draft.dimension
    commitment.text, commitment.owner, commitment.due = draft.text.strip(), draft.owner, draft.due
    commitment.save()
    commitment.especially_for.set(draft.especially_for)
    commitment.modules.set(draft.modules)
    return commitment


@transaction.atomic
def commitment_create(*, cycle: Cycle, department: Department, draft: Draft, by, publish: bool = False) -> Commitment:
    """A new draft commitment of `department` on `cycle`'s results (published at once if asked and allowed)."""
    _check(draft, cycle=cycle, department=department)
    if publish:
        _check_may_publish(cycle, department)
    commitment = _write(Commitment(cycle=cycle, department=department, created_by=by), draft)
    if publish:
        _announce_first(commitment)
        commitment.published_at = timezone.now()
        commitment.save(update_fields=["published_at", "updated_at"])
    return commitment


@transaction.atomic
def commitment_edit(*, commitment: Commitment, draft: Draft, by) -> Commitment:
    """Change a draft. A published commitment is a promise made: only its status and updates change."""
    commitment = _locked(commitment)
    if commitment.is_published:
        raise CommitmentError(_("A published commitment is not rewritten: add a progress update or change its status."))
    _check(draft, cycle=commitment.cycle, department=commitment.department)
    return _write(commitment, draft)


def _check_may_publish(cycle: Cycle, department: Department) -> None:
    cascade = cascade_for(cycle=cycle, department_id=department.id)
    if not cascade.may_publish:
        raise CommitmentError(cascade.explanation)


def _locked(commitment: Commitment) -> Commitment:
    return Commitment.objects.select_for_update().select_related("cycle", "department").get(pk=commitment.pk)


@transaction.atomic
def commitment_publish(*, commitment: Commitment, by) -> Commitment:
    """Publish a draft for everyone signed in, if the cascade lets its department publish."""
    commitment = _locked(commitment)
    if commitment.is_published:
        return commitment
    check_cycle(commitment.cycle)
    _check_may_publish(commitment.cycle, commitment.department)
    _announce_first(commitment)
    commitment.published_at = timezone.now()
    commitment.save(update_fields=["published_at", "updated_at"])
    return commitment


def _announce_first(commitment: Commitment) -> None:
    """Tell the company's chat (actions.webhook) when a department publishes its first commitment
    on a cycle's results: one message per department and cycle, however many follow."""
    from . import webhook

    if not Commitment.objects.published().filter(cycle=commitment.cycle, department=commitment.department).exists():
        webhook.announce(webhook.commitments_published(commitment.department, commitment.cycle))


@transaction.atomic
def commitment_delete(*, commitment: Commitment, by) -> None:
    """Delete a draft; a published commitment is dropped instead (its verdict still comes)."""
    commitment = _locked(commitment)
    if commitment.is_published:
        raise CommitmentError(_("A published commitment is not deleted: set its status to dropped."))
    commitment.delete()


@transaction.atomic
def commitment_set_status(*, commitment: Commitment, status: str, by) -> Commitment:
    if status not in Commitment.Status.values:
        raise CommitmentError(_("Choose open, done or dropped."))
    commitment = _locked(commitment)
    if not commitment.is_published:
        raise CommitmentError(_("Publish the commitment before you mark how it went."))
    commitment.status = status
    commitment.save(update_fields=["status", "updated_at"])
    return commitment


@transaction.atomic
def progress_add(*, commitment: Commitment, text: str, by) -> ProgressUpdate:
    text = text.strip()
    if not text:
        raise CommitmentError(_("Write the update."))
    if len(text) > UPDATE_MAX:
        message = _("Keep an update to %(max)s characters (it has %(length)s).")
        raise CommitmentError(message % {"max": UPDATE_MAX, "length": len(text)})
    commitment = _locked(commitment)
    if not commitment.is_published:
        raise CommitmentError(_("Progress updates are for published commitments."))
    update = ProgressUpdate.objects.create(commitment=commitment, text=text, written_by=by)
    Commitment.objects.filter(pk=commitment.pk).update(updated_at=timezone.now())
    return update
