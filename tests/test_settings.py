"""Settings come from the environment only, and bad values stop the app with a message naming them."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(settings.BASE_DIR) / "chainsurvey" / "settings.py"


def settings_with_env(monkeypatch, **env) -> dict:
    """The settings module evaluated afresh under `env` (None unsets a variable)."""
    for name in (
        "REDIS_URL",
        "CHAINSURVEY_ROLLUP_STALE_AFTER",
        "DJANGO_DEBUG",
        "CHAINSURVEY_MIN_GROUP_SIZE",
        "DJANGO_LOG_STREAM",
        "DJANGO_LOG_FORMAT",
        "DJANGO_LOG_LEVEL",
        "DJANGO_CONN_MAX_AGE",
        "DJANGO_EMAIL_HOST",
        "DJANGO_EMAIL_BACKEND",
        "CHAINSURVEY_PASSWORD_LOGIN",
        "CHAINSURVEY_BACKGROUND_EXPORTS",
        "CHAINSURVEY_ALLOW_CONSOLE_EMAIL",
        "DATABASE_READ_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_embedded_default_is_sqlite_debug_and_a_group_size_of_five(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    conf = settings_with_env(monkeypatch)

    assert conf["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert conf["DEBUG"] is True
    assert conf["MIN_GROUP_SIZE"] == 5


PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_EMAIL_HOST": "smtp.example.com"}


def test_production_postgres_reuses_each_process_connection_with_health_checks(monkeypatch):
    conf = settings_with_env(monkeypatch, DATABASE_URL="postgres://postgres@127.0.0.1:5432/chainsurvey", **PRODUCTION)

    assert conf["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert conf["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert conf["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True


def test_development_server_closes_its_connections_after_each_request(monkeypatch):
    # runserver starts a thread per request: a kept connection would outlive its thread.
    conf = settings_with_env(monkeypatch, DATABASE_URL="postgres://postgres@127.0.0.1:5432/chainsurvey")

    assert conf["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_production_logs_json_lines_on_stdout_and_development_logs_text(monkeypatch):
    production = settings_with_env(monkeypatch, **PRODUCTION)
    development = settings_with_env(monkeypatch)

    assert production["LOGGING"]["handlers"]["stdout"]["formatter"] == "json"
    assert production["LOGGING"]["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert production["LOGGING"]["root"]["level"] == "INFO"
    assert development["LOGGING"]["handlers"]["stdout"]["formatter"] == "text"


def test_an_smtp_host_switches_email_from_the_console_to_smtp(monkeypatch):
    assert "console" in settings_with_env(monkeypatch)["EMAIL_BACKEND"]
    conf = settings_with_env(monkeypatch, DJANGO_EMAIL_HOST="smtp.example.com")

    assert conf["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (conf["EMAIL_PORT"], conf["EMAIL_USE_TLS"], conf["EMAIL_USE_SSL"]) == (587, True, False)


@pytest.mark.parametrize(
    "backend",
    [None, "django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.filebased.EmailBackend"],
)
def test_production_refuses_to_print_emails_into_the_log_unless_told_to(monkeypatch, backend):
    # Without an SMTP host the default is the console backend: every password-set link in the log.
    no_mail_server = {**PRODUCTION, "DJANGO_EMAIL_HOST": None, "DJANGO_EMAIL_BACKEND": backend}
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_with_env(monkeypatch, **no_mail_server)
    message = str(refused.value)
    assert "DJANGO_DEBUG is off" in message and "password-set link in the log" in message
    assert "set DJANGO_EMAIL_HOST" in message and "CHAINSURVEY_ALLOW_CONSOLE_EMAIL=1" in message

    allowed = settings_with_env(monkeypatch, **no_mail_server, CHAINSURVEY_ALLOW_CONSOLE_EMAIL="1")
    assert allowed["EMAIL_BACKEND"] == (backend or "django.core.mail.backends.console.EmailBackend")
    with pytest.raises(ImproperlyConfigured):
        settings_with_env(monkeypatch, **no_mail_server, CHAINSURVEY_ALLOW_CONSOLE_EMAIL="0")


def test_development_and_production_with_a_mail_server_start_without_the_flag(monkeypatch):
    assert "console" in settings_with_env(monkeypatch)["EMAIL_BACKEND"]  # DJANGO_DEBUG=1: `make run`
    production = settings_with_env(monkeypatch, **PRODUCTION)
    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    locmem = settings_with_env(
        monkeypatch,
        **{**PRODUCTION, "DJANGO_EMAIL_HOST": None},
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    assert locmem["EMAIL_BACKEND"].endswith("locmem.EmailBackend")


def test_a_production_process_with_console_email_stops_at_startup_with_the_message():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_EMAIL_HOST"}
    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "CHAINSURVEY_ALLOW_CONSOLE_EMAIL=1" in result.stderr
    assert run_manage("check", **env, CHAINSURVEY_ALLOW_CONSOLE_EMAIL="1").returncode == 0


def test_password_sign_in_is_offered_unless_turned_off(monkeypatch):
    assert settings_with_env(monkeypatch)["CHAINSURVEY_PASSWORD_LOGIN"] is True
    # Off only with single sign-on to sign in with instead (tests/accounts/test_sso_settings.py).
    sso = {
        "CHAINSURVEY_OIDC_ISSUER": "https://id.example.com",
        "CHAINSURVEY_OIDC_CLIENT_ID": "chain-survey",
        "CHAINSURVEY_OIDC_CLIENT_SECRET": "s3cret",
    }
    assert settings_with_env(monkeypatch, CHAINSURVEY_PASSWORD_LOGIN="0", **sso)["CHAINSURVEY_PASSWORD_LOGIN"] is False
    assert settings_with_env(monkeypatch, CHAINSURVEY_PASSWORD_LOGIN="1")["CHAINSURVEY_PASSWORD_LOGIN"] is True


def test_background_exports_are_off_unless_asked_for_and_need_a_broker(monkeypatch):
    # A broker alone does not send downloads to workers: they need a folder shared with the web app.
    broker_only = settings_with_env(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")
    assert broker_only["CHAINSURVEY_BACKGROUND_EXPORTS"] is False
    on = settings_with_env(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0", CHAINSURVEY_BACKGROUND_EXPORTS="1")
    assert on["CHAINSURVEY_BACKGROUND_EXPORTS"] is True
    with pytest.raises(ImproperlyConfigured, match="CHAINSURVEY_BACKGROUND_EXPORTS=1 needs REDIS_URL"):
        settings_with_env(monkeypatch, CHAINSURVEY_BACKGROUND_EXPORTS="1")


def test_debug_off_requires_a_secret_key(monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        settings_with_env(monkeypatch, DJANGO_DEBUG="0")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("CHAINSURVEY_MIN_GROUP_SIZE", "five"),
        ("CHAINSURVEY_MIN_GROUP_SIZE", "0"),
        ("DJANGO_LOG_FORMAT", "xml"),
        ("CHAINSURVEY_LOGIN_FAILURE_LIMIT", "0"),
        ("CHAINSURVEY_PASSWORD_LOGIN", "sometimes"),
        ("CHAINSURVEY_ALLOW_CONSOLE_EMAIL", "yes please"),
    ],
)
def test_a_bad_value_stops_the_app_naming_the_variable(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        settings_with_env(monkeypatch, **{name: value})


def run_manage(*args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CHAINSURVEY_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "survey.example.com",
    "DJANGO_EMAIL_HOST": "smtp.example.com",
}


def test_check_deploy_with_production_settings_reports_nothing():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_does_warn_about_an_unsafe_production_setting():
    # The same check, with the HTTPS redirect turned off: it must complain (so the test above
    # would notice a setting that goes missing).
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECURE_SSL_REDIRECT="0", **PRODUCTION_ENV
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_a_read_url_adds_the_replica_alias_and_its_router(monkeypatch):
    conf = settings_with_env(
        monkeypatch,
        DATABASE_URL="postgres://app@db-primary:5432/chainsurvey",
        DATABASE_READ_URL="postgres://reader:s3cret@db-replica:5433/chainsurvey",
        **PRODUCTION,
    )

    replica = conf["DATABASES"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("db-replica", 5433, "reader")
    assert replica["CONN_MAX_AGE"] == conf["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert replica["OPTIONS"]["connect_timeout"] == 3
    assert replica["TEST"] == {"MIRROR": "default"}  # tests read their one test database through it
    assert conf["DATABASE_ROUTERS"] == ["reports.replica.SnapshotRouter"]


def test_without_a_read_url_there_is_one_database_and_no_router(monkeypatch):
    conf = settings_with_env(monkeypatch, DATABASE_URL="postgres://app@db-primary:5432/chainsurvey")

    assert list(conf["DATABASES"]) == ["default"]
    assert conf["DATABASE_ROUTERS"] == []


@pytest.mark.parametrize(
    "primary, replica",
    [(None, "postgres://reader:s3cret@db-replica/cs"), ("postgres://app@db/cs", "sqlite:////tmp/s3cret.sqlite3")],
)
def test_a_read_url_needs_postgresql_on_both_sides_and_never_echoes_itself(monkeypatch, primary, replica):
    if primary is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_READ_URL") as refused:
        settings_with_env(monkeypatch, DATABASE_READ_URL=replica, **({"DATABASE_URL": primary} if primary else {}))
    assert "s3cret" not in str(refused.value)
