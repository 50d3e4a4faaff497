"""Training pages, open to everyone signed in (coaching guides to managers and above: actions.training).
Views check who asks, call one function of actions.training, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from surveys.selectors import employee_for_user

from . import training
from .models import TrainingModule


def _readable(request: HttpRequest, slug: str) -> TrainingModule:
    found = training.module_by_slug(slug=slug)
    if found is None:
        raise Http404("No such training module.")
    if not training.may_read(request.user, found):
        raise PermissionDenied(_("Coaching guides are for managers: they are about discussing results with a team."))
    return found


@never_cache  # the person's own marks
@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "actions/training/index.html", training.index_page(user=request.user))


@never_cache
@require_safe
@login_required
def module(request: HttpRequest, module_slug: str) -> HttpResponse:
    found = _readable(request, module_slug)
    return render(request, "actions/training/module.html", training.module_page(user=request.user, module=found))


@require_POST
@login_required
def done(request: HttpRequest, module_slug: str) -> HttpResponse:
    found = _readable(request, module_slug)
    employee = employee_for_user(user=request.user)
    if employee is None:
        raise PermissionDenied(_("Only people of the org mark modules done."))
    wanted = request.POST.get("done")
    if wanted == "1":
        training.module_complete(module=found, employee=employee)
        messages.success(request, _("Marked as done. Only you see your own marks."))
    elif wanted == "0":
        training.module_undo(module=found, employee=employee)
        messages.info(request, _("Marked as not done."))
    else:
        raise BadRequest("Say done=1 or done=0.")
    return redirect("training:module", module_slug=found.slug)
