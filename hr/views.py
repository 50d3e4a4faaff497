"""HR workspace pages: cycles (create, open, close, publish, follow participation and the roll-up)
and the org upload (preview, then confirm). Each view parses the request, calls one service or
selector, and renders; every refused step says why and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from invitations.selectors import invitation_counts
from reports.runs import rollup_outlook
from reports.selectors import scorecard_departments
from surveys.importers import ImportRejected
from surveys.models import Cycle
from surveys.roles import MANAGE_CYCLES, MANAGE_ORG
from surveys.services.cycles import CycleError, cycle_close, cycle_create, cycle_open, cycle_publish
from surveys.services.org import OrgPlanStale

from . import selectors, services
from .forms import CycleCreateForm, CycleOpenForm, OrgUploadForm, default_closing_day, suggested_cycle_name

ACTIONS = {
    # action: (allowed from, button label, what happens, done message)
    "open": (
        Cycle.Status.DRAFT,
        "Open for answers",
        "Every active employee can fill in the survey until the closing day.",
        "opened",
    ),
    "close": (
        Cycle.Status.OPEN,
        "Close and compute results",
        "Answering ends now, for everyone, and cannot be reopened. The results are then computed.",
        "closed; its results are being computed",
    ),
    "publish": (
        Cycle.Status.CLOSED,
        "Publish results",
        "Executives see every dashboard and managers their department's scorecard. This cannot be undone.",
        "published",
    ),
    "rollup": (
        None,
        "Compute results again",
        "The results are computed again from the answers; the current results stay until the new ones are ready.",
        "is being computed again",
    ),
}


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
            messages.success(request, f"Cycle {cycle.name} created as a draft: open it when you are ready.")
            return redirect("hr:cycle", name=cycle.name)
    return render(request, "hr/cycles.html", {"cycles": overview, "form": form}, status=400 if form.errors else 200)


@_manage_cycles
@require_safe
def cycle(request: HttpRequest, name: str) -> HttpResponse:
    found = selectors.cycle_detail(name=name)
    if found is None:
        raise Http404("No such cycle.")
    context = {
        "cycle": found,
        "steps": Cycle.Status.choices,
        "run": selectors.latest_rollup_run(cycle=found),
        "finished": selectors.last_finished_rollup(cycle=found),
        "participation": selectors.participation(cycle=found) if found.status != Cycle.Status.DRAFT else None,
        "notices": invitation_counts(cycle=found) if found.status != Cycle.Status.DRAFT else None,
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
        raise Http404("No such cycle.")
    return JsonResponse({"status": found.status, "rollup": found.rollup_state or ""})


@_manage_cycles
@require_http_methods(["GET", "POST"])
def cycle_action(request: HttpRequest, name: str, action: str) -> HttpResponse:
    found = selectors.cycle_detail(name=name)
    if found is None or action not in ACTIONS:
        raise Http404("No such cycle.")
    allowed, label, consequence, done = ACTIONS[action]
    initial = {"closes_on": found.closes_on if found.closes_on else default_closing_day()}
    form = CycleOpenForm(request.POST or None, initial=initial) if action == "open" else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            _apply(action, found, form, request.user)
        except CycleError as error:
            messages.error(request, str(error))
        else:
            _report_done(request, found, action, done)
        return redirect("hr:cycle", name=found.name)
    context = {
        "cycle": found,
        "action": action,
        "label": label,
        "consequence": consequence,
        "form": form,
        "refused": allowed is not None and found.status != allowed,
        "participation": selectors.participation(cycle=found) if action == "close" else None,
    }
    return render(request, "hr/confirm.html", context, status=400 if form is not None and form.errors else 200)


def _report_done(request: HttpRequest, cycle: Cycle, action: str, done: str) -> None:
    """Say what happened; after a close or a new computation, what became of the roll-up request
    (read back from its run: "sent to a worker" only when the broker really took it)."""
    if action not in ("close", "rollup"):
        messages.success(request, f"Cycle {cycle.name} {done}.")
        return
    as_expected, outlook = rollup_outlook(cycle_id=cycle.pk)
    level = messages.SUCCESS if as_expected else messages.WARNING
    messages.add_message(request, level, f"Cycle {cycle.name} {done}; {outlook}")


def _apply(action: str, cycle: Cycle, form, user) -> None:
    if action == "open":
        cycle_open(name=cycle.name, closes_on=form.cleaned_data["closes_on"])
    elif action == "close":
        cycle_close(cycle=cycle, by=user)
    elif action == "publish":
        cycle_publish(cycle=cycle)
    else:
        services.rollup_again(cycle=cycle)


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
        messages.info(request, "Upload discarded: nothing was changed.")
        return redirect("hr:org_upload")
    try:
        if request.method == "POST":
            summary = services.org_upload_confirm(user=request.user, token=token, digest=request.POST.get("digest", ""))
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
    return render(
        request,
        "hr/org_preview.html",
        {"upload": upload, "plan": plan, "action": reverse("hr:org_preview", args=[token])},
    )


def _summary_text(summary) -> str:
    text = (
        f"Org updated: {summary.created} created, {summary.updated} updated, {summary.reactivated} reactivated, "
        f"{summary.deactivated} deactivated, {summary.unchanged} unchanged"
    )
    if summary.new_departments:
        text += f"; new departments: {', '.join(summary.new_departments)}"
    return text + "."
