"""Single sign-on's checks, without a browser: ID tokens signed by a test key (wrong audience,
expired, replayed, another issuer, another key), who the claims are in the org, the discovery
document (read lazily, cached, never at start-up), the login page with and without passwords,
and sign-out at the provider. The whole flow against a real provider: tests/browser/test_sso.py.
"""

from __future__ import annotations

import json
import time

import jwt
import pytest
from axes.models import AccessAttempt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc import auth as library

from accounts import oidc
from accounts.backends import PasswordBackend, SingleSignOnBackend
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://id.example.com"
CLIENT_ID = "chain-survey"
DOCUMENT = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/me",
    "jwks_uri": f"{ISSUER}/jwks",
    "end_session_endpoint": f"{ISSUER}/session/end",
}
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_JWK = jwt.PyJWK(
    {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1", "alg": "RS256"}
)
NONCE = "the-nonce-this-browser-sent"
STATE = "the-state-this-browser-sent"
SECRET = "a-client-secret-of-the-recommended-32-bytes-or-more"


@pytest.fixture
def sso(settings, monkeypatch):
    """Single sign-on configured, the provider's discovery document known, its keys the test key."""
    settings.CHAINSURVEY_OIDC_ISSUER = ISSUER
    settings.CHAINSURVEY_OIDC_CLIENT_ID = CLIENT_ID
    settings.CHAINSURVEY_OIDC_CLIENT_SECRET = SECRET
    settings.CHAINSURVEY_OIDC_NAME = "Acme SSO"
    monkeypatch.setattr(oidc, "provider", lambda: DOCUMENT)
    monkeypatch.setattr(SingleSignOnBackend, "retrieve_matching_jwk", lambda self, token: PUBLIC_JWK)


def id_token(key=KEY, algorithm="RS256", **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "emma-1", "iat": now, "exp": now + 300, "nonce": NONCE}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": "k1"})


class FakeUserinfo:
    def __init__(self, claims):
        self.claims = claims
        self.headers = {"content-type": "application/json"}

    def raise_for_status(self):
        pass

    def json(self):
        return self.claims


def provider_answers(monkeypatch, token: str, userinfo: dict | None = None):
    """The token endpoint answers with `token`; the userinfo endpoint with `userinfo`."""
    userinfo = {"sub": "emma-1", "email": "Emma@Example.com", "email_verified": True} if userinfo is None else userinfo
    monkeypatch.setattr(
        SingleSignOnBackend, "get_token", lambda self, payload: {"id_token": token, "access_token": "a"}
    )
    monkeypatch.setattr(library.requests, "get", lambda *args, **kwargs: FakeUserinfo(userinfo))


def callback(client, *, state=STATE, code="the-code"):
    """The browser comes back from the provider to a session that sent STATE and NONCE."""
    session = client.session
    session["oidc_states"] = {STATE: {"nonce": NONCE, "code_verifier": "v" * 64, "added_on": time.time()}}
    session.save()
    return client.get(f"/accounts/sso/callback/?code={code}&state={state}")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# The ID token: the library checks signature and nonce; accounts.oidc.id_token_check the rest.


def test_a_valid_id_token_signs_the_org_person_in_and_keeps_the_token_for_sign_out(client, sso, employee, monkeypatch):
    token = id_token()
    provider_answers(monkeypatch, token)
    response = callback(client)
    assert response.status_code == 302 and response.url == "/"
    assert client.session["_auth_user_id"] == str(employee.user.pk)
    assert client.session["_auth_user_backend"] == "accounts.backends.SingleSignOnBackend"
    assert client.session["oidc_id_token"] == token


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: id_token(aud="another-app"), id="wrong-audience"),
        pytest.param(lambda: id_token(aud=["another-app", CLIENT_ID]), id="several-audiences-no-azp"),
        pytest.param(lambda: id_token(exp=int(time.time()) - 3600), id="expired"),
        pytest.param(lambda: id_token(exp=None), id="no-expiry"),
        pytest.param(lambda: id_token(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200), id="issued-later"),
        pytest.param(lambda: id_token(nonce="the-nonce-of-an-earlier-sign-in"), id="replayed"),
        pytest.param(lambda: id_token(nonce=None), id="no-nonce"),
        pytest.param(lambda: id_token(iss="https://evil.example.com"), id="another-issuer"),
        pytest.param(lambda: id_token(key=OTHER_KEY), id="another-key"),
        pytest.param(lambda: id_token(key=SECRET, algorithm="HS256"), id="hs256-with-client-secret"),
        pytest.param(lambda: jwt.encode({"sub": "emma-1"}, None, algorithm="none"), id="unsigned"),
    ],
)
def test_an_id_token_not_for_us_not_from_our_issuer_or_not_now_is_refused(client, sso, employee, monkeypatch, token):
    provider_answers(monkeypatch, token())
    response = callback(client)
    assert response.status_code == 403
    assert "Sign-in could not be completed" in response.content.decode()
    assert not signed_in(client)
    assert "oidc_id_token" not in client.session


