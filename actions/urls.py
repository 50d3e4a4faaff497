"""Commitments URLs (CONTRACT.md, URLs): /actions/ and each department's page, with its POST actions."""

from django.urls import path

from . import views

app_name = "actions"

commitment = "<str:cycle>/departments/<slug:slug>/<int:pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:cycle>/", views.overview, name="overview"),
    path("<str:cycle>/commitments.csv", views.overview_csv, name="overview_csv"),
    path("<str:cycle>/departments/<slug:slug>/", views.department, name="department"),
    path(f"{commitment}edit/", views.edit, name="edit"),
    path(f"{commitment}publish/", views.publish, name="publish"),
    path(f"{commitment}delete/", views.delete, name="delete"),
    path(f"{commitment}status/", views.status, name="status"),
    path(f"{commitment}updates/", views.update, name="update"),
]
