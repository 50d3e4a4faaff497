"""/recognition/: the good news of the latest results, and of each earlier published cycle."""

from django.urls import path

from . import recognition_views

app_name = "recognition"

urlpatterns = [
    path("", recognition_views.page, name="latest"),
    path("<str:cycle>/", recognition_views.page, name="cycle"),
]
