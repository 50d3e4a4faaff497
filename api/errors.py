"""Every API error is JSON with a clear message: `{"detail": "..."}` (DRF's shape), throttled and
"being computed" answers with `Retry-After`, and an unexpected error a JSON 500 (logged), never
an HTML page."""

import logging
import math

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("api")


def api_exception_handler(exc, context):
    if isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = (
            "This API needs a personal API token: send `Authorization: Token <key>` (make one at /accounts/tokens/)."
        )
    elif isinstance(exc, exceptions.Throttled):
        wait = math.ceil(exc.wait or 1)
        exc.detail = f"Too many requests: try again in {wait} second{'s' if wait != 1 else ''}."
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API request failed", exc_info=exc)
        return Response(
            {"detail": "The server failed to answer this request; it has been logged. Try again later."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    wait = getattr(exc, "wait", None)
    if wait is not None and "Retry-After" not in response:
        response["Retry-After"] = str(math.ceil(wait))
    return response
