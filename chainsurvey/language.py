"""The navigation bar's language choice: kept on the person's account, and in the language cookie."""

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .middleware import SUPPORTED


@require_POST
def choose_language(request):
    code = request.POST.get("language", "")
    if code not in SUPPORTED:
        return HttpResponseBadRequest("Unknown language: choose one of " + ", ".join(sorted(SUPPORTED)) + ".")
    if request.user.is_authenticated:
        from surveys.models import Employee

        Employee.objects.filter(user_id=request.user.pk).update(chosen_language=code)
    target = request.POST.get("next") or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
