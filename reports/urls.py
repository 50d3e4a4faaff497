"""Report URLs: the dashboards, department scorecards and HR's scorecard downloads (CONTRACT.md, URLs)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<str:cycle>/", views.dashboard, name="dashboard_cycle"),
    path("<str:cycle>/heatmap.json", views.heatmap_json, name="heatmap_json"),
    path("<str:cycle>/departments/<slug:slug>/", views.department, name="department"),
    path("<str:cycle>/scorecards.csv", views.scorecards_download, {"fmt": "csv"}, name="scorecards_csv"),
    path("<str:cycle>/scorecards.xlsx", views.scorecards_download, {"fmt": "xlsx"}, name="scorecards_xlsx"),
]
