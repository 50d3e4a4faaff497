"""URLs of HR's scorecard downloads (mounted under /reports/ beside the dashboards' own URLs)."""

from django.urls import path

from . import downloads

app_name = "downloads"

urlpatterns = [
    path("<str:cycle>/scorecards.csv", downloads.scorecards_download, {"fmt": "csv"}, name="scorecards_csv"),
    path("<str:cycle>/scorecards.xlsx", downloads.scorecards_download, {"fmt": "xlsx"}, name="scorecards_xlsx"),
    path("<str:cycle>/scorecards.pdf", downloads.scorecards_download, {"fmt": "pdf"}, name="scorecards_pdf"),
    path("<str:cycle>/departments/<slug:slug>/scorecard.pdf", downloads.department_pdf, name="department_pdf"),
    # A workbook or PDF built by a worker (a broker is configured): its polling page, then its file.
    path("exports/<uuid:export_id>/", downloads.export_status, name="export_status"),
    path("exports/<uuid:export_id>/file", downloads.export_file, name="export_file"),
]
