"""The app's own middleware: each request in the person's language, and the Content-Security-Policy
header built once per process (ContentSecurityPolicyMiddleware, below).

The language: the org file's, else their own choice, else the browser's.

Like Django's LocaleMiddleware, without language prefixes in URLs (the contract's URLs are fixed).
A signed-in person's two languages are read with their account (accounts.backends annotates
them), so choosing costs no query. Someone not signed in (the sign-in page) may choose too: the
choice is kept in Django's language cookie and also applies once they sign in, until they choose
again on their account.
"""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def person_language(request) -> str:
    """The language code a request is served in (one of settings.LANGUAGES)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for code in (getattr(user, "chain_survey_language", None), getattr(user, "chain_survey_chosen_language", None)):
            if code in SUPPORTED:
                return code
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    return translation.get_language_from_request(request)


class PersonLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = person_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with each policy built once per process instead of per response.

    The policy depends only on the settings and on the view's decorator (`csp_update` and the
    like attach module-level dicts to the response), so the header string is remembered per
    combination of those dicts (by identity, each kept alive beside its string) and forgotten when
    the settings change. Anything else (a nonce asked for, a report-only policy, excluded
    prefixes, a debug error page) goes through django-csp itself, unchanged.
    """

    def process_response(self, request, response):
        parts = tuple(getattr(response, name, None) for name in _PARTS)
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _REPORT_ONLY_PARTS)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (settings.CONTENT_SECURITY_POLICY or {}).get("EXCLUDE_URL_PREFIXES")
            or (settings.DEBUG and response.status_code in (500, 404))
        ):
            return super().process_response(request, response)
        if HEADER not in response and not getattr(response, "_csp_exempt", False):
            header = _policy(parts)
            if header:
                response[HEADER] = header
        # As django-csp: a nonce asked for after the header was written is an error, never silent.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


_PARTS = ("_csp_config", "_csp_update", "_csp_replace")
_REPORT_ONLY_PARTS = ("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")
_policies: dict[tuple[int, ...], tuple[tuple, str]] = {}


def _policy(parts: tuple) -> str:
    key = tuple(map(id, parts))
    found = _policies.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], parts, strict=True)):
        return found[1]
    header = build_policy(config=parts[0], update=parts[1], replace=parts[2])
    _policies[key] = (parts, header)
    return header


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()
