"""Sign-in pages: the login page (password and/or single sign-on), single sign-on's start and
callback, sign-out (here, and at the provider where it offers it), and the password pages, which
exist only while password sign-in is offered (CHAINSURVEY_PASSWORD_LOGIN)."""

import functools
import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import oidc

logger = logging.getLogger(__name__)

ID_TOKEN_KEY = "oidc_id_token"  # where mozilla-django-oidc keeps the ID token (OIDC_STORE_ID_TOKEN)


def password_login_only(view):
    """The password pages are gone (404) while password sign-in is turned off."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.CHAINSURVEY_PASSWORD_LOGIN:
            raise Http404("Password sign-in is turned off: sign in with single sign-on.")
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    """Django's sign-in page, with a "Sign in with …" button when single sign-on is configured and
    without its password form when password sign-in is turned off (a posted password is refused)."""

    def post(self, request, *args, **kwargs):
        if not settings.CHAINSURVEY_PASSWORD_LOGIN:
            return HttpResponseNotAllowed(["GET"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_login"] = settings.CHAINSURVEY_PASSWORD_LOGIN
        context["sso_name"] = settings.CHAINSURVEY_OIDC_NAME if oidc.configured() else ""
        return context


def admin_login(request):
    """The admin's sign-in form while passwords are accepted; else the app's page, back to the admin."""
    if settings.CHAINSURVEY_PASSWORD_LOGIN:
        return admin.site.login(request)
    next_url = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


def refused(request, reason: str, *, email: str = "", status: int = 403):
    context = {"reason": reason, "email": email, "password_login": settings.CHAINSURVEY_PASSWORD_LOGIN}
    return render(request, "registration/sso_refused.html", context, status=status)


class SingleSignOnStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge (kept in the
    session by mozilla-django-oidc)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # not the library's: it reads the endpoint from settings at once

    def get(self, request):
        if not oidc.configured():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.provider()["authorization_endpoint"]
        except oidc.ProviderUnavailable as exc:
            logger.warning("single sign-on: provider unavailable (%s)", exc)
            return refused(request, oidc.Refusal.UNAVAILABLE, status=503)
        self.OIDC_RP_CLIENT_ID = settings.CHAINSURVEY_OIDC_CLIENT_ID
        return super().get(request)


class SingleSignOnCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back. Every refusal gets a page saying why, in words."""

    def get(self, request):
        if not oidc.configured():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # A `state` this browser's session never sent (changed, or used already).
            logger.warning("single sign-on refused: %s", exc)
            return refused(request, oidc.Refusal.FAILED, status=400)

    def login_failure(self):
        self.request.session.pop(ID_TOKEN_KEY, None)  # stored by the library before the person was matched
        # No match: the provider answered with an error, or a check the library makes failed.
        match = getattr(self.request, "chain_survey_sso", None) or oidc.Match(None, oidc.Refusal.FAILED, "")
        status = 503 if match.refusal == oidc.Refusal.UNAVAILABLE else 403
        return refused(self.request, match.refusal or oidc.Refusal.FAILED, email=match.email, status=status)


@require_POST
def sign_out(request):
    """Ends the session here; when it began at a provider that offers RP-initiated logout, the
    browser goes on to the provider to end that session too, and comes back to the sign-in page."""
    id_token = request.session.get(ID_TOKEN_KEY)
    after = resolve_url(settings.LOGOUT_REDIRECT_URL)
    logout(request)
    if id_token and oidc.configured():
        there = oidc.end_session_url(id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(after))
        # Only to the issuer's own origin: the pages' form-action allows that one (settings), and a
        # redirect the browser would block leaves the person on a broken page instead of signed out.
        if there and oidc.same_origin(there, settings.CHAINSURVEY_OIDC_ISSUER):
            return HttpResponseRedirect(there)
        if there:
            logger.warning("single sign-on: end_session_endpoint on another origin than the issuer: not used")
    return HttpResponseRedirect(after)
