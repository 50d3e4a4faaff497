"""Scorecard downloads: the contract's CSV (streamed; HR's), the XLSX workbook and the PDF of a
cycle (executives and HR: they hold what those pages show), and one department's PDF page (whoever
may see that scorecard, its own managers included).

Thin views: check who asks and whether the cycle's results may leave the app, then render with the
very function `manage.py export_scorecards` uses, so a download and the command give the same
file. The workbook and PDF are built in memory before the response starts (a failure is an error
page, never a truncated file); the CSV streams row by row from the snapshot.

With CHAINSURVEY_BACKGROUND_EXPORTS on (it needs a broker, and a CHAINSURVEY_EXPORT_ROOT that the
web app and the workers share), a large company's workbook or PDF is built by a worker instead
(reports.export_task): the download answers with a page that polls the export's status URL (a
`<meta http-equiv="refresh">`, no script), which then sends the browser to the file.
Status and file are the requester's only, and gone once the export expires (reports.export_jobs).
Otherwise (the default) the request waits for the file, as the command does.
"""

import dataclasses
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from surveys import roles

from . import export_jobs, replica, visible
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


@dataclasses.dataclass(frozen=True)
class Offered:
    """The download links a report page offers its viewer."""

    csv: bool = False
    books: bool = False  # the workbook and the all-departments PDF
    department: bool = False  # the shown department's PDF

    def __bool__(self) -> bool:
        return self.csv or self.books or self.department

    @property
    def key(self) -> int:
        """For the page's cache key: one number per combination."""
        return self.csv * 1 + self.books * 2 + self.department * 4


def offered(user, department_id: int | None = None) -> Offered:
    return Offered(
        csv=roles.can_download_results(user),
        books=roles.can_download_books(user),
        department=department_id is not None and roles.can_download_department(user, department_id),
    )


def _may_download(user, fmt: str, department_id: int | None = None) -> bool:
    if department_id is not None:
        return roles.can_download_department(user, department_id)
    if fmt == "csv":
        return roles.can_download_results(user)
    return roles.can_download_books(user)


@never_cache
@require_safe
@login_required
@replica.snapshot_view
def scorecards_download(request: HttpRequest, cycle: str, fmt: str) -> HttpResponse:
    # Who may ask is checked before the cycle is looked up: without it, nobody learns which cycles exist.
    if not _may_download(request.user, fmt):
        raise PermissionDenied("These scorecard files are for executives and HR (the CSV for HR).")
    found, refusal = _downloadable_cycle(request, cycle)
    if refusal is not None:
        return refusal
    headers = _attachment(scorecards_filename(found.name, fmt))
    if fmt == "csv":
        lines = iter_csv(ScorecardExporter(cycle_id=found.id))
        return StreamingHttpResponse(
            (line.encode("utf-8") for line in lines), content_type=CONTENT_TYPES["csv"], headers=headers
        )
    if settings.CHAINSURVEY_BACKGROUND_EXPORTS:
        return _export_in_background(request, found, fmt, filename=scorecards_filename(found.name, fmt))
    content = io.BytesIO()
    render_scorecards(cycle_id=found.id, fmt=fmt, stream=content, language=request.LANGUAGE_CODE)
    return HttpResponse(content.getvalue(), content_type=CONTENT_TYPES[fmt], headers=headers)


@never_cache
@require_safe
@login_required
@replica.snapshot_view
def department_pdf(request: HttpRequest, cycle: str, slug: str) -> HttpResponse:
    """One department's scorecard page as PDF, to hand to its head."""
    department = visible.department_by_slug(slug)
    # As on the department page: a manager asking for another department, existing or not, gets 403.
    if department is None or not _may_download(request.user, "pdf", department.id):
        if department is None and roles.can_see_dashboards(request.user):
            raise Http404("No such department.")
        raise PermissionDenied("This scorecard is for executives, HR and the department's own managers.")
    found, refusal = _downloadable_cycle(request, cycle)
    if refusal is not None:
        return refusal
    filename = scorecards_filename(found.name, "pdf", department_slug=department.slug)
    if settings.CHAINSURVEY_BACKGROUND_EXPORTS:
        return _export_in_background(request, found, "pdf", filename=filename, department=department)
    content = io.BytesIO()
    language = request.LANGUAGE_CODE
    if not render_scorecards(
        cycle_id=found.id, fmt="pdf", stream=content, department_id=department.id, language=language
    ):
        raise Http404(f"{department.name} has no results in {found.name}.")
    return HttpResponse(
        content.getvalue(),
        content_type=CONTENT_TYPES["pdf"],
        headers=_attachment(filename),
    )


# ---- Through a worker (a broker is configured) ----

POLL_SECONDS = 2


def _export_in_background(request, found, fmt: str, *, filename: str, department=None) -> HttpResponse:
    """Ask a worker for the file; answer with the page that polls its status (202)."""
    from .export_task import export_scorecards  # Celery loads only where a task is sent

    job = export_jobs.create(
        user_id=request.user.pk,
        cycle_id=found.id,
        fmt=fmt,
        filename=filename,
        department_id=department.id if department else None,
    )
    export_scorecards.delay(
        export_id=job.id,
        cycle_id=found.id,
        fmt=fmt,
        department_id=job.department_id,
        language=request.LANGUAGE_CODE,  # the file in the requester's language, like the page
    )
    return _status_page(request, job, cycle=found, department=department)


def _status_page(request, job, *, cycle=None, department=None) -> HttpResponse:
    status = {export_jobs.PENDING: 202, export_jobs.EMPTY: 404}.get(job.status, 200)
    context = {
        "job": job,
        "cycle": cycle,
        "department": department,
        "status_url": reverse("downloads:export_status", args=[job.id]),
        "file_url": reverse("downloads:export_file", args=[job.id]),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "reports/export_status.html", context, status=status)


def _own_job(request: HttpRequest, export_id) -> export_jobs.ExportJob:
    """The requester's unexpired export: 404 if there is none (or it expired), 403 if another person's."""
    job = export_jobs.load(export_id)
    if job is None:
        raise Http404("No such export.")
    if job.expired():
        export_jobs.delete(job.id, job.fmt)
        raise Http404("This export has expired.")
    if job.user_id != request.user.pk:
        raise PermissionDenied("This export was asked for by someone else.")
    if not _may_download(request.user, job.fmt, job.department_id):  # their role changed since
        raise PermissionDenied("You may no longer download this file.")
    return job


@never_cache
@require_safe
@login_required
def export_status(request: HttpRequest, export_id) -> HttpResponse:
    """The polling page: refreshes itself while the worker builds the file, then sends the browser to it."""
    return _status_page(request, _own_job(request, export_id))


@never_cache
@require_safe
@login_required
def export_file(request: HttpRequest, export_id) -> HttpResponse:
    """The file the worker stored, byte for byte (404 until it is done)."""
    job = _own_job(request, export_id)
    if job.status != export_jobs.DONE:
        raise Http404("This export has no file (yet).")
    return FileResponse(
        export_jobs.open_file(job), content_type=CONTENT_TYPES[job.fmt], as_attachment=True, filename=job.filename
    )
