"""Exports: the contract's CSV files (a header and a row iterator each, rendered by `base`), and
the scorecards as HR hands them out (an XLSX workbook and a PDF, laid out over the `ScorecardBook`
that `selectors.scorecard_book` reads)."""

from django.conf import settings
from django.utils import translation

from .base import EXPORT_FORMATS, render
from .drivers import DriverExporter
from .links import LinkExporter
from .scorecards import ScorecardExporter

__all__ = ["EXPORT_FORMATS", "DriverExporter", "LinkExporter", "ScorecardExporter", "render", "render_scorecards"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render_scorecards(
    *, cycle_id: int, fmt: str, stream, department_id: int | None = None, language: str | None = None
) -> int:
    """The scorecards of a rolled-up cycle in `fmt`: csv (the contract's file, on a text stream),
    xlsx (the workbook) or pdf (every department, or one), both on a binary stream.
    Returns the number of CSV rows, or of department sheets/pages.

    The workbook's and the PDF's words are in `language` (the requester's, on the web; the
    command line's and a worker's default: settings.LANGUAGE_CODE); their figures are numbers
    (the workbook's typed cells show in the reader's own spreadsheet settings) or, in the PDF,
    written as that language writes them. The CSV is the contract's, the same bytes in every
    language: its column names, slugs and numbers never change."""
    if fmt == "csv":
        return render(ScorecardExporter(cycle_id=cycle_id), "csv", stream)
    with translation.override(language or settings.LANGUAGE_CODE):
        return _render_book(cycle_id=cycle_id, fmt=fmt, stream=stream, department_id=department_id)


def _render_book(*, cycle_id: int, fmt: str, stream, department_id: int | None) -> int:
    from ..selectors import scorecard_book

    book = scorecard_book(cycle_id=cycle_id)
    if fmt == "xlsx":
        from .workbook import render_workbook

        return render_workbook(book, stream)
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(book, stream, department_id=department_id)
    raise ValueError(f"Unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}.")


def scorecards_filename(cycle_name: str, fmt: str, *, department_slug: str | None = None) -> str:
    """`chainsurvey-2026-Q3-scorecards.xlsx`, or `chainsurvey-2026-Q3-it-scorecard.pdf` for one department."""
    if department_slug:
        return f"chainsurvey-{cycle_name}-{department_slug}-scorecard.{fmt}"
    return f"chainsurvey-{cycle_name}-scorecards.{fmt}"
