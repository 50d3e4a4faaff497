"""HR's scorecard downloads: the contract's CSV (streamed), the XLSX workbook and the PDF of a
cycle, and one department's PDF page.

Thin views: check who asks and whether the cycle's results may leave the app, then render with the
very function `manage.py export_scorecards` uses, so a download and the command give the same
file. The workbook and PDF are built in memory before the response starts (a failure is an error
page, never a truncated file); the CSV streams row by row from the snapshot.
"""

import io

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys.models import Department
from surveys.roles import EXPORT_RESULTS

from .exporters import CONTENT_TYPES, ScorecardExporter, render_scorecards, scorecards_filename
from .exporters.base import iter_csv
from .exporters.entry import HIDDEN, ExportUnavailable, exportable_cycle


def _attachment(filename: str) -> dict:
    # Names are built from a validated YYYY-Qn cycle name and a slug, never from raw input.
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _downloadable_cycle(request: HttpRequest, name: str):
    """The cycle, or the response that explains why its scorecards cannot be downloaded."""
    try:
        found = exportable_cycle(name)
    except ExportUnavailable as refused:
        # Not published yet (or still open): as far as downloads go, there are no results (404).
        status = 404 if refused.reason == HIDDEN else 409
        context = {"cycle": refused.cycle, "reason": refused.reason}
        return None, render(request, "reports/export_unavailable.html", context, status=status)
    if found is None:
        raise Http404("No such cycle.")
    return found, None


@never_cache
@require_safe
@login_required
@permission_required(EXPORT_RESULTS, raise_exception=True)
def scorecards_download(request: HttpRequest, cycle: str, fmt: str) -> HttpResponse:
    # The permission is checked before the cycle is looked up: without it, nobody learns which cycles exist.
    found, refusal = _downloadable_cycle(request, cycle)
    if refusal is not None:
        return refusal
    headers = _attachment(scorecards_filename(found.name, fmt))
    if fmt == "csv":
        lines = iter_csv(ScorecardExporter(cycle_id=found.id))
        return StreamingHttpResponse(
            (line.encode("utf-8") for line in lines), content_type=CONTENT_TYPES["csv"], headers=headers
        )
    content = io.BytesIO()
    render_scorecards(cycle_id=found.id, fmt=fmt, stream=content)
    return HttpResponse(content.getvalue(), content_type=CONTENT_TYPES[fmt], headers=headers)


@never_cache
@require_safe
@login_required
@permission_required(EXPORT_RESULTS, raise_exception=True)
def department_pdf(request: HttpRequest, cycle: str, slug: str) -> HttpResponse:
    """One department's scorecard page as PDF, to hand to its head."""
    found, refusal = _downloadable_cycle(request, cycle)
    if refusal is not None:
        return refusal
    department = get_object_or_404(Department, slug=slug)
    content = io.BytesIO()
    if not render_scorecards(cycle_id=found.id, fmt="pdf", stream=content, department_id=department.id):
        raise Http404(f"{department.name} has no results in {found.name}.")
    return HttpResponse(
        content.getvalue(),
        content_type=CONTENT_TYPES["pdf"],
        headers=_attachment(scorecards_filename(found.name, "pdf", department_slug=department.slug)),
    )
