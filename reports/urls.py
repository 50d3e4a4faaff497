"""Report URLs: the dashboards and department scorecards (CONTRACT.md, URLs); HR's downloads are in
download_urls.py (namespace "downloads"), mounted at the same prefix."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Before the cycle patterns: a cycle is named YYYY-Qn, never "my-department".
    path("my-department/", views.my_department, name="my_department"),
    path("<str:cycle>/", views.dashboard, name="dashboard_cycle"),
    path("<str:cycle>/heatmap.json", views.heatmap_json, name="heatmap_json"),
    path("<str:cycle>/departments/<slug:slug>/", views.department, name="department"),
]
