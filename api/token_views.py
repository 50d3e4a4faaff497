"""A person's API tokens: the list (name, start of the key, when made and last used), a form to
make one, whose key the response shows once, and revoking. HR revokes anyone's in the admin."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .models import ApiToken
from .tokens import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="What the token is for, e.g. “Power BI, HR dashboard”."
    )


def _page(request: HttpRequest, form: TokenForm, *, new_key: str | None = None, status: int = 200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key}, status=status)


@never_cache  # the page that shows a new key must not be kept by any cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    made = token_create(user=request.user, name=form.cleaned_data["name"])
    # Shown in this response only: the database keeps a hash, and no later page can show it again.
    return _page(request, TokenForm(), new_key=made.key)


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if token_revoke(token_id=pk, by=request.user, owner=request.user):
        messages.success(request, "Token revoked: it no longer works.")
    else:
        messages.error(request, "No such token of yours, or it was revoked already.")
    return redirect("tokens:index")
