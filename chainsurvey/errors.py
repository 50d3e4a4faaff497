"""The app's own pages for refused requests that Django would otherwise answer bare: a bad or
oversized request (400) and a form sent without a valid CSRF token (403)."""

from django.shortcuts import render


def bad_request(request, exception=None):
    # Rendered with the request (unlike Django's default handler) so the page looks like every other.
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    # Usually a form left open past a sign-out, or cookies blocked: say so and what to do.
    return render(request, "403_csrf.html", status=403)
