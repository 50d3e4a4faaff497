"""Report pages: the executive dashboard and a department's scorecard (HR's downloads: downloads.py).

Thin views: check who asks and which cycle, then render what `reports.pages` builds.
"""

import re

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys import roles
from surveys.models import CYCLE_NAME_RE

from . import pages, responses, selectors, visible
from .downloads import offered

# plotly.js creates empty <style> elements and empty style="" attributes, then fills them through
# the CSSOM (which CSP allows): the hash of the empty string allows exactly those, nothing with
# content. Scripts stay 'self' only. Plotly turns <b> in labels into style="font-weight:bold", so
# the figures use no <b>. (Its maplibre stylesheet is skipped: see reports/_plotly_head.html.)
PLOTLY_STYLES = {"style-src": ["'unsafe-hashes'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]}


def _chosen_cycle(request: HttpRequest, cycles: list, name: str | None):
    """The visible cycle of that name (the latest without one); 404 page for any other."""
    if name is None:
        return cycles[0] if cycles else None
    found = next((c for c in cycles if c.name == name), None)
    if found is None:
        raise Http404("No results for that cycle.")
    return found


@never_cache
@require_safe
@login_required
@csp_update(PLOTLY_STYLES)
def dashboard(request: HttpRequest, cycle: str | None = None) -> HttpResponse:
    if not roles.can_see_dashboards(request.user):
        raise PermissionDenied("The dashboards are for executives and HR.")
    picked = request.GET.get("cycle")
    if cycle is None and picked:
        # The cycle picker is a plain GET form, so that it works without JavaScript.
        if re.fullmatch(CYCLE_NAME_RE, picked):
            return redirect("reports:dashboard_cycle", cycle=picked)
        return redirect("reports:dashboard")
    cycles = visible.visible_cycles()
    shown = _chosen_cycle(request, cycles, cycle)
    if shown is None:
        return render(request, "reports/no_results.html", {})
    downloads = offered(request.user)

    def context():
        body = pages.dashboard_body(cycle=shown, cycles=cycles)
        return {"cycle": shown, "cycles": cycles, "body": body, "downloads": downloads}

    key = pages.cache_key("page:dashboard", cycle=shown, cycles=cycles, downloads=downloads.key)
    return responses.page_response(request, "reports/dashboard.html", context, key=key)


@never_cache
@require_safe
@login_required
def my_department(request: HttpRequest) -> HttpResponse:
    """A manager's own scorecard in the latest cycle with results: the link in their navigation."""
    department_id = roles.own_department_id(request.user)
    if department_id is None or not roles.can_see_own_department(request.user):
        raise PermissionDenied("Department scorecards are for managers, executives and HR.")
    cycles = visible.visible_cycles()
    slug = selectors.department_slug(department_id)
    if not cycles or slug is None:
        return render(request, "reports/no_results.html", {"own_department": True})
    return redirect("reports:department", cycle=cycles[0].name, slug=slug)


@never_cache
@require_safe
@login_required
def heatmap_json(request: HttpRequest, cycle: str) -> HttpResponse:
    """The weakest-link heatmap's six dimensions for the dashboard's dimension switch."""
    if not roles.can_see_dashboards(request.user):
        raise PermissionDenied("The dashboards are for executives and HR.")
    cycles = visible.visible_cycles()
    shown = _chosen_cycle(request, cycles, cycle)
    return HttpResponse(pages.heatmap_dimensions_json(cycle=shown, cycles=cycles), content_type="application/json")


@never_cache
@require_safe
@login_required
@csp_update(PLOTLY_STYLES)
def department(request: HttpRequest, cycle: str, slug: str) -> HttpResponse:
    found = visible.department_by_slug(slug)
    # Who may ask is checked before anything is said about the department: a manager asking for
    # another department, existing or not, gets 403 either way.
    if found is None or not roles.can_see_department(request.user, found.id):
        if found is None and roles.can_see_dashboards(request.user):
            raise Http404("No such department.")
        raise PermissionDenied("This scorecard is for executives, HR and the department's own managers.")
    cycles = visible.visible_cycles()
    shown = _chosen_cycle(request, cycles, cycle)
    full = roles.can_see_dashboards(request.user)
    downloads = offered(request.user, found.id)

    def context():
        body = pages.department_body(cycle=shown, cycles=cycles, department=found, full=full)
        context = {"cycle": shown, "cycles": cycles, "department": found, "full": full, "downloads": downloads}
        return {**context, "body": body}

    key = pages.cache_key(
        "page:department", cycle=shown, cycles=cycles, department=found.id, full=full, downloads=downloads.key
    )
    return responses.page_response(request, "reports/department.html", context, key=key)
