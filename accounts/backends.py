"""Authentication backends: the sign-in throttle (django-axes), usable without a request, the
password sign-in and single sign-on (OpenID Connect); every sign-in backend reads a person with
their role (RoleLoadingMixin)."""

import functools
import logging

import jwt
import requests
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import oidc, sessions

logger = logging.getLogger(__name__)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out (email, address) pair before any password is checked.

    Axes raises when `authenticate()` is called without a request; Django's test client and
    scripts do that, and there is no client address to throttle then, so we let the password
    backend decide. Every sign-in form of the app passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RoleLoadingMixin:
    """Reads the signed-in person with their role and their org-file record (employee id,
    department, role in the org) in one query, for every sign-in backend (password today, single
    sign-on next): Django asks the backend that signed a person in for them on every request.

    Every report page asks for the role and a department page for the department
    (`surveys.roles`), and each step of the survey for the employee record
    (`surveys.selectors.employee_for_user`): reading them with the user saves two queries per
    request. Roles are cumulative, so the highest of a person's role groups decides. A backend
    using it provides `user_can_authenticate` (every Django backend does).
    """

    def get_user(self, user_id):
        # Read with the session, in the same statement, when the session engine could
        # (accounts.sessions): the same row, read as fresh, so deactivation still counts at once.
        found = sessions.prefetched_user(user_id)
        if found is not sessions.NOT_PREFETCHED:
            return found if found is not None and self.user_can_authenticate(found) else None
        # A raw query from SQL compiled once per process: compiling the subquery at each request
        # cost more than running it.
        sql, params = _user_with_role_sql()
        found = list(get_user_model()._default_manager.raw(sql, [user_id if p == _ANY_ID else p for p in params]))
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None


class PasswordBackend(RoleLoadingMixin, ModelBackend):
    """Django's password sign-in; the signed-in person is read with their role (RoleLoadingMixin).

    With CHAINSURVEY_PASSWORD_LOGIN=0 it accepts no password, wherever one is posted (the admin's
    sign-in form included): people sign in through single sign-on only.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.CHAINSURVEY_PASSWORD_LOGIN:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SingleSignOnBackend(RoleLoadingMixin, OIDCAuthenticationBackend):
    """mozilla-django-oidc's authorization-code sign-in, for the org's people only.

    The provider's endpoints come from its discovery document (`accounts.oidc.provider`), read
    when someone signs in with it, not when Django builds the backend: Django builds every backend
    at each password sign-in too, and those must work while the provider is down. The ID token's
    issuer, audience and lifetime are checked on top of the library's signature and nonce checks;
    the person is the org's, by verified email, never a new account. Why a sign-in was refused is
    left on the request (`request.chain_survey_sso`) for the callback's page.
    """

    def __init__(self, *args, **kwargs):
        # Not the library's __init__: it reads every endpoint from settings at once.
        self.UserModel = get_user_model()
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    OIDC_RP_CLIENT_ID = property(lambda self: settings.CHAINSURVEY_OIDC_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.CHAINSURVEY_OIDC_CLIENT_SECRET)
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc.provider()["token_endpoint"])
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc.provider()["userinfo_endpoint"])
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc.provider()["jwks_uri"])

    def authenticate(self, request, **kwargs):
        if request is None or not oidc.configured() or not (request.GET.get("code") and request.GET.get("state")):
            return None  # a password sign-in, or no single sign-on here: not ours
        try:
            return super().authenticate(request, **kwargs)
        except oidc.ProviderUnavailable as exc:
            logger.warning("single sign-on: provider unavailable (%s)", exc)
            request.chain_survey_sso = oidc.Match(None, oidc.Refusal.UNAVAILABLE, "")
        except (requests.RequestException, jwt.InvalidTokenError, SuspiciousOperation, ValueError, KeyError) as exc:
            # A code used twice or for another client, a token that fails a check: refused, logged.
            logger.warning("single sign-on refused: %s", exc)
            request.chain_survey_sso = oidc.Match(None, oidc.Refusal.FAILED, "")
        return None

    def verify_token(self, token, **kwargs):
        return oidc.id_token_check(super().verify_token(token, **kwargs))

    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: the userinfo answer is only about the token's subject.
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo for another subject than the ID token's.")
        return {**payload, **info}

    def get_or_create_user(self, access_token, id_token, payload):
        match = oidc.person_for_claims(self.get_userinfo(access_token, id_token, payload))
        self.request.chain_survey_sso = match
        if match.refusal:
            logger.info("single sign-on refused: %s", match.refusal)
        return match.user

    def create_user(self, claims):  # never reached (get_or_create_user only matches); never create
        raise SuspiciousOperation("single sign-on never creates accounts.")


_ANY_ID = -7_319_004_211  # stands for the user id in the compiled SQL's parameters


def user_with_role_query():
    """Every user, each annotated with their role and org-file record (RoleLoadingMixin); also
    read beside the session by `accounts.sessions`."""
    from django.contrib.auth.models import Group

    from surveys.roles import Role

    rank = Case(*(When(name=role, then=Value(index)) for index, role in enumerate(Role.values)))
    highest = Group.objects.filter(user=OuterRef("pk"), name__in=Role.values).order_by(-rank).values("name")[:1]
    return (
        get_user_model()
        ._default_manager.annotate(
            chain_survey_role=Subquery(highest),
            chain_survey_department=F("employee__department_id"),
            chain_survey_employee=F("employee__id"),
            chain_survey_employee_key=F("employee__employee_id"),
            chain_survey_org_role=F("employee__role"),
            # The page's language (chainsurvey.middleware): the org file's, else the person's choice.
            chain_survey_language=F("employee__language"),
            chain_survey_chosen_language=F("employee__chosen_language"),
        )
        .order_by()
    )


@functools.cache
def _user_with_role_sql() -> tuple[str, tuple]:
    sql, params = user_with_role_query().filter(pk=_ANY_ID).query.sql_with_params()
    assert params.count(_ANY_ID) == 1, params
    return sql, params
