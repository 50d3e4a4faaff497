"""The HR workspace: cycles (create, open, close, publish, participation) and the org upload."""

from django.urls import path

from . import views

app_name = "hr"

urlpatterns = []
