"""Sign-in URLs under /accounts/: Django's own pages (the password ones only while password
sign-in is offered), single sign-on's start and callback, and sign-out."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import SetPasswordResetForm

password_only = views.password_login_only

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("sso/", views.SingleSignOnStart.as_view(), name="sso_start"),
    path("sso/callback/", views.SingleSignOnCallback.as_view(), name="sso_callback"),
    path("password_change/", password_only(auth_views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "password_change/done/",
        password_only(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        password_only(auth_views.PasswordResetView.as_view(form_class=SetPasswordResetForm)),
        name="password_reset",
    ),
    path("password_reset/done/", password_only(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        password_only(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("reset/done/", password_only(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]
