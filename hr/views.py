"""HR workspace pages: cycles (create, open, close, publish, follow participation and the roll-up)
and the org upload (preview, then confirm). Each view parses the request, calls one service or
selector, and renders; every refused step says why and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from invitations.models import Notice
from invitations.selectors import invitation_counts, notices_not_planned
from invitations.services import NoticesRefused, notices_send_now, reminder_day
from reports.models import RollupRun
from reports.runs import rollup_outlook
from reports.selectors import scorecard_departments
from surveys.importers import ImportRejected
from surveys.models import Cycle, Draft
from surveys.roles import MANAGE_CYCLES, MANAGE_ORG
from surveys.services.cycles import CycleError, cycle_close, cycle_create, cycle_open, cycle_publish
from surveys.services.org import OrgPlanStale

from . import selectors, services
from .forms import CycleCreateForm, CycleOpenForm, OrgUploadForm, default_closing_day, suggested_cycle_name

ACTIONS = {
    # action: (allowed from, button label, what happens)
    "open": (
        Cycle.Status.DRAFT,
        _("Open for answers"),
        _("Every active employee can fill in the survey until the closing day."),
    ),
    "close": (
        Cycle.Status.OPEN,
        _("Close and compute results"),
        _(
            "Answering ends now, for everyone, and the cycle cannot be reopened: whoever has not submitted can no "
            "longer take part, and answers saved but not submitted are deleted. The results are then computed; "
            "nobody sees them until you publish."
        ),
    ),
    "publish": (
        Cycle.Status.CLOSED,
        _("Publish results"),
        _("Executives see every dashboard and managers their department's scorecard. This cannot be undone."),
    ),
    "rollup": (
        None,
        _("Compute results again"),
        _("The results are computed again from the answers; the current results stay until the new ones are ready."),
    ),
    "invite": (
        Cycle.Status.OPEN,
        _("Send invitations now"),
        _(
            "Everyone active who has not taken part and has no invitation to this cycle yet gets one now "
            "(nobody gets a second)."
        ),
    ),
    "remind": (
        Cycle.Status.OPEN,
        _("Send reminders now"),
        _("Everyone active who has not taken part and has had no reminder yet gets one now (nobody gets a second)."),
    ),
}
# Steps whose consequences cannot be taken back: a red button, and the response rates beside it.
DANGER = {"close", "publish"}
NOTICE_KINDS = {"invite": Notice.Kind.INVITATION, "remind": Notice.Kind.REMINDER}


def _manage_cycles(view):
    return login_required(permission_required(MANAGE_CYCLES, raise_exception=True)(never_cache(view)))


def _manage_org(view):
    return login_required(permission_required(MANAGE_ORG, raise_exception=True)(never_cache(view)))


@_manage_cycles
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """/hr/ itself: the workspace starts at its cycles."""
    return redirect("hr:cycles")


@_manage_cycles
@require_http_methods(["GET", "POST"])
def cycles(request: HttpRequest) -> HttpResponse:
    overview = list(selectors.cycles_overview())
    form = CycleCreateForm(request.POST or None, initial={"name": suggested_cycle_name([c.name for c in overview])})
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_create(name=form.cleaned_data["name"], closes_on=form.cleaned_data["closes_on"])
        except CycleError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                gettext("Cycle %(cycle)s created as a draft: open it when you are ready.") % {"cycle": cycle.name},
            )
            return redirect("hr:cycle", name=cycle.name)
    return render(request, "hr/cycles.html", {"cycles": overview, "form": form}, status=400 if form.errors else 200)


@_manage_cycles
@require_safe
def cycle(request: HttpRequest, name: str) -> HttpResponse:
    found = selectors.cycle_detail(name=name)
    if found is None:
        raise Http404(gettext("No such cycle."))
    context = {
        "cycle": found,
        "steps": Cycle.Status.choices,
        "run": selectors.latest_rollup_run(cycle=found),
        "finished": selectors.last_finished_rollup(cycle=found),
        "participation": selectors.participation(cycle=found) if found.status != Cycle.Status.DRAFT else None,
        "notices": invitation_counts(cycle=found) if found.status != Cycle.Status.DRAFT else None,
        "reminder_day": reminder_day(found) if found.status == Cycle.Status.OPEN else None,
        "closed_early": _closed_early(found),
        # Score-free names and slugs, for the per-department PDF links once results may leave the app.
        "downloadable": found.has_results,
        "departments": scorecard_departments(cycle_id=found.id) if found.has_results else [],
    }
    return render(request, "hr/cycle.html", context)


@_manage_cycles
@require_safe
def cycle_status(request: HttpRequest, name: str) -> JsonResponse:
    """The roll-up's state, polled by the cycle page while results are being computed."""
    found = selectors.cycle_detail(name=name)
    if found is None:
        raise Http404(gettext("No such cycle."))
    return JsonResponse({"status": found.status, "rollup": found.rollup_state or ""})


