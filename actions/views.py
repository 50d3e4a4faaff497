"""Commitments pages: /actions/ for everyone signed in, and each department's page for its managers
(executives for the top) and HR. Views check who asks and which cycle, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reports import visible
from reports.exporters.base import iter_csv
from surveys import roles
from surveys.models import Cycle, Department, Dimension

from . import pages, selectors, services
from .exporters import CommitmentExporter
from .forms import CommitmentForm, ProgressForm, StatusForm
from .services import CommitmentError


@never_cache
@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    context = pages.company_page()
    department_id = roles.own_department_id(request.user)
    if context["latest"] and department_id and roles.can_commit_for(request.user, department_id):
        slug = Department.objects.filter(pk=department_id).values_list("slug", flat=True).first()
        context["manage_url"] = reverse("actions:department", args=[context["latest"].name, slug])
    return render(request, "actions/index.html", context)


def _hr_cycle(request: HttpRequest, cycle: str) -> Cycle:
    if not roles.can_manage_all_commitments(request.user):
        raise PermissionDenied(_("The commitments overview is HR's."))
    found = Cycle.objects.with_results().filter(name=cycle).first()
    if found is None:
        raise Http404(_("Commitments answer published results, and this cycle has none."))
    return found


@never_cache
@require_safe
@login_required
def overview(request: HttpRequest, cycle: str) -> HttpResponse:
    """HR: who committed on a cycle's results, what is overdue, the verdicts; the CSV beside it."""
    return render(request, "actions/overview.html", pages.hr_overview(cycle=_hr_cycle(request, cycle)))


@never_cache
@require_safe
@login_required
def overview_csv(request: HttpRequest, cycle: str) -> HttpResponse:
    """The contract's commitments export, as `export_commitments` writes it."""
    found = _hr_cycle(request, cycle)
    response = StreamingHttpResponse(
        iter_csv(CommitmentExporter(cycle_id=found.id)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="commitments-{found.name}.csv"'
    return response


def _department_and_cycle(request: HttpRequest, cycle: str, slug: str):
    """The department (403 for anyone who may not commit for it, existing or not) and the cycle
    with published results (404 otherwise: commitments answer published results only)."""
    department = visible.department_by_slug(slug)
    if department is None or not roles.can_commit_for(request.user, department.id):
        if department is None and roles.can_manage_all_commitments(request.user):
            raise Http404(_("No such department."))
        raise PermissionDenied(_("A department's commitments are written by its own managers and HR."))
    found = Cycle.objects.with_results().filter(name=cycle).first()
    if found is None:
        raise Http404(_("Commitments answer published results, and this cycle has none."))
    return department, found


def _form(department: Department, focus, data=None, **kwargs) -> CommitmentForm:
    """The commitment form; "especially for" offers only the rater departments whose ratings the
    scorecard shows, lowest first (a tampered POST naming another is refused by the form)."""
    raters = [r["id"] for r in focus.raters]
    order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(raters)), output_field=IntegerField())
    rater_choices = Department.objects.filter(pk__in=raters).order_by(order) if raters else Department.objects.none()
    return CommitmentForm(
        data,
        owners=selectors.owner_choices(department=department),
        raters=rater_choices,
        dimensions=list(Dimension.objects.service()),
        **kwargs,
    )


def _render_department(request, department, cycle, focus, *, form=None, status=200):
    context = pages.department_page(cycle=cycle, department=department, focus=focus, cycles=visible.visible_cycles())
    if form is None:
        form = _form(department, focus, initial=_suggested(request, department, focus))
    return render(request, "actions/department.html", {**context, "form": form}, status=status)


def _suggested(request, department: Department, focus) -> dict:
    """The new commitment's form starts on the weakest supplier dimension, owned by whoever asks."""
    initial = {"scope": "supplier"}
    if focus.supplier:
        initial["dimension"] = focus.supplier[0]["dimension"]
    employee = getattr(request.user, "employee", None)
    if employee is not None and employee.department_id == department.id:
        initial["owner"] = employee.pk
    return initial


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def department(request: HttpRequest, cycle: str, slug: str) -> HttpResponse:
    department, found = _department_and_cycle(request, cycle, slug)
    focus = pages.focus_for(cycle=found, department=department)
    if request.method != "POST":
        return _render_department(request, department, found, focus)
    form = _form(department, focus, request.POST)
    publish_now = "publish" in request.POST
    if form.is_valid():
        try:
            services.commitment_create(
                cycle=found, department=department, draft=form.draft(), by=request.user, publish=publish_now
            )
        except CommitmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Commitment published.")
                if publish_now
                else _("Draft saved: only your department's managers and HR see it."),
            )
            return redirect("actions:department", cycle=found.name, slug=department.slug)
    return _render_department(request, department, found, focus, form=form, status=400)


def _commitment(request, cycle, slug, pk):
    department, found = _department_and_cycle(request, cycle, slug)
    commitment = selectors.commitment_of(pk=pk, cycle=found, department=department)
    if commitment is None:
        raise Http404(_("No such commitment."))
    return department, found, commitment


def _back(commitment):
    return redirect("actions:department", cycle=commitment.cycle.name, slug=commitment.department.slug)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, cycle: str, slug: str, pk: int) -> HttpResponse:
    department, found, commitment = _commitment(request, cycle, slug, pk)
    if commitment.is_published:
        messages.info(
            request, _("A published commitment is not rewritten: add a progress update or change its status.")
        )
        return _back(commitment)
    focus = pages.focus_for(cycle=found, department=department)
    if request.method == "POST":
        form = _form(department, focus, request.POST)
        if form.is_valid():
            try:
                services.commitment_edit(commitment=commitment, draft=form.draft(), by=request.user)
            except CommitmentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Draft saved."))
                return _back(commitment)
    else:
        form = _form(department, focus, initial=CommitmentForm.initial_from(commitment))
    context = {"cycle": found, "department": department, "commitment": commitment, "form": form}
    return render(request, "actions/edit.html", context, status=400 if form.errors else 200)


def _act(request, cycle, slug, pk, action, done: str) -> HttpResponse:
    _department, _found, commitment = _commitment(request, cycle, slug, pk)
    try:
        action(commitment)
    except CommitmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(commitment)


@login_required
@require_POST
def publish(request: HttpRequest, cycle: str, slug: str, pk: int) -> HttpResponse:
    def action(c):
        return services.commitment_publish(commitment=c, by=request.user)

    return _act(request, cycle, slug, pk, action, _("Commitment published: everyone signed in can read it."))


@login_required
@require_POST
def delete(request: HttpRequest, cycle: str, slug: str, pk: int) -> HttpResponse:
    def action(c):
        return services.commitment_delete(commitment=c, by=request.user)

    return _act(request, cycle, slug, pk, action, _("Draft deleted."))


@login_required
@require_POST
def status(request: HttpRequest, cycle: str, slug: str, pk: int) -> HttpResponse:
    form = StatusForm(request.POST)
    chosen = form.cleaned_data["status"] if form.is_valid() else ""

    def action(c):
        return services.commitment_set_status(commitment=c, status=chosen, by=request.user)

    return _act(request, cycle, slug, pk, action, _("Status saved."))


@login_required
@require_POST
def update(request: HttpRequest, cycle: str, slug: str, pk: int) -> HttpResponse:
    form = ProgressForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else request.POST.get("text", "")

    def action(c):
        return services.progress_add(commitment=c, text=text, by=request.user)

    return _act(request, cycle, slug, pk, action, _("Update added."))