def test_an_id_token_for_several_audiences_is_accepted_when_we_are_its_authorised_party(
    client, sso, employee, monkeypatch
):
    provider_answers(monkeypatch, id_token(aud=["another-app", CLIENT_ID], azp=CLIENT_ID))
    assert callback(client).status_code == 302
    assert signed_in(client)


def test_id_token_check_allows_a_minute_of_clock_skew_and_no_more(settings):
    settings.CHAINSURVEY_OIDC_ISSUER, settings.CHAINSURVEY_OIDC_CLIENT_ID = ISSUER, CLIENT_ID
    now = 1_800_000_000
    claims = {"iss": ISSUER + "/", "aud": CLIENT_ID, "sub": "s", "iat": now, "exp": now - 30}
    assert oidc.id_token_check(claims, now=now) == claims
    with pytest.raises(SuspiciousOperation, match="expired"):
        oidc.id_token_check({**claims, "exp": now - 61}, now=now)


def test_userinfo_about_another_subject_is_refused(client, sso, employee, monkeypatch):
    provider_answers(
        monkeypatch, id_token(), {"sub": "someone-else", "email": employee.user.email, "email_verified": True}
    )
    assert callback(client).status_code == 403
    assert not signed_in(client)


def test_a_changed_state_is_refused_and_the_genuine_one_still_works(client, sso, employee, monkeypatch):
    provider_answers(monkeypatch, id_token())
    response = callback(client, state="a-state-nobody-sent")
    assert response.status_code == 400
    assert "Sign-in could not be completed" in response.content.decode()
    assert not signed_in(client)
    assert client.get(f"/accounts/sso/callback/?code=the-code&state={STATE}").status_code == 302
    assert signed_in(client)
    # The same answer again: its state was used up.
    assert client.get(f"/accounts/sso/callback/?code=the-code&state={STATE}").status_code == 400


def test_a_provider_error_or_a_refused_code_gets_the_failure_page(client, sso, employee, monkeypatch):
    def refused(self, payload):
        raise library.HTTPError("400 invalid_grant")

    monkeypatch.setattr(SingleSignOnBackend, "get_token", refused)
    assert callback(client).status_code == 403
    assert client.get(f"/accounts/sso/callback/?error=access_denied&state={STATE}").status_code == 403
    assert not signed_in(client)


def test_refused_single_sign_ons_are_not_counted_as_failed_passwords(client, sso, employee, monkeypatch):
    # Counted under an empty email, ten refusals would lock everyone behind one office address out.
    provider_answers(monkeypatch, id_token(aud="another-app"))
    for _ in range(10):
        assert callback(client).status_code == 403
    assert AccessAttempt.objects.count() == 0
    provider_answers(monkeypatch, id_token())
    assert callback(client).status_code == 302


# Who the claims are: the org's person with that verified address, never a new account.


@pytest.mark.parametrize(
    ("claims", "refusal", "heading"),
    [
        ({"email": "nobody@example.com", "email_verified": True}, "unknown", "You are not in this survey"),
        ({"email": "emma@example.com", "email_verified": False}, "unverified", "Your email address is not verified"),
        ({"email": "emma@example.com"}, "unverified", "Your email address is not verified"),
        ({"email": "gone@example.com", "email_verified": True}, "deactivated", "Your access has ended"),
        ({"email": "olga@example.com", "email_verified": True}, "unknown", "You are not in this survey"),
        ({"email_verified": True}, "unknown", "You are not in this survey"),
    ],
    ids=["unknown", "unverified", "no-verification-claim", "deactivated", "account-outside-the-org", "no-email"],
)
def test_an_unknown_unverified_or_deactivated_address_gets_its_page_and_no_account(
    client, sso, employee, outsider, org, monkeypatch, claims, refusal, heading
):
    EmployeeFactory(department=org["sales"], user__email="gone@example.com", user__is_active=False)
    users = type(employee.user).objects.count()
    provider_answers(monkeypatch, id_token(), {"sub": "emma-1", **claims})
    response = callback(client)
    assert response.status_code == 403
    assert heading in response.content.decode()
    assert response.context["reason"] == refusal
    assert type(employee.user).objects.count() == users
    assert not signed_in(client)


