"""The Content-Security-Policy header (chainsurvey.middleware.ContentSecurityPolicyMiddleware):
built once per process, yet exactly the header django-csp builds for the same response."""

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from chainsurvey.middleware import ContentSecurityPolicyMiddleware
from reports.views import PLOTLY_STYLES

pytestmark = pytest.mark.django_db


def _both(response_for):
    """(our header, django-csp's header) for the same request and response."""
    headers = []
    for middleware in (ContentSecurityPolicyMiddleware, CSPMiddleware):
        request = RequestFactory().get("/somewhere/")
        instance = middleware(lambda r: response_for())
        headers.append(instance(request).get("Content-Security-Policy"))
    return headers


def _plain():
    return HttpResponse("page")


def _with_plotly_styles():
    response = HttpResponse("dashboard")
    response._csp_update = PLOTLY_STYLES
    return response


def test_every_page_gets_django_csps_own_header(client, executive):
    ours, theirs = _both(_plain)
    assert ours == theirs and "script-src 'self'" in ours and "unsafe-inline" not in ours
    ours, theirs = _both(_with_plotly_styles)
    assert ours == theirs and "'unsafe-hashes'" in ours


def test_the_dashboard_and_the_sign_in_page_carry_the_header_as_before(client, executive):
    page = client.get("/accounts/login/")["Content-Security-Policy"]
    assert page == _both(_plain)[1]
    client.force_login(executive.user)
    assert client.get("/reports/")["Content-Security-Policy"] == _both(_with_plotly_styles)[1]


def test_a_changed_policy_is_taken_at_once(settings):
    before = _both(_plain)[0]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    }
    ours, theirs = _both(_plain)
    assert ours == theirs != before


def test_an_exempt_response_gets_no_header_and_a_late_nonce_is_an_error():
    response = HttpResponse("exempt")
    response._csp_exempt = True
    request = RequestFactory().get("/")
    middleware = ContentSecurityPolicyMiddleware(lambda r: response)
    assert "Content-Security-Policy" not in middleware(request)
    from csp.exceptions import CSPNonceError

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
