"""Sign-in throttling: who is counted (email, client address) and how HR unlocks someone.

django-axes counts wrong passwords per (email, client address) and refuses that pair once
`AXES_FAILURE_LIMIT` is reached, for `AXES_COOLOFF_TIME`. The functions here tell it how to read
the email (case-insensitively, or "Emma@" and "emma@" would be counted apart) and the client
address (behind a proxy, from X-Forwarded-For).
"""

from django.conf import settings


def attempted_email(request, credentials: dict | None) -> str:
    """The email address a sign-in attempt was for, normalised as accounts store it."""
    raw = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    return str(raw).strip().lower()


def not_a_password_attempt(request, credentials: dict | None) -> bool:
    """True for a sign-in that carries no password (single sign-on's callback): axes neither counts
    nor refuses it. Nothing is guessed there (the provider checks its own password), and counting
    its refusals under an empty email would lock everyone behind one office address out."""
    return not (credentials or {}).get("password")


def client_address(request) -> str | None:
    """The client's address: the connection's, or with DJANGO_PROXY_COUNT proxies in front, the
    entry those proxies appended to X-Forwarded-For (entries left of it come from the client and
    could be forged)."""
    proxies = settings.CHAINSURVEY_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def sign_in_unlock(*, emails: list[str]) -> int:
    """Forget the failed sign-ins of these people from every address; returns how many locks or
    counts were cleared. They can sign in again at once."""
    from axes.utils import reset

    return sum(reset(username=attempted_email(None, {"username": email})) for email in emails)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out person gets instead of the sign-in form (HTTP 429)."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "email": attempted_email(request, credentials),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
    }
    return render(request, "registration/locked_out.html", context, status=429)
