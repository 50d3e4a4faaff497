"""Training URLs: /training/ for every employee (built out in actions.training_views)."""

from django.urls import path

from . import training_views

app_name = "training"

urlpatterns = [
    path("", training_views.index, name="index"),
    path("<slug:module>/", training_views.module, name="module"),
]
