"""Each request in the person's language: the org file's, else their own choice, else the browser's.

Like Django's LocaleMiddleware, without language prefixes in URLs (the contract's URLs are fixed).
A signed-in person's two languages are read with their account (accounts.backends annotates
them), so choosing costs no query. Someone not signed in (the sign-in page) may choose too: the
choice is kept in Django's language cookie and also applies once they sign in, until they choose
again on their account.
"""

from django.conf import settings
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
