"""Single sign-on with an OpenID Connect provider: its discovery document, the checks of an ID
token that mozilla-django-oidc leaves to us, and who a provider's claims are in the org.

The provider is named by `CHAINSURVEY_OIDC_ISSUER` alone; its endpoints come from
`<issuer>/.well-known/openid-configuration`, read the first time someone signs in with it and
kept for an hour, never at start-up: a provider that is down stops single sign-on, not the app.
People are never created here: a person signs in only as the org file's person with that
verified email address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_TTL = 3600  # seconds: keys and endpoints of a provider change rarely, and announce it
TIMEOUT = 10  # seconds for every request to the provider: a hung provider must not hang a worker
CLOCK_SKEW = 60  # seconds of leeway on `exp` and `iat` between our clock and the provider's
_REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or is not one for the configured issuer."""


def configured() -> bool:
    return bool(settings.CHAINSURVEY_OIDC_ISSUER)


def _cache_key() -> str:
    return f"accounts.oidc.discovery:{settings.CHAINSURVEY_OIDC_ISSUER}"


def provider() -> dict:
    """The configured provider's discovery document (from the cache, or read now).

    Raises ProviderUnavailable when it cannot be read, is not JSON, lacks an endpoint we use, or
    names another issuer (OpenID Connect Discovery 1.0, section 4.3: a document served for one
    issuer by another is refused).
    """
    cached = cache.get(_cache_key())
    if cached is not None:
        return cached
    issuer = settings.CHAINSURVEY_OIDC_ISSUER
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {type(exc).__name__}") from exc
    if not isinstance(document, dict) or any(not document.get(key) for key in _REQUIRED):
        raise ProviderUnavailable(f"{url} lacks one of {', '.join(_REQUIRED)}")
    if document["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnavailable(f"{url} is for issuer {document['issuer']!r}, not {issuer!r}")
    cache.set(_cache_key(), document, DISCOVERY_TTL)
    return document


def forget_provider() -> None:
    cache.delete(_cache_key())


def id_token_check(payload: dict, *, now: float | None = None) -> dict:
    """Refuse an ID token (signature already verified) that is not for us, from our issuer, now.

    OpenID Connect Core 1.0, section 3.1.3.7: `iss` is the issuer, `aud` holds our client id (and
    with more audiences, `azp` is us), `exp` is in the future, `iat` is present. The nonce (replay)
    is checked by mozilla-django-oidc against the one this browser's session sent.
    """
    now = time.time() if now is None else now
    issuer = settings.CHAINSURVEY_OIDC_ISSUER
    client_id = settings.CHAINSURVEY_OIDC_CLIENT_ID
    if str(payload.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
        raise SuspiciousOperation("ID token from another issuer.")
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise SuspiciousOperation("ID token for another audience.")
    if len(audiences) > 1 and payload.get("azp") != client_id:
        raise SuspiciousOperation("ID token authorised for another party.")
    exp, iat = payload.get("exp"), payload.get("iat")
    if not isinstance(exp, int | float) or exp + CLOCK_SKEW < now:
        raise SuspiciousOperation("ID token expired.")
    if not isinstance(iat, int | float) or iat - CLOCK_SKEW > now:
        raise SuspiciousOperation("ID token issued in the future.")
    if not payload.get("sub"):
        raise SuspiciousOperation("ID token without a subject.")
    return payload


class Refusal:
    """Why a provider's person may not sign in here (the page says it in these words)."""

    UNKNOWN = "unknown"
    UNVERIFIED = "unverified"
    DEACTIVATED = "deactivated"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Match:
    user: object | None
    refusal: str | None
    email: str


def _verified(value) -> bool:
    # Some providers send the claim as a string ("true"); anything else is not a verified address.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def person_for_claims(claims: dict) -> Match:
    """The org's person with the claims' email address (case-insensitively), or why there is none.

    Only a verified address counts (`email_verified` true): an address a provider let someone
    type in without proving it is theirs would let them sign in as whoever holds it here. Only
    people of the org file count (an account with no employee record, such as an administrator
    created by hand, signs in with its password). One query.
    """
    email = str(claims.get("email") or "").strip()
    if not email:
        return Match(None, Refusal.UNKNOWN, "")
    if not _verified(claims.get("email_verified")):
        return Match(None, Refusal.UNVERIFIED, email)
    found = list(get_user_model()._default_manager.filter(email__iexact=email, employee__isnull=False)[:2])
    if len(found) != 1:  # two accounts cannot share an address (a unique index on its lower case)
        return Match(None, Refusal.UNKNOWN, email)
    if not found[0].is_active:
        return Match(None, Refusal.DEACTIVATED, email)
    return Match(found[0], None, email)


def end_session_url(*, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where to send a person signing out so that the provider ends its session too, or None
    when the provider offers no `end_session_endpoint` (RP-Initiated Logout 1.0) or is down."""
    try:
        endpoint = provider().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    params = {"client_id": settings.CHAINSURVEY_OIDC_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def same_origin(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    return (first.scheme, first.netloc) == (second.scheme, second.netloc)
