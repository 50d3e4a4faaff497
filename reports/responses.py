"""Whole report pages as bytes, cached per snapshot and kind of viewer; the per-person parts (the
sign-out form's CSRF token and the name in the navigation bar) are joined in on each request (the
page is kept cut at them, so that a request copies it once).

Rendering the page around its cached body took longer than everything else a cached request
does; a page depends on the person looking only through those two strings, their role (part of
the key) and their pending messages or staff navigation (those pages are rendered as before).
"""

import re
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
        page = _cut(html.encode())
        cache.set(key, page, CACHE_SECONDS)
    pieces, slots = page
    personal = {_TOKEN: get_token(request).encode(), _NAME: escape(request.user.get_full_name()).encode()}
    # The shared pieces joined around this person's two strings: one copy of the page.
    joined = [pieces[0]]
    for slot, piece in zip(slots, pieces[1:], strict=True):
        joined += (personal[slot], piece)
    return HttpResponse(b"".join(joined))


def _cut(page: bytes) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """The page cut at each marker: (the pieces between them, which marker each cut was)."""
    pieces, slots = [], []
    for part in re.split(rb"(" + _TOKEN.encode() + rb"|" + _NAME.encode() + rb")", page):
        if part in (_TOKEN.encode(), _NAME.encode()):
            slots.append(part.decode())
        else:
            pieces.append(part)
    return tuple(pieces), tuple(slots)
