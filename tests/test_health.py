"""/healthz: a short JSON status of the database and, when configured, the broker."""

import pytest

from chainsurvey import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok_as_json(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_check_fails(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_healthz_is_503_when_a_configured_broker_is_down(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/3"
    monkeypatch.setattr(health, "_broker_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_healthz_database_check_fails_when_the_query_raises(monkeypatch):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    assert health._database_ok() is False


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.services
def test_healthz_reports_a_reachable_broker_as_ok(client, settings):
    from tests.machine_services import require_redis

    settings.REDIS_URL = require_redis()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