def test_the_address_is_matched_case_insensitively_and_a_string_true_is_verified(employee):
    match = oidc.person_for_claims({"email": " EMMA@example.COM ", "email_verified": "true"})
    assert (match.user, match.refusal) == (employee.user, None)
    assert oidc.person_for_claims({"email": "emma@example.com", "email_verified": "yes"}).refusal == "unverified"


def test_the_backend_never_creates_an_account(sso):
    with pytest.raises(SuspiciousOperation):
        SingleSignOnBackend().create_user({"email": "new@example.com", "email_verified": True})


# The discovery document: read on first use, cached, checked; a provider that is down stops SSO only.


class FakeDiscovery:
    def __init__(self, document, status=200):
        self.document, self.status_code = document, status

    def raise_for_status(self):
        if self.status_code >= 400:
            raise oidc.requests.HTTPError(str(self.status_code))

    def json(self):
        return self.document


def test_the_discovery_document_is_read_once_then_cached(settings, monkeypatch):
    settings.CHAINSURVEY_OIDC_ISSUER = ISSUER
    oidc.forget_provider()
    calls = []
    monkeypatch.setattr(oidc.requests, "get", lambda url, timeout: calls.append(url) or FakeDiscovery(DOCUMENT))
    assert oidc.provider()["token_endpoint"] == f"{ISSUER}/token"
    assert oidc.provider()["token_endpoint"] == f"{ISSUER}/token"
    assert calls == [f"{ISSUER}/.well-known/openid-configuration"]
    oidc.forget_provider()


@pytest.mark.parametrize(
    "answer",
    [
        FakeDiscovery({**DOCUMENT, "issuer": "https://evil.example.com"}),
        FakeDiscovery({k: v for k, v in DOCUMENT.items() if k != "jwks_uri"}),
        FakeDiscovery(DOCUMENT, status=500),
        FakeDiscovery(["not", "a", "document"]),
    ],
    ids=["another-issuer", "no-keys", "server-error", "not-an-object"],
)
def test_a_discovery_document_for_another_issuer_or_incomplete_is_refused_and_not_cached(settings, monkeypatch, answer):
    settings.CHAINSURVEY_OIDC_ISSUER = ISSUER
    oidc.forget_provider()
    monkeypatch.setattr(oidc.requests, "get", lambda url, timeout: answer)
    with pytest.raises(oidc.ProviderUnavailable):
        oidc.provider()
    monkeypatch.setattr(oidc.requests, "get", lambda url, timeout: FakeDiscovery(DOCUMENT))
    assert oidc.provider() == DOCUMENT
    oidc.forget_provider()


def test_a_provider_that_is_down_stops_single_sign_on_not_the_app(client, settings, employee):
    settings.CHAINSURVEY_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.CHAINSURVEY_OIDC_CLIENT_ID, settings.CHAINSURVEY_OIDC_CLIENT_SECRET = CLIENT_ID, SECRET
    oidc.forget_provider()
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "Sign in with your company account" in page.content.decode()
    password = client.post(
        "/accounts/login/", {"username": employee.user.email, "password": "correct horse battery staple"}
    )
    assert password.status_code == 302 and signed_in(client)
    client.logout()
    refused = client.get("/accounts/sso/")
    assert refused.status_code == 503
    assert "Single sign-on is unavailable" in refused.content.decode()


def test_the_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(client, sso):
    response = client.get("/accounts/sso/?next=/survey/")
    assert response.status_code == 302
    assert response.url.startswith(f"{ISSUER}/auth?")
    for part in ("response_type=code", f"client_id={CLIENT_ID}", "scope=openid+email", "code_challenge_method=S256"):
        assert part in response.url
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Fsso%2Fcallback%2F" in response.url
    (state,) = client.session["oidc_states"]
    assert f"state={state}" in response.url and f"nonce={client.session['oidc_states'][state]['nonce']}" in response.url
    assert client.session["oidc_login_next"] == "/survey/"


def test_the_start_keeps_no_next_address_on_another_site(client, sso):
    client.get("/accounts/sso/?next=https://evil.example.com/")
    assert client.session["oidc_login_next"] is None


# The login page, and CHAINSURVEY_PASSWORD_LOGIN.