@_manage_cycles
@require_http_methods(["GET", "POST"])
def cycle_action(request: HttpRequest, name: str, action: str) -> HttpResponse:
    found = selectors.cycle_detail(name=name)
    if found is None or action not in ACTIONS:
        raise Http404(gettext("No such cycle."))
    allowed, label, consequence = ACTIONS[action]
    initial = {"closes_on": found.closes_on if found.closes_on else default_closing_day()}
    form = CycleOpenForm(request.POST or None, initial=initial) if action == "open" else None
    refused = allowed is not None and found.status != allowed
    context = {
        "cycle": found,
        "action": action,
        "label": label,
        "consequence": consequence,
        "form": form,
        "refused": refused,
        "danger": action in DANGER,
        **_what_it_rests_on(found, action, refused),
    }
    if request.method == "POST" and (form is None or form.is_valid()):
        low = context.get("low")
        needs_ack = low is not None and (low.needs_confirmation or context.get("shows_nothing"))
        if needs_ack and not refused and request.POST.get("acknowledge") != "yes":
            # Below the threshold, a bare POST (an old tab, a script) is not enough: nothing changes.
            context["ack_missing"] = True
            return render(request, "hr/confirm.html", context, status=400)
        try:
            outcome = _apply(action, found, form, request.user)
        except (CycleError, NoticesRefused) as error:
            messages.error(request, str(error))
        else:
            _report_done(request, found, action, outcome)
        return redirect("hr:cycle", name=found.name)
    return render(request, "hr/confirm.html", context, status=400 if form is not None and form.errors else 200)


def _what_it_rests_on(cycle: Cycle, action: str, refused: bool) -> dict:
    """What the confirmation of `action` shows beside its button: for closing and publishing, the
    response rate per department (and which fall below the threshold), for publishing how much
    of the results would be shown, before a close the drafts it deletes; for emails, how many go."""
    if refused:
        return {}
    if action in NOTICE_KINDS:
        return {"recipients": notices_not_planned(cycle=cycle, kind=NOTICE_KINDS[action])}
    if action not in DANGER or (action == "publish" and cycle.rollup_state != RollupRun.State.DONE):
        return {}  # nothing to weigh (publishing before the roll-up is done is refused with its reason)
    overview = selectors.participation(cycle=cycle)
    extra = {"participation": overview, "low": selectors.low_response(overview)}
    if action == "close":
        extra["drafts"] = Draft.objects.filter(cycle=cycle).count()
        extra["not_yet"] = max(overview.eligible - overview.participants, 0)
    else:
        extra["shown"] = selectors.shown_outlook(cycle=cycle)
        extra["shows_nothing"] = extra["shown"].shows_nothing
    return extra


def _closed_early(cycle: Cycle) -> bool:
    """Closed before the end of its closing day: the page then says so instead of "until …"."""
    if cycle.closed_at is None or cycle.closes_on is None:
        return False
    return timezone.localdate(cycle.closed_at) < cycle.closes_on


