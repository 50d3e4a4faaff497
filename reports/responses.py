"""Whole report pages as bytes, cached per snapshot and kind of viewer; the per-person parts (the
sign-out form's CSRF token and the name in the navigation bar) are spliced in on each request.

Rendering the page around its cached body took longer than everything else a cached request
does; a page depends on the person looking only through those two strings, their role (part of
the key) and their pending messages or staff navigation (those pages are rendered as before).
"""

import secrets
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

from .pages import CACHE_SECONDS

# Random per process, so no department or comment text can contain them.
_TOKEN = f"csrf{secrets.token_hex(16)}"
_NAME = f"name{secrets.token_hex(16)}"


def _personal(request: HttpRequest) -> bool:
    """Pages whose navigation or messages are the person's own: HR's staff links (permission
    checks), a superuser's, or a message waiting to be shown."""
    return request.user.is_staff or request.user.is_superuser or len(messages.get_messages(request)) > 0


def page_response(request: HttpRequest, template: str, context: Callable[[], dict], *, key: str) -> HttpResponse:
    """`template` rendered with `context()` for this request; `key` names everything else the page
    shows (snapshot version, cycle, department, the viewer's kind)."""
    if _personal(request):
        return HttpResponse(render_to_string(template, context(), request))
    page = cache.get(key)
    if page is None:
        html = render_to_string(template, {**context(), "csrf_token": _TOKEN, "nav_name": _NAME}, request)
        page = html.encode()
        cache.set(key, page, CACHE_SECONDS)
    name = escape(request.user.get_full_name()).encode()
    return HttpResponse(page.replace(_TOKEN.encode(), get_token(request).encode()).replace(_NAME.encode(), name))