def test_the_login_page_says_how_to_sign_in_in_one_sentence(client, settings, sso):
    page = client.get("/accounts/login/?next=/survey/").content.decode()
    assert "Sign in with Acme SSO, or with your work email address and your password" in page
    assert 'href="/accounts/sso/?next=/survey/"' in page
    assert 'name="password"' in page
    settings.CHAINSURVEY_OIDC_ISSUER = ""
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with your work email address and your password (first time here?" in page
    assert "/accounts/sso/" not in page


def test_without_password_login_only_single_sign_on_is_offered(client, settings, sso, employee):
    settings.CHAINSURVEY_PASSWORD_LOGIN = False
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme SSO: the button below" in page
    assert 'name="password"' not in page and "/accounts/password_reset/" not in page
    refused = client.post(
        "/accounts/login/", {"username": employee.user.email, "password": "correct horse battery staple"}
    )
    assert refused.status_code == 405 and not signed_in(client)
    for url in (
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/x/",
        "/accounts/reset/done/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        PasswordBackend().authenticate(None, username=employee.user.email, password="correct horse battery staple")
        is None
    )
    admin = client.get("/admin/login/?next=/admin/")
    assert admin.status_code == 302 and admin.url == "/accounts/login/?next=%2Fadmin%2F"
    assert client.post("/admin/login/", {"username": employee.user.email, "password": "x"}).status_code == 302
    assert not signed_in(client)


def test_with_password_login_the_admin_keeps_its_own_sign_in_form(client):
    assert client.get("/admin/login/").status_code == 200


# Sign-out: here, and at the provider where it offers it.


def test_signing_out_ends_the_session_here_and_sends_the_browser_to_the_provider(client, sso, employee, monkeypatch):
    token = id_token()
    provider_answers(monkeypatch, token)
    callback(client)
    response = client.post("/accounts/logout/")
    assert not signed_in(client)
    assert response.status_code == 302
    assert response.url.startswith(f"{ISSUER}/session/end?")
    assert f"id_token_hint={token}" in response.url
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Flogin%2F" in response.url


def test_signing_out_stays_here_without_an_end_session_endpoint_or_after_a_password_sign_in(
    client, sso, employee, monkeypatch
):
    client.force_login(employee.user, backend="accounts.backends.PasswordBackend")
    response = client.post("/accounts/logout/")
    assert response.url == "/accounts/login/" and not signed_in(client)

    provider_answers(monkeypatch, id_token())
    callback(client)
    monkeypatch.setattr(oidc, "provider", lambda: {k: v for k, v in DOCUMENT.items() if k != "end_session_endpoint"})
    response = client.post("/accounts/logout/")
    assert response.url == "/accounts/login/" and not signed_in(client)


def test_an_end_session_endpoint_on_another_origin_is_not_followed(client, sso, employee, monkeypatch):
    provider_answers(monkeypatch, id_token())
    callback(client)
    monkeypatch.setattr(oidc, "provider", lambda: {**DOCUMENT, "end_session_endpoint": "https://elsewhere.example/out"})
    response = client.post("/accounts/logout/")
    assert response.url == "/accounts/login/" and not signed_in(client)


def test_the_csp_lets_the_sign_out_form_go_on_to_the_issuer_only(monkeypatch):
    from tests.test_settings import settings_with_env

    conf = settings_with_env(
        monkeypatch,
        CHAINSURVEY_OIDC_ISSUER="https://id.example.com/realms/acme",
        CHAINSURVEY_OIDC_CLIENT_ID=CLIENT_ID,
        CHAINSURVEY_OIDC_CLIENT_SECRET=SECRET,
    )
    assert conf["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"][1:] == ["https://id.example.com"]
    assert (
        len(
            settings_with_env(monkeypatch, CHAINSURVEY_OIDC_ISSUER=None)["CONTENT_SECURITY_POLICY"]["DIRECTIVES"][
                "form-action"
            ]
        )
        == 1
    )


def test_unfinished_sso_settings_stop_the_app_naming_the_variable(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from tests.test_settings import settings_with_env

    with pytest.raises(ImproperlyConfigured, match="CHAINSURVEY_OIDC_CLIENT_ID"):
        settings_with_env(monkeypatch, CHAINSURVEY_OIDC_ISSUER=ISSUER)
    with pytest.raises(ImproperlyConfigured, match="CHAINSURVEY_OIDC_ISSUER must be"):
        settings_with_env(
            monkeypatch,
            CHAINSURVEY_OIDC_ISSUER="id.example.com",
            CHAINSURVEY_OIDC_CLIENT_ID="c",
            CHAINSURVEY_OIDC_CLIENT_SECRET="s",
        )
    with pytest.raises(ImproperlyConfigured, match="CHAINSURVEY_PASSWORD_LOGIN=0 needs single sign-on"):
        settings_with_env(monkeypatch, CHAINSURVEY_PASSWORD_LOGIN="0", CHAINSURVEY_OIDC_ISSUER=None)


def test_outsider_fixture_is_an_account_without_an_org_record(outsider):
    assert not hasattr(outsider, "employee") and UserFactory._meta.model is type(outsider)