def _report_done(request: HttpRequest, cycle: Cycle, action: str, outcome) -> None:
    """Say what happened; after a close or a new computation, what became of the roll-up request
    (read back from its run: "sent to a worker" only when the broker really took it)."""
    name = {"cycle": cycle.name}
    if action in NOTICE_KINDS:
        if outcome and action == "invite":
            text = ngettext(
                "Cycle %(cycle)s: %(count)s invitation on the way.",
                "Cycle %(cycle)s: %(count)s invitations on the way.",
                outcome,
            )
            messages.success(request, text % {**name, "count": outcome})
        elif outcome:
            text = ngettext(
                "Cycle %(cycle)s: %(count)s reminder on the way.",
                "Cycle %(cycle)s: %(count)s reminders on the way.",
                outcome,
            )
            messages.success(request, text % {**name, "count": outcome})
        elif action == "invite":
            messages.info(request, gettext("No invitation to send: everyone due one has had it."))
        else:
            messages.info(request, gettext("No reminder to send: everyone due one has had it."))
        return
    if action == "open":
        messages.success(request, gettext("Cycle %(cycle)s opened.") % name)
        return
    if action == "publish":
        messages.success(request, gettext("Cycle %(cycle)s published.") % name)
        return
    run = selectors.latest_rollup_run(cycle=cycle)
    if run is not None and run.state == RollupRun.State.DONE:
        if action == "close":
            text = ngettext(
                "Cycle %(cycle)s closed: its results are computed over %(count)s answer.",
                "Cycle %(cycle)s closed: its results are computed over %(count)s answers.",
                run.answers_count,
            )
        else:
            text = ngettext(
                "Cycle %(cycle)s computed again over %(count)s answer.",
                "Cycle %(cycle)s computed again over %(count)s answers.",
                run.answers_count,
            )
        then = gettext("Nobody sees them until you publish: check the preview first.")
        messages.success(request, f"{text % {**name, 'count': run.answers_count}} {then}")
        return
    as_expected, outlook = rollup_outlook(cycle_id=cycle.pk)
    level = messages.SUCCESS if as_expected else messages.WARNING
    if action == "close":
        text = gettext("Cycle %(cycle)s closed; %(outlook)s")
    else:
        text = gettext("Cycle %(cycle)s is to be computed again; %(outlook)s")
    messages.add_message(request, level, text % {**name, "outlook": outlook})


def _apply(action: str, cycle: Cycle, form, user):
    if action == "open":
        return cycle_open(name=cycle.name, closes_on=form.cleaned_data["closes_on"])
    if action == "close":
        return cycle_close(cycle=cycle, by=user)
    if action == "publish":
        return cycle_publish(cycle=cycle)
    if action in NOTICE_KINDS:
        return notices_send_now(cycle=cycle, kind=NOTICE_KINDS[action])
    return services.rollup_again(cycle=cycle)


@_manage_org
@require_http_methods(["GET", "POST"])
def org_upload(request: HttpRequest) -> HttpResponse:
    form = OrgUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        staged = services.org_upload_stage(user=request.user, filename=uploaded.name, content=uploaded.read())
        if staged.upload is not None:
            return redirect("hr:org_preview", token=staged.upload.token)
        errors = staged.errors
    status = 400 if errors or form.errors else 200
    return render(request, "hr/org_upload.html", {"form": form, "errors": errors}, status=status)


@_manage_org
@require_http_methods(["GET", "POST"])
def org_preview(request: HttpRequest, token) -> HttpResponse:
    if request.method == "POST" and request.POST.get("decision") == "discard":
        services.org_upload_discard(user=request.user, token=token)
        messages.info(request, gettext("Upload discarded: nothing was changed."))
        return redirect("hr:org_upload")
    refused = None
    try:
        if request.method == "POST":
            try:
                summary = services.org_upload_confirm(
                    user=request.user,
                    token=token,
                    digest=request.POST.get("digest", ""),
                    typed_deactivations=request.POST.get("deactivations", ""),
                )
            except services.DeactivationsNotConfirmed as error:
                refused = str(error)  # shown on the preview again, nothing written
            else:
                messages.success(request, _summary_text(summary))
                return redirect("hr:org_upload")
        upload, plan = services.org_upload_preview(user=request.user, token=token)
    except services.UploadGone as gone:
        messages.error(request, str(gone))
        return redirect("hr:org_upload")
    except OrgPlanStale as stale:
        messages.warning(request, str(stale))
        return redirect("hr:org_preview", token=token)
    except ImportRejected as rejected:
        form = OrgUploadForm()
        return render(request, "hr/org_upload.html", {"form": form, "errors": rejected.errors}, status=409)
    context = {
        "upload": upload,
        "plan": plan,
        "action": reverse("hr:org_preview", args=[token]),
        "type_count": services.needs_typed_count(plan),
        "share_limit": round(services.MASS_DEACTIVATION_SHARE * 100),
        "refused": refused,
    }
    return render(request, "hr/org_preview.html", context, status=400 if refused else 200)


def _summary_text(summary) -> str:
    text = gettext(
        "Org updated: %(created)s created, %(updated)s updated, %(reactivated)s reactivated, "
        "%(deactivated)s deactivated, %(unchanged)s unchanged"
    ) % {
        "created": summary.created,
        "updated": summary.updated,
        "reactivated": summary.reactivated,
        "deactivated": summary.deactivated,
        "unchanged": summary.unchanged,
    }
    if summary.new_departments:
        text += gettext("; new departments: %(names)s") % {"names": ", ".join(summary.new_departments)}
    return text + "."
