"""Report pages: the executive dashboard and a department's scorecard (HR's downloads: downloads.py).

Thin views: check who asks and which cycle, then render what `reports.pages` builds.
"""

import re

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys import roles
from surveys.models import CYCLE_NAME_RE, Cycle

from . import pages, replica, responses, selectors, visible
from .downloads import Offered, offered
from .selectors import VisibleCycle

# plotly.js creates empty <style> elements and empty style="" attributes, then fills them through
# the CSSOM (which CSP allows): the hash of the empty string allows exactly those, nothing with
# content. The one style attribute with content allowed is the one plotly.js gives a heatmap drawn
# as a single image (cells with no gap between them): its `image-rendering` declarations, so that
# the image is scaled up without smoothing (PLOTLY_IMAGE_STYLE; tests/reports/test_vendored_plotly.py
# checks it against the bundle). Scripts stay 'self' only. Plotly turns <b> in labels into
# style="font-weight:bold", so the figures use no <b>. (The full bundle's maplibre stylesheet, an
# inline <style>, is not in the cartesian one's path: static/vendor/README.md.)
PLOTLY_IMAGE_STYLE = "".join(
    f"image-rendering: {value}; "
    for value in (
        "optimizeSpeed",
        "-moz-crisp-edges",
        "-o-crisp-edges",
        "-webkit-optimize-contrast",
        "optimize-contrast",
        "crisp-edges",
        "pixelated",
    )
)
PLOTLY_STYLES = {
    "style-src": [
        "'unsafe-hashes'",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # ""
        "'sha256-AR/cKIZjWPcPmBUPDA6oti9XBiTbJvz0Cro2J1VzzS8='",  # PLOTLY_IMAGE_STYLE
    ]
}


class NotShown(Exception):
    """The asked cycle has no results this person may see (unknown, or not published yet)."""

    def __init__(self, name: str):
        self.name = name


def _chosen_cycle(request: HttpRequest, name: str | None) -> tuple[VisibleCycle | None, list[VisibleCycle], bool]:
    """(the cycle shown, the visible cycles, whether it is HR's preview).

    Without a name: the default cycle (the latest whose results say something). A visible cycle of
    that name is shown to anyone entitled to the page; a closed, rolled-up cycle that is not
    published yet only to HR, as a preview (and among the cycles, for its trends). NotShown for
    anything else."""
    cycles = visible.visible_cycles()
    if name is None:
        return selectors.default_cycle(cycles), cycles, False
    found = next((c for c in cycles if c.name == name), None)
    if found is not None:
        return found, cycles, False
    if roles.can_preview_results(request.user):
        replica.on_primary()  # an unpublished cycle: the replica's version check does not cover it
        preview = selectors.preview_cycle(name=name)
        if preview is not None:
            return preview, sorted([*cycles, preview], key=lambda c: c.name, reverse=True), True
    raise NotShown(name)


def _not_shown(request: HttpRequest, name: str, **context) -> HttpResponse:
    """A page of the app's own (never Django's debug 404): the cycle's results are not published
    yet, or there is no such cycle. Says nothing else about it."""
    exists = bool(re.fullmatch(CYCLE_NAME_RE, name)) and Cycle.objects.filter(name=name).exists()
    return render(request, "reports/not_published.html", {"name": name, "exists": exists, **context}, status=404)


@never_cache
@require_safe
@login_required
@csp_update(PLOTLY_STYLES)
@replica.snapshot_view
def dashboard(request: HttpRequest, cycle: str | None = None) -> HttpResponse:
    """The dashboard of a cycle (the default cycle without one); HR also previews a closed cycle's."""
    if not roles.can_see_dashboards(request.user):
        raise PermissionDenied("The dashboards are for executives and HR.")
    picked = request.GET.get("cycle")
    if cycle is None and picked:
        # The cycle picker is a plain GET form, so that it works without JavaScript.
        if re.fullmatch(CYCLE_NAME_RE, picked):
            return redirect("reports:dashboard_cycle", cycle=picked)
        return redirect("reports:dashboard")
    try:
        shown, cycles, preview = _chosen_cycle(request, cycle)
    except NotShown as missing:
        return _not_shown(request, missing.name)
    if shown is None:
        return render(request, "reports/no_results.html", {"cycles": cycles})
    # No downloads in a preview: files leave the app only once the results are published.
    downloads = Offered() if preview else offered(request.user)

    def context():
        body = pages.dashboard_body(cycle=shown, cycles=cycles)
        return {"cycle": shown, "cycles": cycles, "body": body, "downloads": downloads, "preview": preview}

    key = pages.cache_key("page:dashboard", cycle=shown, cycles=cycles, downloads=downloads.key, preview=preview)
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
    shown = selectors.default_cycle(cycles)
    slug = selectors.department_slug(department_id)
    if shown is None or slug is None:
        return render(request, "reports/no_results.html", {"own_department": True, "cycles": cycles})
    return redirect("reports:department", cycle=shown.name, slug=slug)


@never_cache
@require_safe
@login_required
@replica.snapshot_view
def heatmap_json(request: HttpRequest, cycle: str) -> HttpResponse:
    """The weakest-link heatmap's six dimensions for the dashboard's dimension switch."""
    if not roles.can_see_dashboards(request.user):
        raise PermissionDenied("The dashboards are for executives and HR.")
    try:
        shown, cycles, _ = _chosen_cycle(request, cycle)
    except NotShown as missing:
        return _not_shown(request, missing.name)
    compressed = responses.accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    body = pages.heatmap_dimensions_gzip if compressed else pages.heatmap_dimensions_json
    response = HttpResponse(body(cycle=shown, cycles=cycles), content_type="application/json")
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


@never_cache
@require_safe
@login_required
@csp_update(PLOTLY_STYLES)
@replica.snapshot_view
def department(request: HttpRequest, cycle: str, slug: str) -> HttpResponse:
    found = visible.department_by_slug(slug)
    # Who may ask is checked before anything is said about the department: a manager asking for
    # another department, existing or not, gets 403 either way.
    if found is None or not roles.can_see_department(request.user, found.id):
        if found is None and roles.can_see_dashboards(request.user):
            return render(request, "404.html", status=404)
        raise PermissionDenied("This scorecard is for executives, HR and the department's own managers.")
    try:
        shown, cycles, preview = _chosen_cycle(request, cycle)
    except NotShown as missing:
        return _not_shown(request, missing.name, department=found)
    full = roles.can_see_dashboards(request.user)
    downloads = Offered() if preview else offered(request.user, found.id)

    def context():
        body = pages.department_body(cycle=shown, cycles=cycles, department=found, full=full)
        context = {"cycle": shown, "cycles": cycles, "department": found, "full": full, "downloads": downloads}
        return {**context, "body": body, "preview": preview}

    key = pages.cache_key(
        "page:department",
        cycle=shown,
        cycles=cycles,
        department=found.id,
        full=full,
        downloads=downloads.key,
        preview=preview,
    )
    return responses.page_response(request, "reports/department.html", context, key=key)
