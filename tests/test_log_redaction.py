"""No log line carries the token of a password-set link: not the access log (gunicorn), not
Django's request log, in JSON or in text. (Production also refuses to print emails into the log:
tests/test_settings.py.)"""

import io
import logging
import re

import pytest
from django.core import mail
from gunicorn.glogging import SafeAtoms

from chainsurvey import gunicorn as gunicorn_conf
from chainsurvey.logs import JsonFormatter, RedactTokens
from tests.factories import EmployeeFactory

TEXT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


@pytest.fixture(params=["json", "text"])
def log(request):
    """Everything logged during the test, as the app's stdout handler writes it (with its filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if request.param == "json" else TEXT)
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.INFO
    yield stream
    root.removeHandler(handler)
    root.level = level


@pytest.mark.django_db
def test_opening_a_password_set_link_logs_no_token(client, org, settings, log):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EmployeeFactory(department=org["sales"], user__email="new.hire@example.com")
    client.post("/accounts/password_reset/", {"email": "new.hire@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]

    assert client.get(link).status_code == 302  # to …/set-password/, the token now in the session
    assert client.get(f"{link}more/").status_code == 404  # Django logs "Not Found: <path>"
    written = log.getvalue()
    assert "Not Found: /accounts/reset/" in written  # the request log was written…
    assert "[token]" in written
    assert token not in written  # …without the token


def test_the_access_log_of_a_password_set_link_names_no_token(log):
    token = "cz4a1b-3f9e0c1d2b3a4f5e6d7c8b9a0f1e2d3c"
    atoms = SafeAtoms(
        {
            "h": "10.0.0.1",
            "m": "GET",
            "U": f"/accounts/reset/MQ/{token}/",
            "s": "302",
            "D": "1200",
            "r": f"GET /accounts/reset/MQ/{token}/ HTTP/1.1",
            "a": "Firefox",
            "B": "0",
            "l": "-",
            "u": "-",
            "t": "[07/Dec/2026:09:00:00 +0000]",
            "b": "0",
            "f": "-",
        }
    )
    access = logging.getLogger("gunicorn.access")
    access.info('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"', atoms)

    written = log.getvalue()
    assert "/accounts/reset/MQ/[token]/" in written
    assert token not in written


def test_set_password_and_other_paths_are_left_as_they_are():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "%s %s", ("/accounts/reset/MQ/set-password/", "/x/"), None
    )
    RedactTokens().filter(record)
    assert record.getMessage() == "/accounts/reset/MQ/set-password/ /x/"


def test_gunicorn_and_django_log_through_the_filter():
    from django.conf import settings

    assert "redact_tokens" in gunicorn_conf.logconfig_dict["handlers"]["stdout"]["filters"]
    assert gunicorn_conf.logconfig_dict["filters"]["redact_tokens"]["()"] == "chainsurvey.logs.RedactTokens"
    assert "redact_tokens" in settings.LOGGING["handlers"]["stdout"]["filters"]
    stdout = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert any(isinstance(f, RedactTokens) for h in stdout for f in h.filters)  # as configured at start-up
