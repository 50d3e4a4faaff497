"""Report URLs. The dashboards (/reports/ and /reports/<cycle>/) come with a later issue."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<str:cycle>/scorecards.csv", views.scorecards_download, {"fmt": "csv"}, name="scorecards_csv"),
    path("<str:cycle>/scorecards.xlsx", views.scorecards_download, {"fmt": "xlsx"}, name="scorecards_xlsx"),
]
