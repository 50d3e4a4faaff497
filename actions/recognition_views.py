"""The recognition page (actions.recognition), open to everyone signed in: the latest results that
say something, or a cycle asked for by name among those whose results are visible."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports import visible
from reports.selectors import default_cycle
from surveys.models import Cycle

from .recognition import recognition


@never_cache
@require_safe
@login_required
def page(request: HttpRequest, cycle: str | None = None) -> HttpResponse:
    cycles = visible.visible_cycles()
    if cycle is None:
        shown = default_cycle(cycles)
    else:
        shown = next((c for c in cycles if c.name == cycle), None)
        if shown is None:
            raise Http404("No published results for this cycle.")
    context = {"cycles": cycles, "shown": shown}
    if shown is not None:
        context["recognition"] = recognition(cycle=Cycle.objects.get(pk=shown.id))
    return render(request, "actions/recognition.html", context)
