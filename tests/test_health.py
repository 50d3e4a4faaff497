"""/healthz: the database, and the broker where REDIS_URL configures one."""

import pytest

from tests.machine_services import require_redis

pytestmark = pytest.mark.django_db


def test_healthz_leaves_out_the_broker_when_tasks_run_in_process(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_configured_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


@pytest.mark.services
def test_healthz_reports_a_reachable_broker(client, settings):
    settings.REDIS_URL = require_redis()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
