"""`Authorization: Token <key>`: the API's one way in (DRF authentication), and how the OpenAPI
document describes it. The person is read with their role, like every sign-in backend
(accounts.backends.RoleLoadingMixin), so the role checks of surveys.roles cost no query."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.backends import PasswordBackend

from .tokens import token_user_id

KEYWORD = "Token"


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header:
            return None
        if header[0] != KEYWORD or len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send your API token as the header `Authorization: Token <key>` (make one at /accounts/tokens/)."
            )
        user_id = token_user_id(header[1])
        # A revoked token, a deactivated person's and a made-up one all read the same.
        user = PasswordBackend().get_user(user_id) if user_id is not None else None
        if user is None:
            raise exceptions.AuthenticationFailed("This API token is not valid: it may have been revoked.")
        return user, None

    def authenticate_header(self, request):
        return KEYWORD  # makes refusals 401 with `WWW-Authenticate: Token`


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token (made at /accounts/tokens/ or with `manage.py create_api_token`),"
            " sent as `Token <key>`.",
        }
