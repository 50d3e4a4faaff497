"""The org upload's two steps: stage a file and preview its plan, then confirm exactly that plan.

The uploaded bytes stay in the database (OrgUpload) keyed by a random token and the uploader; the
confirmation re-reads them, plans again under lock and applies only if the plan still has the
digest HR previewed (otherwise the new plan is shown again). Nothing is written to the org before
the confirmation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import IdentityChange
from reports.runs import rollup_pending, rollup_request
from surveys.importers import ImportRejected, RowError, parse_org
from surveys.models import Cycle
from surveys.services.cycles import CycleError
from surveys.services.org import OrgImportSummary, OrgPlan, OrgPlanStale, org_import, org_plan

from .models import OrgUpload

UPLOAD_LIFETIME = datetime.timedelta(hours=2)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


# Above this share of the active people deactivated, confirming needs their number typed: a file
# cut short (two rows of 250) must not deactivate the company with one click.
MASS_DEACTIVATION_SHARE = 0.10


class UploadGone(Exception):
    """The preview is unknown, someone else's, or too old: upload the file again."""


class DeactivationsNotConfirmed(Exception):
    """A mass deactivation was confirmed without typing how many people it deactivates."""

    def __init__(self, plan: OrgPlan):
        self.plan = plan
        count = len(plan.deactivated)
        super().__init__(
            ngettext(
                "This file deactivates %(count)s person: type that number to confirm. Nothing was changed.",
                "This file deactivates %(count)s people: type that number to confirm. Nothing was changed.",
                count,
            )
            % {"count": count}
        )


def needs_typed_count(plan: OrgPlan) -> bool:
    """Whether confirming `plan` needs the number of deactivations typed."""
    return plan.deactivated_share > MASS_DEACTIVATION_SHARE


@dataclass
class Staged:
    upload: OrgUpload | None
    plan: OrgPlan | None
    errors: list[RowError]


def org_upload_stage(*, user, filename: str, content: bytes) -> Staged:
    """Validate the file and plan it; keep it for confirmation when it is valid (else keep nothing)."""
    if len(content) > MAX_UPLOAD_BYTES:
        return Staged(None, None, [RowError(1, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")])
    plan, errors = _plan_of(content, user)
    if errors:
        return Staged(None, None, errors)
    with transaction.atomic():
        # One pending preview per person: a new upload replaces an older one, and stale ones go.
        OrgUpload.objects.filter(uploaded_by=user).delete()
        OrgUpload.objects.filter(uploaded_at__lt=timezone.now() - UPLOAD_LIFETIME).delete()
        upload = OrgUpload.objects.create(
            uploaded_by=user, filename=filename[:255], content=content, plan_digest=plan.digest
        )
    return Staged(upload, plan, [])


def org_upload_preview(*, user, token) -> tuple[OrgUpload, OrgPlan]:
    """The staged upload and its plan as of now (the org may have changed since it was staged)."""
    upload = _upload(user, token)
    plan, errors = _plan_of(bytes(upload.content), user)
    if errors:
        raise ImportRejected(errors)
    if plan.digest != upload.plan_digest:
        upload.plan_digest = plan.digest
        upload.save(update_fields=["plan_digest"])
    return upload, plan


def org_upload_confirm(*, user, token, digest: str, typed_deactivations: str = "") -> OrgImportSummary:
    """Apply the staged file if its plan is still the one previewed (`digest`); raises OrgPlanStale
    (nothing written) when it is not, UploadGone when there is no such preview, and
    DeactivationsNotConfirmed (nothing written) when the plan deactivates more than
    MASS_DEACTIVATION_SHARE of the active people and `typed_deactivations` is not their number.
    The person confirming is never deactivated, whatever the file says."""
    upload = _upload(user, token)
    rows = _rows(bytes(upload.content))
    plan = org_plan(rows, keep_active=user)
    if digest != upload.plan_digest or plan.digest != digest:
        raise OrgPlanStale(plan)  # the count to type may have changed too: show the new preview
    if needs_typed_count(plan) and typed_deactivations.strip() != str(len(plan.deactivated)):
        raise DeactivationsNotConfirmed(plan)
    summary = org_import(
        rows, dry_run=False, expected_digest=digest, by=user, via=IdentityChange.Via.ORG_UPLOAD, keep_active=user
    )
    upload.delete()
    return summary


def org_upload_discard(*, user, token) -> None:
    OrgUpload.objects.filter(uploaded_by=user, token=token).delete()


def _upload(user, token) -> OrgUpload:
    upload = OrgUpload.objects.filter(uploaded_by=user, token=token).first()
    if upload is None or upload.uploaded_at < timezone.now() - UPLOAD_LIFETIME:
        raise UploadGone(gettext("This preview has expired or does not exist: upload the file again."))
    return upload


def _rows(content: bytes):
    parsed = parse_org(content)
    if not parsed.ok:
        raise ImportRejected(parsed.errors)
    return parsed.data


def _plan_of(content: bytes, user) -> tuple[OrgPlan | None, list[RowError]]:
    try:
        return org_plan(_rows(content), keep_active=user), []
    except ImportRejected as rejected:
        return None, rejected.errors


def rollup_again(*, cycle) -> None:
    """Request a fresh roll-up of a closed cycle (after a failure, or to include re-imported answers).

    Refused (CycleError) for a cycle still taking answers, or while a roll-up is already on its way.
    """
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status in (Cycle.Status.DRAFT, Cycle.Status.OPEN):
            raise CycleError(
                gettext("Cycle %(cycle)s is %(status)s: close it first.")
                % {"cycle": locked.name, "status": locked.get_status_display().lower()}
            )
        if rollup_pending(cycle=locked):
            raise CycleError(gettext("The results of %(cycle)s are being computed already.") % {"cycle": locked.name})
        rollup_request(cycle=locked)
