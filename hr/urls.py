"""The HR workspace, mounted at /hr/: cycles and the org upload."""

from django.urls import path

from . import views

app_name = "hr"

urlpatterns = [
    path("", views.index, name="index"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/<str:name>/", views.cycle, name="cycle"),
    path("cycles/<str:name>/status.json", views.cycle_status, name="cycle_status"),
    path("cycles/<str:name>/<slug:action>/", views.cycle_action, name="cycle_action"),
    path("org/", views.org_upload, name="org_upload"),
    path("org/<uuid:token>/", views.org_preview, name="org_preview"),
]
