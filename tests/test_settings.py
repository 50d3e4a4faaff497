"""Settings come from the environment only, and bad values stop the app with a message naming them."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(settings.BASE_DIR) / "chainsurvey" / "settings.py"


def settings_with_env(monkeypatch, **env) -> dict:
    """The settings module evaluated afresh under `env` (None unsets a variable)."""
    for name in ("REDIS_URL", "CHAINSURVEY_ROLLUP_STALE_AFTER", "DJANGO_DEBUG", "CHAINSURVEY_MIN_GROUP_SIZE"):
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


def test_postgres_url_gets_persistent_connections_with_health_checks(monkeypatch):
    conf = settings_with_env(monkeypatch, DATABASE_URL="postgres://postgres@127.0.0.1:5432/chainsurvey")

    assert conf["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert conf["DATABASES"]["default"]["CONN_MAX_AGE"] > 0
    assert conf["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True


def test_debug_off_requires_a_secret_key(monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        settings_with_env(monkeypatch, DJANGO_DEBUG="0")


@pytest.mark.parametrize(
    ("name", "value"),
    [("DJANGO_DEBUG", "maybe"), ("CHAINSURVEY_MIN_GROUP_SIZE", "five"), ("CHAINSURVEY_MIN_GROUP_SIZE", "0")],
)
def test_a_bad_value_stops_the_app_naming_the_variable(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        settings_with_env(monkeypatch, **{name: value})
