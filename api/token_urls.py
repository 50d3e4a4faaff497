"""/accounts/tokens/: a person's own API tokens (make, see once, revoke)."""

from django.urls import path

from . import token_views

app_name = "tokens"

urlpatterns = [
    path("", token_views.index, name="index"),
    path("<int:pk>/revoke/", token_views.revoke, name="revoke"),
]
