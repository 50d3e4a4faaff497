"""Report downloads: HR's scorecard export of a cycle, as CSV or XLSX, from the web.

Thin views: check who asks and whether the cycle's results may leave the app, then render the very
exporter `manage.py export_scorecards` uses, so the download and the command give the same bytes.
The file is built in memory before the response starts (a snapshot is at most a few thousand rows),
so a failure is an error page, never a truncated file.
"""

import io

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys.roles import EXPORT_RESULTS

from . import selectors
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
