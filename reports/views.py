"""Report pages: the executive dashboard, a department's scorecard, and HR's scorecard downloads.

Thin views: check who asks and which cycle, then render what `reports.pages` builds (dashboards)
or the very exporter `manage.py export_scorecards` uses (downloads, so that the download and the
command give the same bytes). A download is built in memory before the response starts (a snapshot
is at most a few thousand rows), so a failure is an error page, never a truncated file.
"""

import io
import re

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys import roles
from surveys.models import CYCLE_NAME_RE
from surveys.roles import EXPORT_RESULTS

from . import pages, selectors
from .exporters import ScorecardExporter
from .exporters import render as render_export

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@never_cache
@require_safe
@login_required
@permission_required(EXPORT_RESULTS, raise_exception=True)
def scorecards_download(request: HttpRequest, cycle: str, fmt: str) -> HttpResponse:
    # The permission is checked before the cycle is looked up: without it, nobody learns which cycles exist.
    found = selectors.cycle_with_rollup_state(name=cycle)
    if found is None:
        raise Http404("No such cycle.")
    if not found.results_visible:
        # Not published yet (or still open): as far as downloads go, there are no results.
        return render(request, "reports/export_unavailable.html", {"cycle": found, "reason": "hidden"}, status=404)
    if not found.has_rollup:
        reason = "computing" if found.rollup_pending else "missing"
        return render(request, "reports/export_unavailable.html", {"cycle": found, "reason": reason}, status=409)

    exporter = ScorecardExporter(cycle_id=found.id)
    if fmt == "csv":
        text = io.StringIO(newline="")
        render_export(exporter, "csv", text)
        content = text.getvalue().encode("utf-8")
    else:
        binary = io.BytesIO()
        render_export(exporter, "xlsx", binary)
        content = binary.getvalue()
    # The name is built from a validated YYYY-Qn cycle name, never from raw input.
    filename = f"chainsurvey-scorecards-{found.name}.{fmt}"
    return HttpResponse(
        content,
        content_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
    cycles = selectors.visible_cycles()
    shown = _chosen_cycle(request, cycles, cycle)
    if shown is None:
        return render(request, "reports/no_results.html", {})
    body = pages.dashboard_body(cycle=shown, cycles=cycles)
    return render(
        request,
        "reports/dashboard.html",
        {"cycle": shown, "cycles": cycles, "body": body, "downloads": roles.can_download_results(request.user)},
    )


@never_cache
@require_safe
@login_required
def heatmap_json(request: HttpRequest, cycle: str) -> HttpResponse:
    """The weakest-link heatmap's six dimensions for the dashboard's dimension switch."""
    if not roles.can_see_dashboards(request.user):
        raise PermissionDenied("The dashboards are for executives and HR.")
    cycles = selectors.visible_cycles()
    shown = _chosen_cycle(request, cycles, cycle)
    return HttpResponse(pages.heatmap_dimensions_json(cycle=shown, cycles=cycles), content_type="application/json")


@never_cache
@require_safe
@login_required
@csp_update(PLOTLY_STYLES)
def department(request: HttpRequest, cycle: str, slug: str) -> HttpResponse:
    found = selectors.department_by_slug(slug)
    # Who may ask is checked before anything is said about the department: a manager asking for
    # another department, existing or not, gets 403 either way.
    if found is None or not roles.can_see_department(request.user, found.id):
        if found is None and roles.can_see_dashboards(request.user):
            raise Http404("No such department.")
        raise PermissionDenied("This scorecard is for executives, HR and the department's own managers.")
    cycles = selectors.visible_cycles()
    shown = _chosen_cycle(request, cycles, cycle)
    full = roles.can_see_dashboards(request.user)
    body = pages.department_body(cycle=shown, cycles=cycles, department=found, full=full)
    return render(
        request,
        "reports/department.html",
        {
            "cycle": shown,
            "cycles": cycles,
            "department": found,
            "body": body,
            "full": full,
            "downloads": roles.can_download_results(request.user),
        },
    )
