"""Training URLs: /training/ for everyone signed in, each module's page and its "mark as done" POST."""

from django.urls import path

from . import training_views

app_name = "training"

urlpatterns = [
    path("", training_views.index, name="index"),
    # `module_slug`, not `slug`: a module is not a department (tests/test_access_matrix.py's IDOR check).
    path("<slug:module_slug>/", training_views.module, name="module"),
    path("<slug:module_slug>/done/", training_views.done, name="done"),
]
