"""Single sign-on end to end: Debian's chromium, the app's live server and a real OpenID Connect
provider (npm's oidc-provider, tests/oidc) on 127.0.0.1. Nothing leaves the machine.

Signing in at the provider lands on the survey; signing out ends the session here and there;
an unverified, unknown or deactivated address gets its page and no account; a changed `state`,
a replayed callback and a replayed authorization code are refused.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from accounts.models import Session, User
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory
from tests.oidc_provider import running_provider, use_provider

from .conftest import serious_violations

PROVIDER_PASSWORD = "the provider's own password"
ACCOUNTS = {
    # The org file's Emma, as her company account spells her address.
    "emma": {"password": PROVIDER_PASSWORD, "email": "Emma.Stone@Example.com", "email_verified": True},
    "ursula": {"password": PROVIDER_PASSWORD, "email": "ursula@example.com", "email_verified": False},
    "nobody": {"password": PROVIDER_PASSWORD, "email": "nobody@example.com", "email_verified": True},
    "gone": {"password": PROVIDER_PASSWORD, "email": "gone@example.com", "email_verified": True},
}


@pytest.fixture(scope="module")
def issuer(live_server):
    with running_provider(
        redirect_uri=f"{live_server.url}/accounts/sso/callback/",
        post_logout_redirect_uri=f"{live_server.url}/accounts/login/",
        accounts=ACCOUNTS,
    ) as url:
        yield url


@pytest.fixture
def company(settings, issuer):
    use_provider(settings, issuer)
    sales = DepartmentFactory(name="Sales", slug="sales")
    for name in ("IT", "Finance"):
        DepartmentFactory(name=name)
    DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    emma = EmployeeFactory(department=sales, user__email="emma.stone@example.com", user__full_name="Emma Stone")
    EmployeeFactory(department=sales, user__email="ursula@example.com")
    EmployeeFactory(department=sales, user__email="gone@example.com", user__is_active=False)
    OpenCycleFactory(name="2026-Q4")
    return {"emma": emma}


def provider_sign_in(page, login):
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign in").click()


def sso_sessions() -> int:
    return sum(
        1
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_backend") == "accounts.backends.SingleSignOnBackend"
    )


def test_signing_in_at_the_provider_lands_on_the_survey_and_signing_out_ends_both_sessions(
    new_page, live_server, company, issuer
):
    page = new_page()
    page.goto(f"{live_server.url}/survey/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/?next=")
    assert page.get_by_text("Sign in with Test Company SSO, or with your work email address").is_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Sign in with Test Company SSO").click()
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{issuer}/interaction/")
    provider_sign_in(page, "emma")

    assert page.url == f"{live_server.url}/survey/"
    assert page.get_by_role("heading", name="Which departments did you deal with this quarter?").is_visible()
    assert page.get_by_text("Emma Stone").is_visible()
    assert sso_sessions() == 1  # signed in by the SSO backend, the role read with the person

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign out").click()
    assert page.url.startswith(f"{issuer}/session/end")  # the provider asks, then ends its own session
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Yes, sign me out").click()
    assert page.url == f"{live_server.url}/accounts/login/"
    assert sso_sessions() == 0

    page.goto(f"{live_server.url}/survey/")  # signed out here...
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test Company SSO").click()
    page.wait_for_load_state("load")
    assert page.get_by_label("Username").is_visible()  # ...and there: the provider asks again


def _refusals_only(console_errors, status):
    """The browser reports the refusal's status as a failed load: that one is expected, nothing else."""
    console_errors[:] = [e for e in console_errors if not (f"status of {status}" in e and "/accounts/sso/" in e)]


@pytest.mark.parametrize(
    ("login", "heading"),
    [
        ("ursula", "Your email address is not verified"),
        ("nobody", "You are not in this survey's organisation"),
        ("gone", "Your access has ended"),
    ],
)
def test_an_unverified_unknown_or_deactivated_address_gets_its_page_and_no_account(
    new_page, live_server, company, login, heading, console_errors
):
    users = User.objects.count()
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test Company SSO").click()
    page.wait_for_load_state("load")
    response_status = []
    page.on("response", lambda r: response_status.append(r.status) if "/accounts/sso/callback/" in r.url else None)
    provider_sign_in(page, login)

    assert page.url.startswith(f"{live_server.url}/accounts/sso/callback/")
    assert response_status == [403]
    assert page.get_by_role("heading", name=heading).is_visible()
    assert serious_violations(page) == []
    assert User.objects.count() == users
    assert sso_sessions() == 0
    page.goto(f"{live_server.url}/survey/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    _refusals_only(console_errors, 403)


def _held_callback(page, live_server, login) -> str:
    """Sign in at the provider with the browser context's own cookies, stopping before its answer
    reaches our callback (the browser would follow the redirect): the callback URL."""
    request = page.context.request
    started = request.get(f"{live_server.url}/accounts/sso/?next=/survey/")  # to the provider's sign-in form
    assert "/interaction/" in started.url, started.url
    answer = request.post(
        started.url, form={"username": login, "password": PROVIDER_PASSWORD}, max_redirects=0
    )  # -> the provider's resumed authorization
    provider = "{0.scheme}://{0.netloc}".format(urlsplit(started.url))
    callback = answer.headers["location"]
    for _ in range(5):  # the provider's own hops (resume, implied consent, resume) up to its answer
        if callback.startswith(live_server.url):
            break
        hop = callback if callback.startswith(provider) else provider + callback
        callback = request.get(hop, max_redirects=0).headers["location"]
    assert callback.startswith(f"{live_server.url}/accounts/sso/callback/?"), callback
    return callback


def _with(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


def test_a_changed_state_a_replayed_callback_and_a_replayed_code_are_refused(
    new_page, live_server, company, console_errors
):
    page = new_page()
    callback = _held_callback(page, live_server, "emma")

    changed = page.goto(_with(callback, state="x" + parse_qs(urlsplit(callback).query)["state"][0][1:]))
    assert changed.status == 400
    assert page.get_by_role("heading", name="Sign-in could not be completed").is_visible()
    assert sso_sessions() == 0

    assert page.goto(callback).status == 200  # the genuine answer still works: only the change was refused
    assert page.url == f"{live_server.url}/survey/"
    assert sso_sessions() == 1

    assert page.goto(callback).status == 400  # the same answer twice: its state was used up
    assert page.get_by_role("heading", name="Sign-in could not be completed").is_visible()

    # Someone else replays the code under a state of their own: the provider refuses the code
    # (used already, and not for their PKCE verifier), and nobody is signed in.
    thief = new_page()
    started = thief.context.request.get(f"{live_server.url}/accounts/sso/", max_redirects=0)
    their_state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    replay = thief.goto(_with(callback, state=their_state))
    assert replay.status == 403
    assert thief.get_by_role("heading", name="Sign-in could not be completed").is_visible()
    assert sso_sessions() == 1
    thief.goto(f"{live_server.url}/survey/")
    assert thief.url.startswith(f"{live_server.url}/accounts/login/")
    _refusals_only(console_errors, 400)
    _refusals_only(console_errors, 403)
